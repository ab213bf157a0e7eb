// Picks the fastest backend that works here: the native TensorFlow binding
// (@tensorflow/tfjs-node, an optional dependency that often fails to install),
// else WASM with our convolution gradients, else the pure-JS CPU backend.
import type * as tfjs from '@tensorflow/tfjs';
import type { BackendChoice } from '../../protocol/trainer';
import { addressSpaceLimitText } from '../compile/compilerMemory';
import { loadTfjsNode } from '../native/loadNative';
import { initWasm } from './wasmConvGrads';

type TF = typeof tfjs;

export interface BackendResult {
  name: 'tensorflow' | 'wasm' | 'cpu';
  /** Why the faster ones were not used, for the log. */
  notes: string[];
}

async function tryNative(tf: TF): Promise<void> {
  // From setup-native's folder, registering with this very tf (see loadNative.ts).
  loadTfjsNode(tf);
  if (!(await tf.setBackend('tensorflow'))) throw new Error('the tensorflow backend did not initialise');
}

export async function selectBackend(tf: TF, choice: BackendChoice = 'auto'): Promise<BackendResult> {
  const notes: string[] = [];
  const order: BackendResult['name'][] = choice === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [choice];
  for (const name of order) {
    try {
      if (name === 'tensorflow') await tryNative(tf);
      else if (name === 'wasm') await initWasm(tf);
      else if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialise');
      await tf.ready();
      return { name, notes };
    } catch (e) {
      const limit = name === 'wasm' ? addressSpaceLimitText() : undefined;
      // WebAssembly reserves about 10 GB of address space per instance: under `ulimit -v` it cannot start.
      const why = firstLine(e) + (limit ? ` under ${limit}: WebAssembly reserves about 10 GB of address space` : '');
      if (choice !== 'auto') {
        const hint =
          name === 'tensorflow'
            ? ' Run "npm run cli -- setup-native" (or the command "ResNet Lab: Set Up Native Backend") to build it, or choose another backend.'
            : '';
        throw new Error(`backend "${name}" is not available: ${why}.${hint}`);
      }
      notes.push(`${name} unavailable: ${why}`);
    }
  }
  throw new Error(`no tfjs backend could start: ${notes.join('; ')}`);
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}
