import type * as tf from '@tensorflow/tfjs';

/** What a model needs to know about its data, taken from the dataset. */
export interface DataInfo {
  inputShape: [number, number, number];
  numClasses: number;
}

/** Builds a fresh model for a dataset; ready nets such as `resnetCifar({ depth: 20 })` are factories. */
export type ModelFactory = (info: DataInfo) => tf.LayersModel;
