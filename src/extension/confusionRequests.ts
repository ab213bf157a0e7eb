// The host's answers to the Confusion tab: a run's confusion records, and the
// test images of one cell with the model's top-3 for each. Everything comes
// from the run folder (confusion.jsonl, predictions.bin, run.json) and the
// data set's own test files; the webview names a run only by its id.
import { cellExamples } from '../core/confusion/cells';
import { matchingTestImages, TestImages } from '../core/confusion/testImages';
import { readConfusion } from '../core/runs/confusionRecords';
import { openPredictions } from '../core/runs/predictionsFile';
import { readRunInfo } from '../core/runs/runFolder';
import { CELL_PAGE, CellImages, ConfusionHostMessage, ConfusionImagesRequest } from '../protocol/confusion';

/** Test sets kept in memory: the shown runs' (a compare of two data sets at most, usually one). */
const KEEP = 2;

export class ConfusionRequests {
  private readonly testSets = new Map<string, TestImages>();

  data(id: string, dir: string | undefined): ConfusionHostMessage {
    const empty: ConfusionHostMessage = { method: 'confusion/data', params: { id, classNames: [], records: [] } };
    if (!dir) return empty;
    try {
      const classNames = readRunInfo(dir).dataset?.classNames ?? [];
      const records = readConfusion(dir).map(({ epoch, iteration, matrix }) => ({ epoch, iteration, matrix }));
      return { method: 'confusion/data', params: { id, classNames, records } };
    } catch {
      return empty; // a run.json being replaced: the next epoch asks again
    }
  }

  images(p: ConfusionImagesRequest, dir: string | undefined): ConfusionHostMessage {
    const reply: CellImages = { ...p, total: 0, shape: [0, 0, 0], images: [] };
    const fail = (error: string): ConfusionHostMessage => ({ method: 'confusion/images', params: { ...reply, error } });
    if (!dir) return fail('this run has no folder yet');
    try {
      const record = readConfusion(dir).find((r) => r.epoch === p.epoch);
      const reader = openPredictions(dir);
      if (!record || !reader) return fail('this run stored no predictions for that epoch');
      const examples = cellExamples(reader, record, p.actual, p.predicted);
      if (!examples) return fail('the predictions of that epoch are missing from predictions.bin');
      const test = this.testImages(dir, reader.labels);
      const [h, w, c] = test.shape;
      const size = h * w * c;
      reply.total = examples.length;
      reply.shape = test.shape;
      reply.images = examples.slice(p.offset, p.offset + CELL_PAGE).map((e) => ({
        index: e.index,
        top: e.top,
        pixels: Buffer.from(test.split.images.subarray(e.index * size, (e.index + 1) * size)).toString('base64'),
      }));
      return { method: 'confusion/images', params: reply };
    } catch (e) {
      return fail((e as Error).message.split('\n')[0]);
    }
  }

  private testImages(dir: string, labels: Uint8Array): TestImages {
    let test = this.testSets.get(dir);
    if (!test) {
      test = matchingTestImages(readRunInfo(dir).recipe.data, labels);
      this.testSets.set(dir, test);
      for (const key of this.testSets.keys()) if (this.testSets.size > KEEP) this.testSets.delete(key);
    }
    return test;
  }
}
