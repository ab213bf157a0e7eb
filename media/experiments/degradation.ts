// The degradation experiment of He et al. 2015 (Fig. 1 and Fig. 6): plain
// nets get worse as they get deeper, residual nets of the same depth don't.
// ResNet Lab trains these with one shared budget, data and seed (the command
// "ResNet Lab: Run Degradation Experiment", or `resnet-lab degradation`).
import { experiment, plainCifar, resnetCifar } from 'resnet-lab';

export const plain20 = experiment({ model: plainCifar({ depth: 20 }) });
export const plain32 = experiment({ model: plainCifar({ depth: 32 }) });
export const plain44 = experiment({ model: plainCifar({ depth: 44 }) });
export const plain56 = experiment({ model: plainCifar({ depth: 56 }) });
export const plain110 = experiment({ model: plainCifar({ depth: 110 }) });
export const resnet20 = experiment({ model: resnetCifar({ depth: 20 }) });
export const resnet32 = experiment({ model: resnetCifar({ depth: 32 }) });
export const resnet44 = experiment({ model: resnetCifar({ depth: 44 }) });
export const resnet56 = experiment({ model: resnetCifar({ depth: 56 }) });
export const resnet110 = experiment({
  model: resnetCifar({ depth: 110 }),
  schedule: { warmup: { lr: 0.01, untilTrainError: 0.8, maxIterations: 400 } },
});
