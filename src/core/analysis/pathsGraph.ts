// The path analysis's forward and backward pass (./paths.ts) as one
// TensorFlow graph on the native backend: built once per analysis, then run
// once per pass with the images, labels and gates fed. Eagerly, every pass
// rebuilds the tape of a few hundred ops from JavaScript; here TensorFlow
// keeps the graph and its own gradient (TF_AddGradientsWithPrefix) of it.
//
// The same gate as the eager pass: at block i with gate m (1: the branch),
// the addition's inputs become F' = sg(F) + m·(F − sg(F)) and
// S' = sg(S) + (1−m)·(S − sg(S)), sg being StopGradient. The gates are fed as
// one [blocks, rows] tensor, so one graph serves every configuration.
//
// The loss reads the logits under the model's softmax (as graph-mode
// training does), where the op-by-op pass takes log(max(p, 1e-37)) of the
// probabilities: the same gradient but for an image whose label's
// probability is below 1e-37, whose gradient is 0 op by op.
import type * as tfjs from '@tensorflow/tfjs';
import { DT, GraphAddon, Out, SessionHandle } from '../train/graph/addon';
import { GraphBuilder } from '../train/graph/builder';
import { sessionConfig } from '../train/graph/config';
import { lossAndErrors } from '../train/graph/loss';
import { modelVariables, translate, weightFeeds } from '../train/graph/translate';
import type { LesionBlock } from './lesion';

/** One pass over some configurations: |d loss / d input| for each row (configuration-major, then image). */
export interface PathPass {
  readonly mode: 'eager' | 'graph';
  run(configs: number[][]): Promise<Float32Array>;
  dispose(): void;
}

/** The images every configuration is measured on, NHWC, with their labels. */
export interface PathImages {
  x: Float32Array;
  labels: Int32Array;
  count: number;
  inputShape: [number, number, number];
  numClasses: number;
}

/** Throws an Untranslatable (naming the layer) or a GraphAddonUnavailable when graph mode cannot take the model. */
export function graphPathPass(
  addon: GraphAddon,
  model: tfjs.LayersModel,
  blocks: LesionBlock[],
  images: PathImages,
): PathPass {
  const [h, w, c] = images.inputShape;
  const b = new GraphBuilder(addon);
  const { vars, weights } = modelVariables(b, model);
  const x = b.placeholder('x', DT.float, [-1, h, w, c]);
  const labels = b.placeholder('labels', DT.int32, [-1]);
  const gates = b.placeholder('gates', DT.float, [blocks.length, -1]);

  const gated = (t: Out, gate: Out, rank: number, hint: string): Out => {
    const sg = b.f('StopGradient', `${hint}/sg`, [t]);
    const g = b.op(
      'Reshape',
      `${hint}/gate`,
      [gate, b.intConst(`${hint}/gate_shape`, [-1, ...Array<number>(rank - 1).fill(1)])],
      [
        ['T', 'type', DT.float],
        ['Tshape', 'type', DT.int32],
      ],
    );
    return b.f('AddV2', `${hint}/gated`, [sg, b.f('Mul', `${hint}/through`, [g, b.f('Sub', `${hint}/diff`, [t, sg])])]);
  };
  const rewrite = new Map(
    blocks.map((block, i) => {
      const hint = b.name(`paths/block${i}`);
      const branch = b.op(
        'GatherV2',
        `${hint}/branch`,
        [gates, b.intConst(`${hint}/index`, [i], []), b.intConst(`${hint}/axis`, [0], [])],
        [
          ['Tparams', 'type', DT.float],
          ['Tindices', 'type', DT.int32],
          ['Taxis', 'type', DT.int32],
        ],
      );
      const shortcut = b.f('Sub', `${hint}/shortcut`, [b.floatConst(`${hint}/one`, [1]), branch]);
      const rank = (model.getLayer(block.layer).outputShape as number[]).length;
      return [
        block.layer,
        (ins: Out[], from: string[]) =>
          ins.map((t, j) => gated(t, from[j] === block.substitution.from ? shortcut : branch, rank, `${hint}/in${j}`)),
      ] as const;
    }),
  );
  const net = translate(b, model, x, false, vars, rewrite);

  // The sum over rows of each row's cross-entropy: rows are independent in
  // inference mode, so each row's input gradient is that image's own.
  const { loss } = lossAndErrors(b, 'loss', net.logits ?? net.output, !!net.logits, labels, images.numClasses, 'Sum');
  const [dx] = addon.addGradients(b.graph, 'paths_gradients', [loss], [x]);
  const norms = b.f('Sqrt', 'norms', [
    b.f(
      'Sum',
      'norms/sum',
      [b.f('Square', 'norms/sq', [dx]), b.intConst('norms/axes', [1, 2, 3])],
      [['Tidx', 'type', DT.int32]],
    ),
  ]);

  const session: SessionHandle = addon.newSession(b.graph, sessionConfig());
  try {
    addon.runSync(
      session,
      weightFeeds(weights),
      [],
      weights.map((v) => v.graph.initOp),
    );
  } catch (e) {
    addon.closeSession(session);
    throw e;
  }

  const pixels = h * w * c;
  return {
    mode: 'graph',
    async run(configs) {
      const rows = configs.length * images.count;
      const xs = new Float32Array(rows * pixels);
      const ys = new Int32Array(rows);
      const g = new Float32Array(blocks.length * rows);
      configs.forEach((cfg, k) => {
        xs.set(images.x.subarray(0, images.count * pixels), k * images.count * pixels);
        ys.set(images.labels.subarray(0, images.count), k * images.count);
        for (const block of cfg) g.fill(1, block * rows + k * images.count, block * rows + (k + 1) * images.count);
      });
      const [out] = await addon.run(
        session,
        [
          [x[0], 0, DT.float, [rows, h, w, c], xs],
          [labels[0], 0, DT.int32, [rows], ys],
          [gates[0], 0, DT.float, [blocks.length, rows], g],
        ],
        [norms],
        [],
      );
      return Float32Array.from(out.data);
    },
    dispose: () => addon.closeSession(session),
  };
}
