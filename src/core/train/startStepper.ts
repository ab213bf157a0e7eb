// Which stepper trains: the one place that decides (see ./stepper.ts).
//   native backend: the step as one TensorFlow graph, unless turned off, the
//                   model has a layer graph mode cannot translate, or the addon
//                   is not there (then eagerly, with one log line why); any
//                   other failure to compile the step fails the run: a bug must
//                   not hide as eager training;
//   wasm backend:   data-parallel worker threads, one per core by default;
//   otherwise:      eagerly on this thread.
import { GraphAddonUnavailable } from './graph/addon';
import { GraphStepper } from './graph/graphStepper';
import { Untranslatable } from './graph/translate';
import { startDataParallel } from './parallel/start';
import { EagerStepper, StartStepperOptions, Stepper, StepperOptions } from './stepper';

export type { GraphChoice, StartStepperOptions } from './stepper';

/**
 * Why graph mode steps aside for eager training, as one line; undefined when
 * `e` is not a reason to (then it is an error in graph mode itself).
 */
export function eagerFallbackReason(e: unknown): string | undefined {
  if (e instanceof Untranslatable || e instanceof GraphAddonUnavailable) return e.message.split('\n')[0];
  return undefined;
}

export async function startStepper(
  o: StartStepperOptions,
  compileGraph: (o: StepperOptions) => Stepper = (options) => GraphStepper.create(options),
): Promise<Stepper> {
  const backend = o.tf.getBackend();
  if (backend === 'tensorflow' && o.graph !== 'off') {
    try {
      const started = Date.now();
      const stepper = compileGraph(o);
      o.emit({
        type: 'log',
        level: 'info',
        message: `graph mode: the training step is one TensorFlow graph (compiled in ${Date.now() - started} ms)`,
      });
      return stepper;
    } catch (e) {
      const reason = eagerFallbackReason(e);
      if (reason === undefined) {
        const message = e instanceof Error ? e.message : String(e);
        throw new Error(`graph mode could not compile the training step (--graph off trains eagerly): ${message}`, {
          cause: e,
        });
      }
      o.emit({ type: 'log', level: 'warn', message: `graph mode unavailable, training eagerly: ${reason}` });
    }
  }
  return (await startDataParallel(o)) ?? new EagerStepper(o);
}
