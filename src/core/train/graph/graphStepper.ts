// Graph mode for the native backend: the whole training step -- forward pass,
// loss, gradients (TensorFlow's own, TF_AddGradientsWithPrefix), SGD with
// momentum and weight decay, batch norm's moving statistics, the error count
// and, when asked, per-layer gradient norms -- is one TensorFlow graph, built
// once and run with one call per iteration that feeds the batch and the
// learning rate. Weights and momentum buffers live in TensorFlow between
// steps; the tfjs model is brought up to date only on `syncModel`.
//
// The same recipe as the eager step (../steps.ts, ../optimizer.ts, ../head.ts),
// op for op: tests compare the two.
import type { Batch } from '../../data/batches';
import { isDecayed } from '../parallel/math';
import type { Stepper, StepperOptions } from '../stepper';
import { EvalResult, StepResult, TopKCollector, topKOf } from '../steps';
import { DT, Feed, GraphAddon, loadGraphAddon, Out, SessionHandle } from './addon';
import { GraphBuilder, Variable } from './builder';
import { sessionConfig } from './config';
import { lossAndErrors } from './loss';
import { ModelWeight, modelVariables, translate, weightFeeds } from './translate';

interface Compiled {
  b: GraphBuilder;
  x: Out;
  y: Out;
  lr: Out;
  loss: Out;
  errors: Out;
  gradSquares: Out;
  norms: Out;
  train: string;
  evalX: Out;
  evalY: Out;
  evalLoss: Out;
  evalErrors: Out;
  /** Top-k probabilities (output 0) and classes (output 1) of each evaluated example. */
  evalTopK: string;
  weights: ModelWeight[];
  velocities: Variable[];
  layerNames: string[];
}

export class GraphStepper implements Stepper {
  readonly mode = 'graph';
  private readonly session: SessionHandle;

  private constructor(
    private readonly o: StepperOptions,
    private readonly addon: GraphAddon,
    private readonly g: Compiled,
  ) {
    this.session = addon.newSession(g.b.graph, sessionConfig());
    // Start from the model's weights (initialised or from a checkpoint) and zero momentum.
    const feeds: Feed[] = [
      ...weightFeeds(g.weights),
      ...g.velocities.map((v) => feed(v.init, new Float32Array(size(v.shape)), v.shape)),
    ];
    addon.runSync(
      this.session,
      feeds,
      [],
      [...g.weights.map((w) => w.graph.initOp), ...g.velocities.map((v) => v.initOp)],
    );
  }

  /** Builds the graphs; throws (an `Untranslatable` naming the layer, or TensorFlow's message) if the model cannot be compiled. */
  static create(o: StepperOptions): GraphStepper {
    const addon = loadGraphAddon();
    return new GraphStepper(o, addon, compile(addon, o));
  }

  async step(batch: Batch, lr: number, withNorms: boolean): Promise<StepResult> {
    const g = this.g;
    const [h, w, c] = this.o.info.inputShape;
    const fetches = withNorms ? [g.loss, g.errors, g.gradSquares, g.norms] : [g.loss, g.errors, g.gradSquares];
    const out = await this.addon.run(
      this.session,
      [
        [g.x[0], 0, DT.float, [batch.size, h, w, c], batch.x],
        [g.y[0], 0, DT.int32, [batch.size], batch.labels],
        [g.lr[0], 0, DT.float, [], Float32Array.of(lr)],
      ],
      fetches,
      [g.train],
    );
    const result: StepResult = { loss: out[0].data[0], errors: out[1].data[0] };
    // A non-finite gradient with a finite loss still ruins the weights: report it as divergence too.
    if (!Number.isFinite(out[2].data[0])) result.loss = NaN;
    if (withNorms) result.gradNorms = g.layerNames.map((name, i) => ({ name, norm: out[3].data[i] }));
    return result;
  }

  async evaluate(batches: Iterable<Batch>, withTop = false): Promise<EvalResult> {
    const g = this.g;
    const [h, w, c] = this.o.info.inputShape;
    const top = withTop ? new TopKCollector(topKOf(this.o.info)) : undefined;
    const fetches: Out[] = top
      ? [g.evalLoss, g.evalErrors, [g.evalTopK, 1], [g.evalTopK, 0]]
      : [g.evalLoss, g.evalErrors];
    let lossSum = 0,
      wrongSum = 0,
      count = 0;
    for (const batch of batches) {
      const [loss, wrong, classes, probs] = await this.addon.run(
        this.session,
        [
          [g.evalX[0], 0, DT.float, [batch.size, h, w, c], batch.x],
          [g.evalY[0], 0, DT.int32, [batch.size], batch.labels],
        ],
        fetches,
        [],
      );
      lossSum += loss.data[0] * batch.size;
      wrongSum += wrong.data[0];
      count += batch.size;
      top?.add(Int32Array.from(classes.data), Float32Array.from(probs.data));
    }
    return {
      loss: lossSum / Math.max(1, count),
      error: wrongSum / Math.max(1, count),
      ...(top ? { top: top.result() } : {}),
    };
  }

  async optimizerState(): Promise<Float32Array> {
    const parts = this.addon.runSync(
      this.session,
      [],
      this.g.velocities.map((v) => v.read),
      [],
    );
    const out = new Float32Array(parts.reduce((s, p) => s + p.data.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p.data, at);
      at += p.data.length;
    }
    return out;
  }

  async restoreOptimizer(flat: Float32Array): Promise<void> {
    let at = 0;
    const feeds = this.g.velocities.map((v) => {
      const n = size(v.shape);
      if (at + n > flat.length) throw new Error('optimizer state in the checkpoint does not match the model');
      const f = feed(v.init, flat.slice(at, at + n), v.shape);
      at += n;
      return f;
    });
    this.addon.runSync(
      this.session,
      feeds,
      [],
      this.g.velocities.map((v) => v.initOp),
    );
  }

