// Takes one distribution record (records.ts) from the tfjs model as it is:
// the kernels' values, and the block outputs on a fixed probe batch (the first
// test images, in inference mode) through one extra forward pass of a model
// that shares the trained layers. Graph mode and data-parallel training keep
// their weights elsewhere: the loop calls `stepper.syncModel()` first.
import type * as tfjs from '@tensorflow/tfjs';
import type { Batch } from '../data/batches';
import type { DistributionRecord } from './records';
import { kernelOf, ProbePlan } from './probePlan';
import { quantiles, zeroShare } from './quantiles';

type TF = typeof tfjs;

/** Images in the probe batch: enough for stable quantiles, few enough that the pass costs little next to a training step. */
export const PROBE_IMAGES = 16;

export class DistributionProbe {
  private readonly outputs?: tfjs.LayersModel;
  private readonly kernels: { name: string; v: tfjs.LayerVariable }[];

  constructor(
    private readonly tf: TF,
    model: tfjs.LayersModel,
    private readonly plan: ProbePlan,
    private readonly batch: Batch,
    private readonly inputShape: number[],
  ) {
    this.kernels = plan.weights.map((name) => ({ name, v: kernelOf(model.getLayer(name))! }));
    if (plan.activations.length)
      this.outputs = tf.model({
        inputs: model.inputs,
        outputs: plan.activations.map((a) => model.getLayer(a.name).output as tfjs.SymbolicTensor),
      });
  }

  async sample(iteration: number): Promise<DistributionRecord> {
    const weights: DistributionRecord['weights'] = [];
    for (const k of this.kernels) weights.push({ name: k.name, q: quantiles(await k.v.read().data()) });
    const activations: DistributionRecord['activations'] = [];
    if (this.outputs) {
      const x = this.tf.tensor4d(this.batch.x, [this.batch.size, ...this.inputShape] as [
        number,
        number,
        number,
        number,
      ]);
      const out = this.outputs.predict(x);
      const tensors = Array.isArray(out) ? out : [out];
      try {
        for (const [i, a] of this.plan.activations.entries()) {
          const values = await tensors[i].data();
          activations.push({ name: a.name, q: quantiles(values), ...(a.relu ? { zeros: zeroShare(values) } : {}) });
        }
      } finally {
        this.tf.dispose([x, ...tensors]);
      }
    }
    return { iteration, weights, activations };
  }
}
