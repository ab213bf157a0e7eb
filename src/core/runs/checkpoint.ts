// Checkpoints in the tfjs layers format (model.json + weights.bin, loadable by
// tf.loadLayersModel in a browser) plus the training state needed to resume:
// iteration, epoch, optimizer velocities, schedule state.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { writeFileAtomic } from './runFolder';

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
  return path.join(runDir, 'checkpoints', kind);
}

function toBuffer(data: ArrayBuffer | ArrayBuffer[]): Uint8Array {
  if (!Array.isArray(data)) return new Uint8Array(data);
  return Buffer.concat(data.map((d) => new Uint8Array(d)));
}

export async function saveCheckpoint(tf: TF, runDir: string, kind: CheckpointKind, model: tfjs.LayersModel, state: TrainState, optimizer?: Float32Array): Promise<string> {
  const dir = checkpointDir(runDir, kind);
  const tmp = `${dir}.tmp`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const modelJson = {
      modelTopology: artifacts.modelTopology,
      format: 'layers-model',
      generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
      convertedBy: 'resnet-lab',
      weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
    };
    fs.writeFileSync(path.join(tmp, 'model.json'), JSON.stringify(modelJson));
    fs.writeFileSync(path.join(tmp, 'weights.bin'), toBuffer(artifacts.weightData!));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  if (optimizer) fs.writeFileSync(path.join(tmp, 'optimizer.bin'), new Uint8Array(optimizer.buffer, optimizer.byteOffset, optimizer.byteLength));
  fs.writeFileSync(path.join(tmp, 'state.json'), JSON.stringify(state));
  // Swap folders so that a crash leaves either the old or the new checkpoint whole.
  const old = `${dir}.old`;
  fs.rmSync(old, { recursive: true, force: true });
  if (fs.existsSync(dir)) fs.renameSync(dir, old);
  fs.renameSync(tmp, dir);
  fs.rmSync(old, { recursive: true, force: true });
  return dir;
}

export function hasCheckpoint(runDir: string, kind: CheckpointKind = 'latest'): boolean {
  return resolveCheckpoint(runDir, kind) !== undefined;
}

function resolveCheckpoint(runDir: string, kind: CheckpointKind): string | undefined {
  const dir = checkpointDir(runDir, kind);
  for (const candidate of [dir, `${dir}.old`]) if (fs.existsSync(path.join(candidate, 'state.json'))) return candidate;
  return undefined;
}

export async function loadCheckpoint(tf: TF, runDir: string, kind: CheckpointKind = 'latest'):
  Promise<{ model: tfjs.LayersModel; state: TrainState; optimizer?: Float32Array }> {
  const dir = resolveCheckpoint(runDir, kind);
  if (!dir) throw new Error(`${runDir} has no ${kind} checkpoint to resume from (it stopped before the first one was written)`);
  const modelJson = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  const weights = fs.readFileSync(path.join(dir, 'weights.bin'));
  const model = await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: modelJson.modelTopology,
    weightSpecs: modelJson.weightsManifest[0].weights,
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
  }));
  const state = JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8')) as TrainState;
  const optFile = path.join(dir, 'optimizer.bin');
  let optimizer: Float32Array | undefined;
  if (fs.existsSync(optFile)) {
    const b = fs.readFileSync(optFile);
    optimizer = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  }
  return { model, state, optimizer };
}
