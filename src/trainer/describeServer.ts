// Entry point of the warm describe process (dist/describe-server.js), forked
// once by the extension host and kept: it loads tfjs (cpu backend: building a
// graph needs no fast one) and the model compiler a single time, then builds
// one model per request, from the editor's unsaved text, and answers with its
// graph and summary in milliseconds instead of a trainer process's start-up.
// It never trains. A model function that never returns blocks this process:
// the parent times every request and replaces the process (describeService.ts).
import * as tfjs from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as lib from '../core/lib';
import { selectBackend } from '../core/backend/select';
import { compileSource, UserCodeError } from '../core/compile/compileUserFile';
import { esbuildWasm } from '../core/compile/esbuildWasm';
import { evaluateModule } from '../core/compile/evaluate';
import { withMemoryGuard } from '../core/compile/memoryGuard';
import { findExperiments } from '../core/experiments/findExperiments';
import { extractGraph, summarize } from '../core/graph/extract';
import { isExperiment, resolveRecipe } from '../core/lib/experiment';
import type { DataInfo } from '../core/lib/types';
import { buildModelAwaited } from '../core/train/userModel';
import { DescribeReply, DescribeRequest, parseDescribeRequest } from '../protocol/describe';
import { inUserCode, startLifeline } from './lifeline';

const tf = tfjs;

function send(reply: DescribeReply): void {
  if (process.connected && process.send) process.send(reply);
}

/** The data's shape is all a diagram needs: the data set is never loaded. */
function dataInfo(name: string): DataInfo {
  return name === 'mnist' || name === 'fashion-mnist'
    ? { inputShape: [28, 28, 1], numClasses: 10 }
    : { inputShape: [32, 32, 3], numClasses: 10 };
}

/** A failure that has no line of its own points at the experiment's `export const`. */
function failure(req: DescribeRequest, source: string, e: unknown): DescribeReply {
  if (e instanceof UserCodeError) {
    let diagnostics = e.diagnostics;
    if (diagnostics.length === 0) {
      const line = (findExperiments(source).find((x) => x.name === req.experiment)?.line ?? 0) + 1;
      diagnostics = [{ file: req.file, line, column: 1, message: e.message }];
    }
    return { type: 'failed', id: req.id, kind: e.kind, message: e.message, diagnostics };
  }
  const err = e instanceof Error ? e : new Error(String(e));
  return { type: 'failed', id: req.id, kind: 'crash', message: err.stack ?? err.message, diagnostics: [] };
}

async function describe(req: DescribeRequest): Promise<DescribeReply> {
  const started = performance.now();
  let source = req.source;
  let model: tfjs.LayersModel | undefined;
  try {
    source ??= fs.readFileSync(req.file, 'utf8');
    const text = source;
    const compiled = await compileSource(req.file, text);
    const exports = await inUserCode(() => evaluateModule(compiled, { 'resnet-lab': lib, '@tensorflow/tfjs': tf }));
    const experiment = exports[req.experiment];
    if (!isExperiment(experiment)) {
      const line = (findExperiments(text).find((x) => x.name === req.experiment)?.line ?? 0) + 1;
      const message =
        experiment === undefined
          ? `no export named "${req.experiment}"`
          : `"${req.experiment}" is not an experiment: export it as experiment({ model, ... })`;
      throw new UserCodeError(`${req.file}:${line}:1 ${message}`, 'build', [
        { file: req.file, line, column: 1, message },
      ]);
    }
    const info = dataInfo(req.data ?? resolveRecipe(experiment.config).data.name);
    const built = await inUserCode(() =>
      buildModelAwaited(tf, { compiled, experiment }, info, (b) => withMemoryGuard(tf, b)),
    );
    model = built;
    const graph = extractGraph(built);
    return {
      type: 'described',
      id: req.id,
      summary: summarize(built, graph),
      graph,
      ms: Math.round(performance.now() - started),
    };
  } catch (e) {
    return failure(req, source ?? '', e);
  } finally {
    model?.dispose();
  }
}

// One request at a time, in order: the host sends the next only after an answer.
let queue: Promise<void> = Promise.resolve();

process.on('message', (raw) => {
  let req: DescribeRequest;
  try {
    req = parseDescribeRequest(raw);
  } catch (e) {
    const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : -1;
    send({
      type: 'failed',
      id,
      kind: 'crash',
      message: `invalid describe request: ${(e as Error).message.split('\n')[0]}`,
      diagnostics: [],
    });
    return;
  }
  queue = queue.then(async () => send(await describe(req)));
});

startLifeline(() => process.exit(0));

void (async () => {
  const backend = await selectBackend(tf, 'cpu');
  await esbuildWasm(); // ~0.3 s once, not on the first request
  send({ type: 'ready', backend: backend.name });
})().catch((e) => {
  console.error((e as Error).stack ?? e);
  process.exit(1);
});
