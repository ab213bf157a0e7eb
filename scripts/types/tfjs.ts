// Entry point of dist/types/tfjs.d.ts (scripts/types.mjs): the part of
// @tensorflow/tfjs that model files use (tensors, ops, layers, models), as
// one declaration file that ships in the extension instead of node_modules.
export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-layers';
