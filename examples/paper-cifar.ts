// The CIFAR-10 nets of He et al. 2015, Section 4.2, as experiments. Each
// uses the paper's recipe by default (SGD, momentum 0.9, weight decay 1e-4,
// lr 0.1 divided by 10 at 50% and 75% of training, batch 128, pad-crop-flip).
// Point them at CIFAR-10 with `--data cifar10 --data-dir DIR` or the
// resnetLab.dataFolder setting; they default to the embedded synthetic data.
//
//   net          params  paper's CIFAR-10 test error
//   plain-20     0.27M   (higher than ResNet-20)
//   plain-56     0.85M   (higher than plain-20: the degradation problem)
//   ResNet-20    0.27M   8.75%
//   ResNet-56    0.85M   6.97%
//   ResNet-110   1.7M    6.43%
import { experiment, plainCifar, preactResnetCifar, resnetCifar, synthetic } from 'resnet-lab';

const data = synthetic();

export const plain20 = experiment({ model: plainCifar({ depth: 20 }), data, epochs: 10 });

export const plain56 = experiment({ model: plainCifar({ depth: 56 }), data, epochs: 10 });

export const resnet20 = experiment({ model: resnetCifar({ depth: 20 }), data, epochs: 10 });

export const resnet56 = experiment({ model: resnetCifar({ depth: 56 }), data, epochs: 10 });

// ResNet-110 starts at lr 0.01 until training error is below 80% (about 400
// iterations in the paper), then uses 0.1.
export const resnet110 = experiment({
  model: resnetCifar({ depth: 110 }),
  data,
  epochs: 10,
  schedule: { warmup: { lr: 0.01, untilTrainError: 0.8, maxIterations: 400 } },
});

// Identity Mappings (He et al. 2016): BN and ReLU before each conv, nothing after the addition.
export const preactResnet20 = experiment({ model: preactResnetCifar({ depth: 20 }), data, epochs: 10 });
