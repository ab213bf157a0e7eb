// Which stepper trains: the one place that decides (see ./stepper.ts).
//   native backend: the step as one TensorFlow graph, unless turned off or the
//                   model cannot be compiled (then eagerly, with one log line why);
//   wasm backend:   data-parallel worker threads, one per core by default;
//   otherwise:      eagerly on this thread.
import { GraphStepper } from './graph/graphStepper';
import { startDataParallel } from './parallel/start';
import { EagerStepper, StartStepperOptions, Stepper } from './stepper';

export type { GraphChoice, StartStepperOptions } from './stepper';

export async function startStepper(o: StartStepperOptions): Promise<Stepper> {
  const backend = o.tf.getBackend();
  if (backend === 'tensorflow' && o.graph !== 'off') {
    try {
      const started = Date.now();
      const stepper = GraphStepper.create(o);
      o.emit({
        type: 'log',
        level: 'info',
        message: `graph mode: the training step is one TensorFlow graph (compiled in ${Date.now() - started} ms)`,
      });
      return stepper;
    } catch (e) {
      o.emit({
        type: 'log',
        level: 'warn',
        message: `graph mode unavailable, training eagerly: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`,
      });
    }
  }
  return (await startDataParallel(o)) ?? new EagerStepper(o);
}