  async syncModel(): Promise<void> {
    const tf = this.o.tf;
    const values = this.addon.runSync(
      this.session,
      [],
      this.g.weights.map((w) => w.graph.read),
      [],
    );
    tf.tidy(() =>
      this.g.weights.forEach(({ model }, i) => model.write(tf.tensor(values[i].data, model.shape as number[]))),
    );
  }

  async dispose(): Promise<void> {
    this.addon.closeSession(this.session);
  }
}

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function feed(placeholder: Out, data: Float32Array, shape: number[]): Feed {
  return [placeholder[0], placeholder[1], DT.float, shape, data];
}

function compile(addon: GraphAddon, o: StepperOptions): Compiled {
  const { model, info } = o;
  const b = new GraphBuilder(addon);
  const [h, w, c] = info.inputShape;
  const { vars, weights } = modelVariables(b, model);

  // Training: forward, loss, errors.
  const x = b.placeholder('x', DT.float, [-1, h, w, c]);
  const y = b.placeholder('labels', DT.int32, [-1]);
  const lr = b.placeholder('lr', DT.float, []);
  const train = translate(b, model, x, true, vars);
  const { loss, errors } = lossAndErrors(b, 'train', train.logits ?? train.output, !!train.logits, y, info.numClasses);

  // Gradients of the mean loss with respect to every trainable weight.
  const trainable = model.trainableWeights;
  const reads = trainable.map((v) => vars.get(v)!.read);
  const grads = addon.addGradients(b.graph, 'gradients', [loss], reads);

  // Per-layer L2 norms of the raw gradients (as ../steps.ts), and their sum of squares for the divergence check.
  const squares = grads.map((g, i) =>
    b.f(
      'Sum',
      `norms/${i}`,
      [b.f('Square', `norms/sq${i}`, [flat(b, g, `norms/flat${i}`)]), b.intConst(`norms/ax${i}`, [0], [])],
      [['Tidx', 'type', DT.int32]],
    ),
  );
  const layerNames = [...new Set(o.layerOf)];
  const perLayer = layerNames.map((name, l) => {
    const mine = squares.filter((_, i) => o.layerOf[i] === name);
    return b.f('Sqrt', `norms/layer${l}`, [
      mine.length === 1
        ? mine[0]
        : b.op(
            'AddN',
            `norms/sum${l}`,
            [mine],
            [
              ['T', 'type', DT.float],
              ['N', 'int', mine.length],
            ],
          ),
    ]);
  });
  const norms = b.op(
    'Pack',
    'norms/all',
    [perLayer],
    [
      ['T', 'type', DT.float],
      ['N', 'int', perLayer.length],
      ['axis', 'int', 0],
    ],
  );
  const gradSquares =
    squares.length === 1
      ? squares[0]
      : b.op(
          'AddN',
          'norms/total',
          [squares],
          [
            ['T', 'type', DT.float],
            ['N', 'int', squares.length],
          ],
        );

  // SGD with momentum, PyTorch semantics: v = m v + (g + wd w) (decay on kernels only); w -= lr v.
  const momentum = b.floatConst('sgd/momentum', [o.optimizer.momentum]);
  const decay = b.floatConst('sgd/weight_decay', [o.optimizer.weightDecay]);
  const velocities = trainable.map((v) => b.variable(`velocity/${v.name}`, v.shape as number[]));
  const applies = trainable.map((v, i) => {
    const decayed = o.optimizer.weightDecay > 0 && isDecayed(v.originalName ?? v.name);
    const g = decayed
      ? b.f('AddV2', `sgd/decayed${i}`, [grads[i], b.f('Mul', `sgd/decay${i}`, [reads[i], decay])])
      : grads[i];
    return b.f(
      'ResourceApplyMomentum',
      `sgd/apply${i}`,
      [vars.get(v)!.handle, velocities[i].handle, lr, g, momentum],
      [
        ['use_locking', 'bool', false],
        ['use_nesterov', 'bool', false],
      ],
    )[0];
  });
  const trainOp = b.group('train_step', [...applies, ...train.updates]);

  // Inference: batch norm with its moving statistics, no updates.
  const evalX = b.placeholder('eval/x', DT.float, [-1, h, w, c]);
  const evalY = b.placeholder('eval/labels', DT.int32, [-1]);
  const inference = translate(b, model, evalX, false, vars);
  const evalOut = lossAndErrors(
    b,
    'eval',
    inference.logits ?? inference.output,
    !!inference.logits,
    evalY,
    info.numClasses,
  );

  // Top-k of the probabilities, for the confusion matrix and the misclassified images (../steps.ts does the same).
  const probabilities = inference.logits ? b.f('Softmax', 'eval/softmax', [inference.logits]) : inference.output;
  const [evalTopK] = b.op(
    'TopKV2',
    'eval/top_k',
    [probabilities, b.intConst('eval/k', [topKOf(info)], [])],
    [
      ['T', 'type', DT.float],
      ['sorted', 'bool', true],
    ],
  );

  return {
    b,
    x,
    y,
    lr,
    loss,
    errors,
    gradSquares,
    norms,
    train: trainOp,
    evalX,
    evalY,
    evalLoss: evalOut.loss,
    evalErrors: evalOut.errors,
    evalTopK,
    weights,
    velocities,
    layerNames,
  };
}

function flat(b: GraphBuilder, t: Out, hint: string): Out {
  return b.f('Reshape', hint, [t, b.intConst(`${hint}/shape`, [-1])], [['Tshape', 'type', DT.int32]]);
}
