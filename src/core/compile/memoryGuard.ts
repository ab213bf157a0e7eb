// A model too large for memory (a dense layer of 1e9 units) used to surface
// as tfjs' "Invalid typed array length" wrapped in a failure to "combine"
// layers, with no line. While a user's model is built, every weight a layer
// adds is sized first: one that cannot fit, or whose allocation fails, becomes
// "out of memory building layer X (N parameters, ~M GB)", thrown from inside
// the user's call so that its stack (kept deep enough) points at their line.
import type * as tfjs from '@tensorflow/tfjs';
import * as os from 'node:os';

type TF = typeof tfjs;
type AddWeight = (this: tfjs.layers.Layer, name: string, shape: number[], ...rest: unknown[]) => unknown;

const BYTES_PER_PARAM = 4; // float32

export class OutOfMemoryError extends Error {
  /** Tells the layer-naming wrapper of userModel.ts not to reword this message. */
  readonly named = true;
  constructor(
    readonly layer: string,
    readonly params: number,
  ) {
    super(
      `out of memory building layer "${layer}" (${params.toLocaleString('en-US')} parameters, ~${formatGb(params * BYTES_PER_PARAM)} GB; this machine has ${formatGb(os.totalmem())} GB)`,
    );
    this.name = 'OutOfMemoryError';
  }
}

function formatGb(bytes: number): string {
  const gb = bytes / 1e9;
  return gb >= 10 ? Math.round(gb).toLocaleString('en-US') : gb.toFixed(1);
}

const ALLOCATION_FAILED =
  /Invalid typed array length|Array buffer allocation failed|allocation failed|out of memory|Cannot enlarge memory|Invalid array length/i;

/** Runs `build` with weights sized before they are allocated; restores tfjs afterwards. */
export function withMemoryGuard<T>(tf: TF, build: () => T, limitBytes = os.totalmem()): T {
  const proto = tf.layers.Layer.prototype as unknown as { addWeight: AddWeight };
  const original = proto.addWeight;
  const stackLimit = Error.stackTraceLimit;
  // The user's frame sits below tfjs' layer, initializer and backend frames: keep enough of the stack to reach it.
  Error.stackTraceLimit = Math.max(stackLimit, 200);
  proto.addWeight = function (this: tfjs.layers.Layer, name: string, shape: number[], ...rest: unknown[]) {
    const params = shape.reduce((a, b) => a * b, 1);
    const already = this.weights.reduce((sum, w) => sum + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
    if (params * BYTES_PER_PARAM > limitBytes) throw new OutOfMemoryError(this.name, already + params);
    try {
      return original.call(this, name, shape, ...rest);
    } catch (e) {
      if (e instanceof RangeError || (e instanceof Error && ALLOCATION_FAILED.test(e.message)))
        throw new OutOfMemoryError(this.name, already + params);
      throw e;
    }
  };
  try {
    return build();
  } finally {
    proto.addWeight = original;
    Error.stackTraceLimit = stackLimit;
  }
}
