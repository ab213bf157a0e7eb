// The graph-mode addon (native/graph/), built by setup-native
// beside tfjs-node's binding and loaded from there. Typed here once; nothing
// else in the trainer touches `require` for it.
import * as fs from 'node:fs';
import { graphAddonPath } from '../../native/detectNative';

/** TensorFlow's TF_DataType numbers for the types a training step uses. */
export const DT = { float: 1, int32: 3, bool: 10, resource: 20 } as const;

/** An op's output: [op name, output index]. */
export type Out = [string, number];
/** One input of an op: an output, or a list of outputs (AddN, Pack, ConcatV2). */
export type In = Out | Out[];
export type AttrKind = 'int' | 'float' | 'bool' | 'type' | 'shape' | 'ints' | 'string' | 'tensor';
export interface TensorValue {
  dtype: number;
  shape: number[];
  data: Float32Array | Int32Array;
}
export type Attr = [name: string, kind: AttrKind, value: number | boolean | string | number[] | null | TensorValue];
export type Feed = [op: string, index: number, dtype: number, shape: number[], data: Float32Array | Int32Array];
export interface Fetched {
  dtype: number;
  shape: number[];
  data: Float32Array | Int32Array | Uint8Array;
}

declare const graphBrand: unique symbol;
declare const sessionBrand: unique symbol;
export type GraphHandle = { readonly [graphBrand]: true };
export type SessionHandle = { readonly [sessionBrand]: true };

/**
 * native/graph/addon.cc. Every method throws an `AddonError`; `run` throws
 * synchronously for bad arguments (a closed session too) and rejects for what
 * TensorFlow reports during the run. `closeSession` lets a run in flight
 * finish first, and closing twice is harmless.
 */
export interface GraphAddon {
  tfVersion(): string;
  newGraph(): GraphHandle;
  addOp(graph: GraphHandle, type: string, name: string, inputs: In[], attrs: Attr[], controlInputs?: string[]): void;
  addGradients(graph: GraphHandle, prefix: string, ys: Out[], xs: Out[]): Out[];
  graphDef(graph: GraphHandle): Buffer;
  newSession(graph: GraphHandle, configProto?: Uint8Array): SessionHandle;
  closeSession(session: SessionHandle): void;
  run(session: SessionHandle, feeds: Feed[], fetches: Out[], targets: string[]): Promise<Fetched[]>;
  runSync(session: SessionHandle, feeds: Feed[], fetches: Out[], targets: string[]): Fetched[];
}

/**
 * What the addon throws: an Error, or a TypeError for a value of the wrong
 * kind (a graph where a session belongs), whose `code` is TensorFlow's name
 * for the error (native/graph/errors.h).
 */
export type AddonError = Error & { code: TfCode };
export type TfCode =
  | 'CANCELLED'
  | 'UNKNOWN'
  | 'INVALID_ARGUMENT'
  | 'DEADLINE_EXCEEDED'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'PERMISSION_DENIED'
  | 'UNAUTHENTICATED'
  | 'RESOURCE_EXHAUSTED'
  | 'FAILED_PRECONDITION'
  | 'ABORTED'
  | 'OUT_OF_RANGE'
  | 'UNIMPLEMENTED'
  | 'INTERNAL'
  | 'UNAVAILABLE'
  | 'DATA_LOSS';

/** The addon is not built, or does not load: graph mode is not available here (training is eager). */
export class GraphAddonUnavailable extends Error {}

let cached: GraphAddon | undefined;

/**
 * The addon, or a GraphAddonUnavailable saying why not (not built, built
 * against another TensorFlow). Load it only after tfjs-node, so both share one libtensorflow.
 */
export function loadGraphAddon(): GraphAddon {
  if (cached) return cached;
  const file = graphAddonPath();
  if (!file || !fs.existsSync(file)) {
    throw new GraphAddonUnavailable(
      'the graph-mode addon is not built (run "npm run cli -- setup-native" again to build it)',
    );
  }
  try {
    cached = require(file) as GraphAddon;
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    throw new GraphAddonUnavailable(`the graph-mode addon ${file} does not load: ${why}`);
  }
  return cached;
}
