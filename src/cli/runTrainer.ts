// Runs one trainer command in a child process and resolves with its final
// event: the CLI's counterpart of the extension's run manager.
import * as path from 'node:path';
import { TrainerClient } from '../trainer/client';
import type { TrainerCommand, TrainerEvent } from '../protocol/trainer';

export const trainerScript = () => path.join(__dirname, 'trainer.js');

export interface RunResult {
  last?: TrainerEvent;
  exitCode: number | null;
  stderr: string;
}

/** Seconds the user's code may take to build a model (`--build-timeout`). */
let buildTimeoutSeconds: number | undefined;
export const setBuildTimeout = (seconds: number | undefined) => { buildTimeoutSeconds = seconds; };

export function runTrainer(command: TrainerCommand, onEvent: (e: TrainerEvent) => void, onStart?: (client: TrainerClient) => void): Promise<RunResult> {
  return new Promise((resolve) => {
    let last: TrainerEvent | undefined;
    const client = new TrainerClient(trainerScript(), {
      onEvent: (e) => {
        if (e.type === 'finished' || e.type === 'failed' || e.type === 'described') last = e;
        onEvent(e);
      },
      onOutput: (line) => {
        // tfjs' advice to install tfjs-node is noise here: setup-native covers it.
        if (process.env.RESNET_LAB_DEBUG) process.stderr.write(line + '\n');
      },
      onExit: (exit) => {
        process.off('exit', killTrainer);
        resolve({ last, exitCode: exit.code, stderr: exit.stderr });
      },
    }, { buildTimeoutSeconds });
    // However this CLI ends (an error, process.exit), it does not leave its trainer behind.
    const killTrainer = () => client.kill();
    process.on('exit', killTrainer);
    onStart?.(client);
    client.send(command);
  });
}
