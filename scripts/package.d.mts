// Types of package.mjs's export, for the tests that import it (test/unit/package.test.ts, test/e2e/vsix.e2e.ts).
/** Builds and packs; returns the .vsix path and what vsce printed. */
export function packageVsix(options?: { outFile?: string; quiet?: boolean }): { vsix: string; output: string };
