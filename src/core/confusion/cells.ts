// The test examples of one confusion cell (true class i, predicted class j) at
// one epoch, with the model's top-3 for each: from the epoch's block in
// predictions.bin, so the list is exactly what the matrix counted.
import type { ConfusionRecord } from '../runs/confusionRecords';
import type { PredictionsReader } from '../runs/predictionsFile';

export interface CellExample {
  index: number;
  /** [class, probability], best first. */
  top: [number, number][];
}

/** Every example of cell (actual, predicted) in the record's evaluation, in test-set order; undefined when its block is not stored. */
export function cellExamples(
  reader: PredictionsReader,
  record: ConfusionRecord,
  actual: number,
  predicted: number,
): CellExample[] | undefined {
  if (record.predictions === undefined) return undefined;
  const block = reader.block(record.predictions);
  if (!block) return undefined;
  const { k, count } = reader.header;
  const out: CellExample[] = [];
  for (let n = 0; n < count; n++) {
    if (reader.labels[n] !== actual || block.classes[n * k] !== predicted) continue;
    const top: [number, number][] = [];
    for (let j = 0; j < k; j++) top.push([block.classes[n * k + j], block.probs[n * k + j]]);
    out.push({ index: n, top });
  }
  return out;
}
