// Every layer kind graph mode and the Keras export translate, by tfjs class
// name. A layer kind is one module of this folder and one line here.
import { activation, relu, softmax } from './activations';
import { batchNormalization } from './batchNormalization';
import { conv2d } from './conv2d';
import { dense } from './dense';
import { dropout } from './dropout';
import { registered, RegisteredKind } from './kind';
import { add, concatenate, multiply } from './merge';
import { zeroPadding2d } from './padding';
import { averagePooling2d, globalAveragePooling2d, globalMaxPooling2d, maxPooling2d } from './pooling';
import { flatten, reshape } from './reshape';
import { zeroPadShortcut } from './zeroPadShortcut';

const KINDS: RegisteredKind[] = [
  registered(conv2d),
  registered(dense),
  registered(batchNormalization),
  registered(activation),
  registered(relu),
  registered(softmax),
  registered(add),
  registered(multiply),
  registered(concatenate),
  registered(maxPooling2d),
  registered(averagePooling2d),
  registered(globalAveragePooling2d),
  registered(globalMaxPooling2d),
  registered(flatten),
  registered(reshape),
  registered(zeroPadding2d),
  registered(dropout),
  registered(zeroPadShortcut),
];

export const LAYER_KINDS: ReadonlyMap<string, RegisteredKind> = new Map(KINDS.map((k) => [k.className, k]));
