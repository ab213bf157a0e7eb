// What the trainer stores after each evaluation of the test set: the
// confusion matrix (confusion.jsonl) and every example's top-k
// (predictions.bin), both from the evaluation's own pass over the data.
import { appendConfusion, ConfusionRecord } from '../runs/confusionRecords';
import { appendPredictions, MAX_PREDICTION_CLASSES, TopK } from '../runs/predictionsFile';
import { confusionMatrix } from './matrix';

/** The top-1 class of every example. */
export function topOne(top: TopK): Int32Array {
  const n = top.classes.length / top.k;
  return Int32Array.from({ length: n }, (_, i) => top.classes[i * top.k]);
}

export function recordConfusion(
  runDir: string,
  at: { epoch: number; iteration: number },
  labels: ArrayLike<number>,
  numClasses: number,
  top: TopK,
): ConfusionRecord {
  const record: ConfusionRecord = {
    epoch: at.epoch,
    iteration: at.iteration,
    matrix: confusionMatrix(labels, topOne(top), numClasses),
  };
  if (numClasses <= MAX_PREDICTION_CLASSES) record.predictions = appendPredictions(runDir, labels, numClasses, top);
  appendConfusion(runDir, record);
  return record;
}
