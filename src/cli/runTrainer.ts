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
      onExit: (exit) => resolve({ last, exitCode: exit.code, stderr: exit.stderr }),
    });
    onStart?.(client);
    client.send(command);
  });
}
