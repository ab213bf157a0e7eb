// The CIFAR-10 nets of He et al. 2015, Section 4.2: depth = 6n + 2.
//
//   depth  params (option A)  test error (paper)
//   20     0.27M              8.75%
//   32     0.46M              7.51%
//   44     0.66M              7.17%
//   56     0.85M              6.97%
//   110    1.7M               6.43%
import * as tf from '@tensorflow/tfjs';
import { basicBlock, plainBlock, preActBlock, BlockOptions } from './blocks';
import { batchNorm, classifier, conv, relu } from './layers';
import { ShortcutOption } from './shortcuts';
import { DataInfo, ModelFactory } from './types';

export interface CifarNetOptions {
  depth: number;
  shortcut?: ShortcutOption;
  /** Filters of the three stages; the paper's 16/32/64 by default. */
  widths?: [number, number, number];
  name?: string;
}

type Block = (x: tf.SymbolicTensor, o: BlockOptions) => tf.SymbolicTensor;

function blocksPerStage(depth: number): number {
  if (!Number.isInteger(depth) || depth < 8 || (depth - 2) % 6 !== 0) {
    throw new Error(`depth must be 6n+2 with n >= 1 (8, 14, 20, 32, 44, 56, 110, ...), got ${depth}`);
  }
  return (depth - 2) / 6;
}

function cifarNet(o: CifarNetOptions, block: Block, kind: string, preActivation: boolean): ModelFactory {
  const n = blocksPerStage(o.depth);
  const widths = o.widths ?? [16, 32, 64];
  const name = o.name ?? `${kind}${o.depth}`;
  return ({ inputShape, numClasses }: DataInfo) => {
    const input = tf.input({ shape: inputShape, name: 'input' });
    let x = conv(input, { filters: widths[0], kernelSize: 3, name: 'conv1' });
    if (!preActivation) {
      x = batchNorm(x, 'bn1');
      x = relu(x, 'relu1');
    }
    widths.forEach((filters, stage) => {
      for (let b = 0; b < n; b++) {
        const stride = stage > 0 && b === 0 ? 2 : 1;
        x = block(x, { filters, stride, shortcut: o.shortcut ?? 'A', name: `stage${stage + 1}/block${b + 1}` });
      }
    });
    if (preActivation) {
      x = batchNorm(x, 'bn_final');
      x = relu(x, 'relu_final');
    }
    return tf.model({ inputs: input, outputs: classifier(x, numClasses), name });
  };
}

/** ResNet-(6n+2) for 32x32 inputs, basic blocks with option-A shortcuts by default. */
export function resnetCifar(o: CifarNetOptions): ModelFactory {
  return cifarNet(o, basicBlock, 'resnet', false);
}

/** The plain counterpart: the same layers and parameters, no shortcuts. */
export function plainCifar(o: Omit<CifarNetOptions, 'shortcut'>): ModelFactory {
  return cifarNet(o, plainBlock, 'plain', false);
}

/** Pre-activation ResNet (He et al. 2016) of depth 6n+2. */
export function preactResnetCifar(o: CifarNetOptions): ModelFactory {
  return cifarNet(o, preActBlock, 'preact-resnet', true);
}
