import { mulberry32 } from '../../../src/core/data/random';

/** Deterministic uniform(-1, 1) values from the project's seeded generator, identical on every backend. */
export function randomValues(seed: number, size: number): Float32Array {
  const rng = mulberry32(seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng() * 2 - 1;
  return out;
}

export const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
