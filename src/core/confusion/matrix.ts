// The confusion matrix of one evaluation and what is read off it. Rows are the
// true class, columns the predicted one: cell [i][j] counts the test examples
// of class i the model called j, so a row sums to the class's test examples.

/** Counts of (true class, predicted class) over a split. */
export function confusionMatrix(
  labels: ArrayLike<number>,
  predicted: ArrayLike<number>,
  numClasses: number,
): number[][] {
  if (labels.length !== predicted.length)
    throw new Error(`confusionMatrix: ${labels.length} labels but ${predicted.length} predictions`);
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let n = 0; n < labels.length; n++) {
    const i = labels[n],
      j = predicted[n];
    if (!(i >= 0 && i < numClasses && j >= 0 && j < numClasses))
      throw new Error(`confusionMatrix: example ${n} has class ${i} predicted as ${j}, outside 0..${numClasses - 1}`);
    m[i][j]++;
  }
  return m;
}

export const rowTotals = (m: readonly number[][]): number[] => m.map((row) => row.reduce((s, v) => s + v, 0));

export const matrixTotal = (m: readonly number[][]): number => rowTotals(m).reduce((s, v) => s + v, 0);

/** Each row divided by its total: the share of class i's examples predicted as j (a row with no examples stays zeros). */
export function rowRates(m: readonly number[][]): number[][] {
  const totals = rowTotals(m);
  return m.map((row, i) => row.map((v) => (totals[i] ? v / totals[i] : 0)));
}

/** The test error of each true class: 1 - diagonal / row total; null for a class with no test examples. */
export function perClassError(m: readonly number[][]): (number | null)[] {
  const totals = rowTotals(m);
  return m.map((row, i) => (totals[i] ? 1 - row[i] / totals[i] : null));
}

/** The error over all classes, from the matrix alone. */
export function overallError(m: readonly number[][]): number | null {
  const total = matrixTotal(m);
  return total ? 1 - m.reduce((s, row, i) => s + row[i], 0) / total : null;
}
