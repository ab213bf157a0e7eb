// SGD with momentum and weight decay, PyTorch semantics (the paper's recipe):
//   v = momentum * v + (g + weightDecay * w)     (decay on kernels only)
//   w = w - lr * v
// Written out rather than tf.train.momentum so the learning rate can change
// every iteration and the velocities can be checkpointed and restored.
import type * as tfjs from '@tensorflow/tfjs';
import { isDecayed } from './parallel/math';

type TF = typeof tfjs;

export interface SgdConfig {
  momentum: number;
  weightDecay: number;
}

export class Sgd {
  private readonly velocities: tfjs.Variable[];
  private readonly decays: boolean[];

  constructor(
    private readonly tf: TF,
    private readonly vars: tfjs.LayerVariable[],
    private readonly config: SgdConfig,
  ) {
    this.velocities = vars.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v.read()), false)));
    // Kernels are the weights of convs and dense layers; biases, and batch
    // norm's gamma and beta, are not decayed.
    this.decays = vars.map((v) => isDecayed(v.originalName ?? v.name));
  }

  apply(grads: tfjs.Tensor[], lr: number): void {
    const tf = this.tf;
    tf.tidy(() => {
      this.vars.forEach((variable, i) => {
        const w = variable.read();
        const g =
          this.decays[i] && this.config.weightDecay > 0 ? grads[i].add(w.mul(this.config.weightDecay)) : grads[i];
        const v = this.velocities[i].mul(this.config.momentum).add(g);
        this.velocities[i].assign(v);
        variable.write(w.sub(v.mul(lr)));
      });
    });
  }

  /** Velocities as one flat array, for a checkpoint. */
  async state(): Promise<Float32Array> {
    const parts = await Promise.all(this.velocities.map((v) => v.data() as Promise<Float32Array>));
    const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }

  restore(flat: Float32Array): void {
    let o = 0;
    for (const v of this.velocities) {
      const n = v.size;
      if (o + n > flat.length) throw new Error('optimizer state in the checkpoint does not match the model');
      const t = this.tf.tensor(flat.subarray(o, o + n), v.shape);
      v.assign(t);
      t.dispose();
      o += n;
    }
  }

  dispose(): void {
    this.velocities.forEach((v) => v.dispose());
  }
}
