// The degradation experiment of He et al. 2015 (Fig. 1 and Fig. 6): plain
// nets get worse as they get deeper, residual nets of the same depth don't.
// One sweep: every net trained with one shared budget, data and seed (the
// command "ResNet Lab: Run Degradation Experiment", `resnet-lab degradation`,
// or `resnet-lab sweep degradation.ts degradation --only depth=20,56`).
import { experiment, plainCifar, resnetCifar, sweep } from 'resnet-lab';

export const degradation = sweep({ net: ['plain', 'resnet'], depth: [20, 32, 44, 56, 110] }, (p) =>
  experiment({
    model: (p.net === 'plain' ? plainCifar : resnetCifar)({ depth: p.depth }),
    // ResNet-110 starts at lr 0.01 until training error is below 80% (Sec. 4.2).
    schedule:
      p.net === 'resnet' && p.depth === 110
        ? { warmup: { lr: 0.01, untilTrainError: 0.8, maxIterations: 400 } }
        : undefined,
  }),
);
