// "New ResNet Experiment": an example file, plus a tsconfig.json that points
// `resnet-lab` and `@tensorflow/tfjs` at the declaration files inside the
// extension, so IntelliSense works without the user installing anything.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Log } from './log';

export function newExperimentSource(): string {
  return `// A ResNet experiment. Click "▶ Train" above an experiment to train it.
import * as tf from '@tensorflow/tfjs';
import { DataInfo, experiment, plainCifar, resnetCifar, synthetic } from 'resnet-lab';

// The paper's ResNet-20 (He et al. 2015): 3 stages of 3 basic blocks, y = relu(x + F(x)).
export const resnet20 = experiment({
  model: resnetCifar({ depth: 20 }),
  data: synthetic(),
  epochs: 5,
});

// The same layers without shortcuts, to see the degradation problem.
export const plain20 = experiment({
  model: plainCifar({ depth: 20 }),
  data: synthetic(),
  epochs: 5,
});

// Or write the model yourself with tf.layers: the residual is one line.
function myNet({ inputShape, numClasses }: DataInfo): tf.LayersModel {
  const input = tf.input({ shape: inputShape });
  const x = tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(input) as tf.SymbolicTensor;
  const f = tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(x) as tf.SymbolicTensor;
  const y = tf.layers.add().apply([x, f]) as tf.SymbolicTensor; // y = x + F(x)
  const pooled = tf.layers.globalAveragePooling2d({}).apply(y) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: numClasses, activation: 'softmax' }).apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

export const handWritten = experiment({ model: myNet, data: synthetic({ trainSize: 2000 }), epochs: 3, batchSize: 64 });
`;
}

/** The declaration files the extension ships (scripts/types.mjs): it has no node_modules. */
export function typePaths(extensionDir: string): Record<string, string[]> {
  return {
    'resnet-lab': [path.join(extensionDir, 'dist', 'types', 'resnet-lab.d.ts')],
    '@tensorflow/tfjs': [path.join(extensionDir, 'dist', 'types', 'tfjs.d.ts')],
  };
}

/** Writes tsconfig.json unless one exists; true when it wrote one. */
export function writeTypeSupport(workspaceDir: string, extensionDir: string, log: Log): boolean {
  const tsconfig = path.join(workspaceDir, 'tsconfig.json');
  const paths = typePaths(extensionDir);
  if (fs.existsSync(tsconfig)) {
    log.info(`${tsconfig} exists; for IntelliSense add to compilerOptions: "baseUrl": ".", "paths": ${JSON.stringify(paths)}`);
    return false;
  }
  const config = {
    compilerOptions: {
      target: 'ES2022', module: 'commonjs', moduleResolution: 'node', strict: true, esModuleInterop: true, skipLibCheck: true, noEmit: true,
      // No ambient @types: model files need none, and the extension ships none.
      baseUrl: '.', paths, types: [],
    },
    include: ['**/*.ts'],
    exclude: ['node_modules', '.resnet-lab'],
  };
  fs.writeFileSync(tsconfig, JSON.stringify(config, null, 2) + '\n');
  return true;
}
