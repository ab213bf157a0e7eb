// A run's states as the host and the webviews show them, and which of them are
// live. Its own module, without zod, so the webviews can import `isLive`
// without bundling the schema library.
export const RUN_STATUSES = [
  'queued',
  'starting',
  'running',
  'paused',
  'finished',
  'stopped',
  'failed',
  'diverged',
  'interrupted',
] as const;
export type RunStatusView = (typeof RUN_STATUSES)[number];

const LIVE: readonly RunStatusView[] = ['starting', 'running', 'paused'];

/** A run whose trainer is still at work: it can be stopped, and another run of the same experiment waits. */
export const isLive = (status: RunStatusView): boolean => LIVE.includes(status);
