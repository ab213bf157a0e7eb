// Checkpoints in the tfjs layers format (model.json + weights.bin, loadable by
// tf.loadLayersModel in a browser) plus the training state needed to resume:
// iteration, epoch, optimizer velocities, schedule state.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { CHECKPOINT_FILES, checkpointPath } from './runFiles';
import { RunFolderError } from './runErrors';

const { model: MODEL_JSON, weights: WEIGHTS_BIN, optimizer: OPTIMIZER_BIN, state: STATE_JSON } = CHECKPOINT_FILES;

type TF = typeof tfjs;

export interface TrainState {
  iteration: number;
  /** Epoch being trained (0-based) and batches of it already done. */
  epoch: number;
  batchInEpoch: number;
  bestTestError: number | null;
  warmupDone: boolean;
  /** Running sums of the epoch under way, so a mid-epoch resume reports the whole epoch. */
  epochSums?: { loss: number; errors: number; seen: number };
}

export type CheckpointKind = 'latest' | 'best';

export function checkpointDir(runDir: string, kind: CheckpointKind): string {
  return checkpointPath(runDir, kind);
}

function toBuffer(data: ArrayBuffer | ArrayBuffer[]): Uint8Array {
  if (!Array.isArray(data)) return new Uint8Array(data);
  return Buffer.concat(data.map((d) => new Uint8Array(d)));
}

export async function saveCheckpoint(
  tf: TF,
  runDir: string,
  kind: CheckpointKind,
  model: tfjs.LayersModel,
  state: TrainState,
  optimizer?: Float32Array,
): Promise<string> {
  const dir = checkpointDir(runDir, kind);
  const tmp = `${dir}.tmp`;
  try {
    await writeCheckpointFiles(tf, tmp, model, state, optimizer);
  } catch (e) {
    // A full disk mid-write: the previous checkpoint stays whole and no half-written folder is left.
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  // Swap folders so that a crash leaves either the old or the new checkpoint whole.
  const old = `${dir}.old`;
  fs.rmSync(old, { recursive: true, force: true });
  if (fs.existsSync(dir)) fs.renameSync(dir, old);
  fs.renameSync(tmp, dir);
  fs.rmSync(old, { recursive: true, force: true });
  return dir;
}

async function writeCheckpointFiles(
  tf: TF,
  tmp: string,
  model: tfjs.LayersModel,
  state: TrainState,
  optimizer?: Float32Array,
): Promise<void> {
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: 'resnet-lab',
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs }],
      };
      fs.writeFileSync(path.join(tmp, MODEL_JSON), JSON.stringify(modelJson));
      fs.writeFileSync(path.join(tmp, WEIGHTS_BIN), toBuffer(artifacts.weightData!));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (optimizer)
    fs.writeFileSync(
      path.join(tmp, OPTIMIZER_BIN),
      new Uint8Array(optimizer.buffer, optimizer.byteOffset, optimizer.byteLength),
    );
  fs.writeFileSync(path.join(tmp, STATE_JSON), JSON.stringify(state));
}

export function hasCheckpoint(runDir: string, kind: CheckpointKind = 'latest'): boolean {
  return resolveCheckpoint(runDir, kind) !== undefined;
}

function resolveCheckpoint(runDir: string, kind: CheckpointKind): string | undefined {
  const dir = checkpointDir(runDir, kind);
  for (const candidate of [dir, `${dir}.old`]) if (fs.existsSync(path.join(candidate, STATE_JSON))) return candidate;
  return undefined;
}

export async function loadCheckpoint(
  tf: TF,
  runDir: string,
  kind: CheckpointKind = 'latest',
): Promise<{ model: tfjs.LayersModel; state: TrainState; optimizer?: Float32Array }> {
  const dir = resolveCheckpoint(runDir, kind);
  if (!dir)
    throw new RunFolderError(
      `${runDir} has no ${kind} checkpoint to resume from (it stopped before the first one was written): train it again`,
    );
  return loadCheckpointFolder(tf, dir);
}

