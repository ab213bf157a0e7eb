// Runs one trainer command in a child process and resolves with its final
// event once the process has exited: the CLI's counterpart of the extension's
// run manager.
import * as path from 'node:path';
import { FailedEvent, TrainerClient, TrainerExitError } from '../launch/trainerClient';
import type { TrainerCommand, LifecycleEvent } from '../protocol/trainer';

export const trainerScript = () => path.join(__dirname, 'trainer.js');

export interface RunResult<E extends LifecycleEvent = LifecycleEvent> {
  /** The command's answer (or its `failed` event); undefined when the trainer ended without one. */
  last?: E | FailedEvent;
  exitCode: number | null;
  stderr: string;
}

/** Seconds the user's code may take to build a model (`--build-timeout`). */
let buildTimeoutSeconds: number | undefined;
export const setBuildTimeout = (seconds: number | undefined) => {
  buildTimeoutSeconds = seconds;
};

type EndOfRun = Extract<LifecycleEvent, { type: 'finished' | 'described' }>;
const endsRun = (e: LifecycleEvent): e is EndOfRun => e.type === 'finished' || e.type === 'described';

/** `isFinal`: the event that answers the command; by default the end of a train, resume or describe. */
export async function runTrainer<E extends LifecycleEvent = EndOfRun>(
  command: TrainerCommand,
  onEvent: (e: LifecycleEvent) => void,
  onStart?: (client: TrainerClient) => void,
  isFinal: (e: LifecycleEvent) => e is E = endsRun as (e: LifecycleEvent) => e is E,
): Promise<RunResult<E>> {
  const client = new TrainerClient(
    trainerScript(),
    {
      onEvent,
      onOutput: (line) => {
        // tfjs' advice to install tfjs-node is noise here: setup-native covers it.
        if (process.env.RESNET_LAB_DEBUG) process.stderr.write(line + '\n');
      },
      onExit: () => process.off('exit', killTrainer),
    },
    { buildTimeoutSeconds },
  );
  // However this CLI ends (an error, process.exit), it does not leave its trainer behind.
  const killTrainer = () => client.kill();
  process.on('exit', killTrainer);
  onStart?.(client);
  let last: E | FailedEvent | undefined;
  try {
    last = await client.runOnce(command, isFinal);
  } catch (e) {
    if (!(e instanceof TrainerExitError)) throw e;
  }
  const exit = await client.exited;
  return { last, exitCode: exit.code, stderr: exit.stderr };
}
