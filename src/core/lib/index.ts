// The `resnet-lab` module that workspace model files import.
export * from './types';
export * from './blocks';
export * from './shortcuts';
export { add, batchNorm, classifier, conv, heNormal, relu, withTfjsHeNormal } from './layers';
export * from './cifar';
export * from './imagenet';
export * from './experiment';
export { sweep } from './sweep';
export type { AxisValue, Sweep, SweepAxes, SweepPoint } from './sweep';
export * from './data';
export { setInitSeed } from './seed';
export * from './identity';
