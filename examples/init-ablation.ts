// He initialisation as the paper has it (an untruncated normal, std
// sqrt(2 / fan_in)) against tfjs' heNormal, which truncates at 2 sigma and
// leaves the weights ~0.88x too narrow (the library's initialiser before it
// followed the paper). Same net, data, recipe and seed; only the kernels'
// first draw differs. The README's table comes from:
//
//   for s in 1 2 3; do for e in heInit tfjsInit heInitLonger tfjsInitLonger; do
//     npm run cli -- train examples/init-ablation.ts $e --seed $s --json | tail -1
//   done; done
import { experiment, resnetCifar, synthetic, withTfjsHeNormal } from 'resnet-lab';

// 93 iterations: ResNet-20, 2,000 synthetic images, 3 epochs of batch 64.
const short = { data: synthetic({ trainSize: 2000, testSize: 1000 }), epochs: 3, batchSize: 64 };
export const heInit = experiment({ model: resnetCifar({ depth: 20 }), ...short });
export const tfjsInit = experiment({ model: withTfjsHeNormal(resnetCifar({ depth: 20 })), ...short });

// 230 iterations: 3,000 images, 5 epochs of batch 64.
const longer = { data: synthetic({ trainSize: 3000, testSize: 1000 }), epochs: 5, batchSize: 64 };
export const heInitLonger = experiment({ model: resnetCifar({ depth: 20 }), ...longer });
export const tfjsInitLonger = experiment({ model: withTfjsHeNormal(resnetCifar({ depth: 20 })), ...longer });
