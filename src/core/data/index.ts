export * from './dataset';
export * from './load';
export * from './batches';
export * from './random';
export { SYNTHETIC_CLASSES } from './synthetic';
