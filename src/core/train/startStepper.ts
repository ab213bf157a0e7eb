// Which stepper trains: the one place that decides (see ./stepper.ts).
//   native backend: the step as one TensorFlow graph, unless turned off or the
//                   model cannot be compiled (then eagerly, with one log line why);
//   wasm backend:   data-parallel worker threads, one per core by default;
//   otherwise:      eagerly on this thread.
import type { TrainerEvent } from '../../protocol/trainer';
import { GraphStepper } from './graph/graphStepper';
import { startDataParallel } from './parallel/start';
import { EagerStepper, Stepper, StepperOptions } from './stepper';

export type GraphChoice = 'auto' | 'off';

export interface StartStepperOptions extends StepperOptions {
  emit: (e: TrainerEvent) => void;
  batchSize: number;
  /** Graph mode on the native backend: 'auto' (default) compiles the step when the model allows it. */
  graph?: GraphChoice;
  /** Data-parallel worker threads on the wasm backend; 1: none; absent: one per core. */
  workers?: number;
  /** The model file, for workers to evaluate when the model has custom layers. */
  source?: { file: string; experiment: string };
}

export async function startStepper(o: StartStepperOptions): Promise<Stepper> {
  const backend = o.tf.getBackend();
  if (backend === 'tensorflow' && o.graph !== 'off') {
    try {
      const started = Date.now();
      const stepper = GraphStepper.create(o);
      o.emit({ type: 'log', level: 'info', message: `graph mode: the training step is one TensorFlow graph (compiled in ${Date.now() - started} ms)` });
      return stepper;
    } catch (e) {
      o.emit({ type: 'log', level: 'warn', message: `graph mode unavailable, training eagerly: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}` });
    }
  }
  return (await startDataParallel(o)) ?? new EagerStepper(o);
}