/** Reads one checkpoint folder; anything missing or damaged is a RunFolderError naming the file. */
export async function loadCheckpointFolder(
  tf: TF,
  dir: string,
): Promise<{ model: tfjs.LayersModel; state: TrainState; optimizer?: Float32Array }> {
  const read = (name: string) => {
    const file = path.join(dir, name);
    try {
      const data = fs.readFileSync(file);
      if (data.length === 0) throw new RunFolderError(`${file} is empty`);
      return data;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new RunFolderError(`${file} is missing`);
      throw e;
    }
  };
  const json = <T>(name: string): T => {
    try {
      return JSON.parse(read(name).toString('utf8')) as T;
    } catch (e) {
      if (e instanceof RunFolderError) throw e;
      throw new RunFolderError(`${path.join(dir, name)} is damaged (${(e as Error).message})`);
    }
  };
  const modelJson = json<{ modelTopology: object; weightsManifest: { weights: tfjs.io.WeightsManifestEntry[] }[] }>(
    MODEL_JSON,
  );
  const state = json<TrainState>(STATE_JSON);
  const weights = read(WEIGHTS_BIN);
  const specs = modelJson.weightsManifest?.[0]?.weights ?? [];
  const expected = specs.reduce((sum, w) => sum + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
  if (weights.length !== expected)
    throw new RunFolderError(
      `${path.join(dir, WEIGHTS_BIN)} is damaged: ${weights.length} bytes where ${MODEL_JSON} needs ${expected}`,
    );
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: specs,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  );
  const optFile = path.join(dir, OPTIMIZER_BIN);
  let optimizer: Float32Array | undefined;
  if (fs.existsSync(optFile)) {
    const b = fs.readFileSync(optFile);
    optimizer = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  }
  return { model, state, optimizer };
}

export interface ResumePoint {
  model: tfjs.LayersModel;
  state: TrainState;
  optimizer?: Float32Array;
  /** The checkpoint folder used. */
  dir: string;
  /** Damaged checkpoints passed over, newest first, each with why. */
  skipped: string[];
}

/**
 * The newest checkpoint that loads: latest, then the copy a crash mid-swap
 * can leave (latest.old), then best (older; without optimizer state, so
 * momentum restarts from zero). Throws, naming every problem, when none loads.
 */
export async function loadResumePoint(tf: TF, runDir: string): Promise<ResumePoint> {
  const skipped: string[] = [];
  for (const name of ['latest', 'latest.old', 'best', 'best.old']) {
    const dir = checkpointPath(runDir, name);
    if (!fs.existsSync(dir)) continue;
    try {
      return { ...(await loadCheckpointFolder(tf, dir)), dir, skipped };
    } catch (e) {
      if (!(e instanceof RunFolderError)) throw e;
      skipped.push(e.message);
    }
  }
  if (skipped.length === 0)
    throw new RunFolderError(
      `${runDir} has no checkpoint to resume from (it stopped before the first one was written): train it again`,
    );
  throw new RunFolderError(`no usable checkpoint in ${runDir}: ${skipped.join('; ')}; train it again`);
}

/**
 * The trained model to hand out (the panel's "Export model"): the best
 * checkpoint when there is one, else the latest; undefined before the first.
 */
export function trainedModelDir(runDir: string): string | undefined {
  return (['best', 'latest'] as const)
    .map((kind) => checkpointDir(runDir, kind))
    .find((d) => fs.existsSync(path.join(d, MODEL_JSON)));
}

/** Copies a checkpoint's model (model.json + weights.bin, what tf.loadLayersModel reads) into `outDir`; returns the model.json written. */
export function copyTrainedModel(checkpoint: string, outDir: string): string {
  for (const f of [MODEL_JSON, WEIGHTS_BIN]) fs.copyFileSync(path.join(checkpoint, f), path.join(outDir, f));
  return path.join(outDir, MODEL_JSON);
}
