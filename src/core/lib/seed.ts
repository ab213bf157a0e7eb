// Weight initialisers draw from tfjs' seeded generators, so a seed set before
// a model is built makes its initial weights reproducible.
let counter = 1;

export function setInitSeed(seed: number): void {
  counter = (seed >>> 0) * 1000 + 1;
}

export function nextSeed(): number {
  return counter++;
}
