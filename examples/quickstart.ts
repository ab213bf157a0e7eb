// Quickstart: a small ResNet on the embedded synthetic data (no download).
// Train it with the ▶ Train lens above the experiment, or `npm run demo`.
import { experiment, resnetCifar, synthetic } from 'resnet-lab';

export const quickstart = experiment({
  // ResNet-8: one basic block per stage; y = relu(x + F(x)) in each.
  model: resnetCifar({ depth: 8, widths: [8, 16, 32] }),
  data: synthetic({ trainSize: 4000, testSize: 1000 }),
  epochs: 5,
  batchSize: 64,
  optimizer: { lr: 0.05 },
});
