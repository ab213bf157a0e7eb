// The session's ConfigProto (tensorflow/core/protobuf/config.proto), written
// by hand: a few varint fields do not justify a protobuf library.
import * as os from 'node:os';

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

const field = (num: number, value: number) => [...varint(num << 3), ...varint(value)];

/**
 * One intra-op thread per core (convolutions are split across them); the
 * inter-op pool is as wide, so independent branches (a shortcut beside its
 * block) run side by side.
 */
export function sessionConfig(cores = os.availableParallelism?.() ?? os.cpus().length): Uint8Array {
  return Uint8Array.from([
    ...field(2, cores), // intra_op_parallelism_threads
    ...field(5, cores), // inter_op_parallelism_threads
  ]);
}
