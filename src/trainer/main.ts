// Entry point of the trainer process, forked by the extension host or the
// CLI. It owns tfjs (one instance per process) and talks only through the
// protocol in src/protocol/trainer.ts, validating every command it receives.
import { Control } from '../core/train/control';
import { parseCommand, TrainerEvent } from '../protocol/trainer';
import { analyze } from './analyze';
import { describe, resume, train } from './session';

const control = new Control();
let busy = false;

function emit(event: TrainerEvent): void {
  if (process.connected) process.send?.(event);
}

async function exitWhenDone(work: Promise<void>): Promise<void> {
  await work;
  // Let the last message flush before the channel closes.
  process.disconnect?.();
}

process.on('message', (raw) => {
  let command;
  try {
    command = parseCommand(raw);
  } catch (e) {
    emit({ type: 'log', level: 'warn', message: `ignored an invalid command: ${(e as Error).message}` });
    return;
  }
  switch (command.type) {
    case 'stop': control.stop(); return;
    case 'pause': control.pause(); return;
    case 'resume-training': control.resume(); return;
  }
  if (busy) {
    emit({ type: 'log', level: 'warn', message: `busy: ignored "${command.type}"` });
    return;
  }
  busy = true;
  if (command.type === 'train') void exitWhenDone(train(command.job, control, emit));
  else if (command.type === 'resume') void exitWhenDone(resume(command.runDir, command.backend, command.cacheDir, control, emit, command.graph));
  else if (command.type === 'describe') void exitWhenDone(describe(command.file, command.experiment, command.data, emit));
  else if (command.type === 'analyze') void exitWhenDone(analyze(command, emit, () => control.stopRequested));
});

// A parent that goes away (window closed, CLI killed) must not leave us training forever.
process.on('disconnect', () => {
  control.stop();
  setTimeout(() => process.exit(0), 30_000).unref();
});
process.on('SIGINT', () => control.stop());
process.on('SIGTERM', () => control.stop());
