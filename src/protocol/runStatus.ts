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

/**
 * What Resume does for a run in this state: `continue` a paused trainer, or
 * start one `from-checkpoint` for a run that stopped or was interrupted with
 * its folder (a run of this window, not one another process writes); nothing
 * otherwise. The panel's button and the host agree through this.
 */
export function resumeAction(status: RunStatusView, followed = false): 'continue' | 'from-checkpoint' | undefined {
  if (followed) return undefined;
  if (status === 'paused') return 'continue';
  if (status === 'stopped' || status === 'interrupted') return 'from-checkpoint';
  return undefined;
}
