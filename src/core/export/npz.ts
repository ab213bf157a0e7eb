// A .npz writer (numpy.load reads it): .npy files in a ZIP (fflate's), so
// the exported project gets our generated data set bit for bit and no Python
// re-implementation of the generator is needed.
import { zipSync, Zippable } from 'fflate';

export interface NpyArray {
  data: Uint8Array | Float32Array;
  shape: number[];
}

/** One .npy file (format 1.0): magic, header dict padded to 64 bytes, raw little-endian data. */
function npy(a: NpyArray): Buffer {
  const descr = a.data instanceof Uint8Array ? '|u1' : '<f4';
  const shape = a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  return Buffer.concat([
    pre,
    Buffer.from(header, 'latin1'),
    Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength),
  ]);
}

/** The .npz bytes for `arrays` (name -> array): a ZIP of .npy files, stored without compression as numpy.savez writes it. */
export function npz(arrays: Record<string, NpyArray>): Buffer {
  const files = Object.fromEntries(
    Object.entries(arrays).map(([name, a]) => [`${name}.npy`, [new Uint8Array(npy(a)), { level: 0 }] as const]),
  );
  return Buffer.from(zipSync(files as Zippable));
}
