// How the CLI reports a failure: one clear line on stderr, never a stack
// trace; the details (a stack, the trainer's last output) go to a log file
// whose path that line names.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const logDir = () => process.env.RESNET_LAB_LOG_DIR ?? path.join(os.homedir(), '.cache', 'resnet-lab', 'logs');

const STACK_FRAME = /^\s+at\s/;

/** The part of an error message a user reads: everything before the first stack frame, without an "Error:" prefix. */
export function headline(message: string): string {
  const lines = message.split('\n');
  const end = lines.findIndex((l) => STACK_FRAME.test(l));
  const head = (end < 0 ? lines : lines.slice(0, end))
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
  return head.replace(/^(Range|Type|Reference|Syntax)?Error:\s*/, '') || 'unknown error';
}

/** Writes details to a fresh log file; undefined when even that fails (a full disk). */
export function writeLog(details: string): string | undefined {
  try {
    const dir = logDir();
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `cli-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.log`);
    fs.writeFileSync(file, details.endsWith('\n') ? details : details + '\n');
    return file;
  } catch {
    return undefined;
  }
}

/** Prints the one line (and where the details are, if any) and sets a failing exit code. */
export function reportError(message: string, details?: string, extraLines: string[] = []): void {
  const line = headline(message);
  const full = details ?? message;
  const hasMore = full.trim() !== line && full.trim().split('\n').length > 1;
  const log = hasMore ? writeLog(full) : undefined;
  console.error(`error: ${line}${log ? ` (details: ${log})` : ''}`);
  for (const extra of extraLines) console.error(extra);
  process.exitCode = 1;
}

/** reportError, then exit. */
export function exitWithError(message: string, details?: string, extraLines: string[] = []): never {
  reportError(message, details, extraLines);
  process.exit(1);
}

/** A trainer command that did not end as hoped: its own failure message, or its last output when it died. */
export function trainerFailed(last: unknown, stderr: string): never {
  const e = last as { type?: string; message?: string; runDir?: string } | undefined;
  if (e?.type === 'failed') {
    // The trainer's own output is only worth keeping when it crashed (the message is then a stack).
    const crashed = (e as { kind?: string }).kind === 'crash';
    exitWithError(
      e.message ?? 'failed',
      crashed && stderr.trim() ? `${e.message}\n\ntrainer output:\n${stderr}` : e.message,
      e.runDir ? [`run folder: ${e.runDir}`] : [],
    );
  }
  exitWithError(
    'the trainer process ended unexpectedly',
    `the trainer process ended unexpectedly; its last output:\n${stderr}`,
  );
}
