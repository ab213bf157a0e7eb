/**
 * What the bench's native child processes (confusionCost.ts, pathsCost.ts)
 * start from: tfjs on the native backend and a seeded option-A ResNet of the
 * depth asked, on CIFAR-shaped input. Imported lazily, inside the child.
 */
export async function nativeResNet(depth: number) {
  const tf = await import('@tensorflow/tfjs');
  const { loadTfjsNode } = await import('../src/core/native/loadNative');
  const { resnetCifar, setInitSeed } = await import('../src/core/lib');
  loadTfjsNode(tf);
  if (!(await tf.setBackend('tensorflow'))) throw new Error('the tensorflow backend did not initialise');
  const info = { inputShape: [32, 32, 3] as [number, number, number], numClasses: 10 };
  setInitSeed(1);
  return { tf, info, model: resnetCifar({ depth, shortcut: 'A' })(info) };
}
