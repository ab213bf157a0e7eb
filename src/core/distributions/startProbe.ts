// The probe of a training run: its plan from the model's graph, its batch the
// first PROBE_IMAGES test images (mean-subtracted as evaluation sees them, the
// same every time so that records compare over iterations).
import type * as tfjs from '@tensorflow/tfjs';
import { makeBatch } from '../data/batches';
import type { Dataset } from '../data/dataset';
import { extractGraph } from '../graph/extract';
import { DistributionProbe, PROBE_IMAGES } from './probe';
import { probePlan } from './probePlan';

export function startDistributionProbe(
  tf: typeof tfjs,
  model: tfjs.LayersModel,
  ds: Dataset,
  mean: Float32Array,
): DistributionProbe {
  const split = ds.test.count > 0 ? ds.test : ds.train;
  const indices = Array.from({ length: Math.min(PROBE_IMAGES, split.count) }, (_, i) => i);
  const batch = makeBatch(split, indices, ds.info, mean, false);
  return new DistributionProbe(tf, model, probePlan(model, extractGraph(model)), batch, ds.info.inputShape);
}
