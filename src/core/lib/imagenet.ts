// ImageNet-style ResNets of He et al. 2015, Table 1: a 7x7 stride-2 stem and
// max pool, four stages of 64/128/256/512 filters, projection shortcuts
// (option B) where the shape changes.
import * as tf from '@tensorflow/tfjs';
import { basicBlock, bottleneckBlock } from './blocks';
import { batchNorm, classifier, conv, relu } from './layers';
import { ShortcutOption } from './shortcuts';
import { DataInfo, ModelFactory } from './types';

export interface ImageNetOptions {
  shortcut?: ShortcutOption;
  /** Overrides the dataset's input size, e.g. [224, 224, 3]. */
  inputShape?: [number, number, number];
}

function imagenetNet(name: string, stages: number[], bottleneck: boolean, o: ImageNetOptions): ModelFactory {
  return (info: DataInfo) => {
    const input = tf.input({ shape: o.inputShape ?? info.inputShape, name: 'input' });
    let x = conv(input, { filters: 64, kernelSize: 7, strides: 2, name: 'conv1' });
    x = batchNorm(x, 'bn1');
    x = relu(x, 'relu1');
    x = tf.layers
      .maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'maxpool' })
      .apply(x) as tf.SymbolicTensor;
    stages.forEach((count, stage) => {
      const filters = 64 * 2 ** stage;
      for (let b = 0; b < count; b++) {
        const opts = {
          filters,
          stride: stage > 0 && b === 0 ? 2 : 1,
          shortcut: o.shortcut ?? 'B',
          name: `stage${stage + 1}/block${b + 1}`,
        };
        x = bottleneck ? bottleneckBlock(x, opts) : basicBlock(x, opts);
      }
    });
    return tf.model({ inputs: input, outputs: classifier(x, info.numClasses), name });
  };
}

export const resnet18 = (o: ImageNetOptions = {}) => imagenetNet('resnet18', [2, 2, 2, 2], false, o);
export const resnet34 = (o: ImageNetOptions = {}) => imagenetNet('resnet34', [3, 4, 6, 3], false, o);
export const resnet50 = (o: ImageNetOptions = {}) => imagenetNet('resnet50', [3, 4, 6, 3], true, o);
