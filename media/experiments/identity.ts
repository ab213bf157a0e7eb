// Learning the identity (He et al. 2015, Section 3.1). "If identity mappings
// are optimal, the solvers may simply drive the weights of the multiple
// nonlinear layers toward zero to approach identity mappings." Here that is
// watched directly: k plain blocks and k residual blocks of the same width,
// started from the same weights, are trained to give back their input (mean
// squared error on the synthetic images). A plain block must learn W -> I;
// a residual block only F -> 0, i.e. W -> 0.
//
// Run it with "ResNet Lab: Run Identity Experiment" or `resnet-lab identity
// [this file]`. Change anything below: the number of blocks, the width, the
// budget, the blocks themselves (keep each block's layers named `${name}/...`
// so that its conv kernels can be measured against I and 0).
import * as tf from '@tensorflow/tfjs';
import { add, conv3x3, identityExperiment, relu } from 'resnet-lab';

// F(x) = W * relu(x): one 3x3 conv, no batch norm, so that "W = I" and
// "W = 0" are each the one way to be the identity (batch norm would divide
// out the scale of W). The ReLU sits at the start of F, as in He et al. 2016,
// so nothing follows the addition. conv3x3 draws W from He et al.'s normal
// at half its scale: without batch norm, k residual branches at full scale
// start the stack far from the identity (try conv3x3(x, name, 1)).
const F = (x: tf.SymbolicTensor, name: string) => conv3x3(relu(x, `${name}/relu`), `${name}/conv`);

export const identity = identityExperiment({
  blocks: 4,
  width: 12, // the input is 12 channels: 4 synthetic images' RGB, so every channel carries an image
  iterations: 500,
  batchSize: 16,
  lr: 0.01, // SGD with momentum 0.9, the same for both stacks
  seed: 1, // the same data and the same initial W for both stacks

  // y = F(x): to pass x through, W has to become the identity kernel I.
  plain: (x, name) => F(x, name),

  // y = x + F(x): to pass x through, W only has to become 0.
  residual: (x, name) => add([x, F(x, name)], `${name}/add`),
});
