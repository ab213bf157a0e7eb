/** A report problem the user can fix (a missing analysis, the wrong number of run folders): shown without a stack. */
export class ReportError extends Error {}
