// Every file name in a run folder, in one place. A run folder is the contract
// between the trainer (writes it), the extension and the CLI (read it), and
// the Keras engine's train.py (writes the same layout in Python): a name
// changed here is changed for all of them.
//
//   <run>/run.json              what ran, on what, how it ended (runInfoSchema.ts)
//   <run>/metrics.jsonl         one iteration or epoch record a line (metricRecords.ts)
//   <run>/gradients.jsonl       per-layer gradient norms every N iterations
//   <run>/distributions.jsonl   kernel and block-output quantiles every N iterations (distributions.ts)
//   <run>/confusion.jsonl       the test set's confusion matrix at every epoch (confusionRecords.ts)
//   <run>/predictions.bin       every test example's top-3 classes at every epoch (predictionsFile.ts)
//   <run>/lesion.json           the stored lesion study (analyses.ts)
//   <run>/responses.json        the stored layer responses (analyses.ts)
//   <run>/trainer.lock          the pid of the trainer writing the folder (runLock.ts)
//   <run>/checkpoints/<kind>/   model.json + weights.bin (tfjs layers format), optimizer.bin, state.json
//   <run>/report.html, *.csv    exports written beside the run unless told otherwise
import * as fs from 'node:fs';
import * as path from 'node:path';

export const RUN_JSON = 'run.json';
export const METRICS = 'metrics.jsonl';
export const GRADIENTS = 'gradients.jsonl';
export const DISTRIBUTIONS = 'distributions.jsonl';
export const CONFUSION = 'confusion.jsonl';
export const PREDICTIONS_BIN = 'predictions.bin';
export const LESION_JSON = 'lesion.json';
export const RESPONSES_JSON = 'responses.json';
export const PATHS_JSON = 'paths.json';
export const LOCK = 'trainer.lock';
export const CHECKPOINTS = 'checkpoints';

/** The files of one checkpoint folder. */
export const CHECKPOINT_FILES = {
  /** The tfjs layers-format topology and weights manifest: tf.loadLayersModel opens it. */
  model: 'model.json',
  weights: 'weights.bin',
  optimizer: 'optimizer.bin',
  state: 'state.json',
} as const;

/** The default HTML report of a run. */
export const REPORT_HTML = 'report.html';

/** A CSV export of a run's records is named after them: metrics.csv, gradients.csv, distributions.csv, lesion.csv, responses.csv (csv.ts writes their columns), confusion.csv and class-errors.csv (confusion/tables.ts). */
export type CsvRecords =
  'metrics' | 'gradients' | 'distributions' | 'lesion' | 'responses' | 'confusion' | 'class-errors';
export const csvFile = (records: CsvRecords): string => `${records}.csv`;

/** True when `dir` holds a run.json: a run folder, though maybe a damaged one. */
export const hasRunJson = (dir: string): boolean => fs.existsSync(path.join(dir, RUN_JSON));

/** A checkpoint folder: `checkpoints/latest`, `checkpoints/best`, or a copy a crash mid-swap left (`latest.old`). */
export const checkpointPath = (runDir: string, name: string): string => path.join(runDir, CHECKPOINTS, name);
