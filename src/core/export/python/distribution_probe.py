"""Distribution records (distributions.jsonl) as ResNet Lab's trainer writes them (src/core/distributions/
has the originals): every N iterations and at iteration 0, the quantiles of every weighted layer's kernel
and of every block's output on a fixed probe batch (the first 16 test images, mean-subtracted, inference
mode), and the share of zeros of the block outputs that come out of a ReLU. Which layers: the exporter's
plan (run_template.json "probe"), so both engines record the same tfjs names."""

import math

import keras
import numpy as np

# TensorBoard's distribution bands; the same levels, sample size and rounding as quantiles.ts.
LEVELS = (0, 0.07, 0.16, 0.31, 0.5, 0.69, 0.84, 0.93, 1)
MAX_SAMPLES = 16384
PROBE_IMAGES = 16


def compact(x):
    """Four significant digits, as the trainer's Number(x.toPrecision(4)); not a number: null, as it writes it."""
    return float(f"{x:.4g}") if math.isfinite(x) else None


def quantiles(values):
    """LEVELS of a fixed stride subsample (every ceil(n / MAX_SAMPLES)-th value), interpolated linearly."""
    flat = np.asarray(values, np.float32).ravel()
    if flat.size == 0:
        raise ValueError("quantiles of an empty tensor")
    stride = max(1, -(-flat.size // MAX_SAMPLES))
    ordered = np.sort(flat[::stride]).astype(np.float64)
    last = ordered.size - 1
    out = []
    for p in LEVELS:
        pos = p * last
        lo = math.floor(pos)
        hi = min(last, lo + 1)
        out.append(compact(ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)))
    return out


def zero_share(values):
    return compact(float(np.mean(np.asarray(values) == 0)))


class Probe:
    """Takes one record from the engine's current weights: `plan` names tfjs layers; `keras_name` maps those
    with weights to their Keras names (the others are the tfjs name with '/' as '_', as model.py has them)."""

    def __init__(self, model, plan, keras_name, x_probe):
        self.model, self.plan, self.x = model, plan, x_probe

        def layer(tfjs):
            return model.get_layer(keras_name.get(tfjs, tfjs.replace("/", "_")))

        self.kernels = []
        for tfjs in plan["weights"]:
            paths = [w.path for w in layer(tfjs).weights if w.path.rsplit("/", 1)[-1].endswith("kernel")]
            self.kernels.append((tfjs, paths[0]))
        outputs = [layer(a["name"]).output for a in plan["activations"]]
        # One input tensor, not a list of one: Keras warns when the call's structure differs from the model's.
        self.outputs = keras.Model(model.inputs[0], outputs) if outputs else None

    def sample(self, iteration, weights):
        """`weights`: {variable path: array}, the engine's read()."""
        record = {
            "iteration": iteration,
            "weights": [{"name": t, "q": quantiles(weights[p])} for t, p in self.kernels],
            "activations": [],
        }
        if self.outputs is None:
            return record
        for v in self.model.variables:
            if v.path in weights:
                v.assign(weights[v.path])
        outs = self.outputs(self.x, training=False)
        outs = outs if isinstance(outs, (list, tuple)) else [outs]
        for a, out in zip(self.plan["activations"], outs, strict=True):
            values = keras.ops.convert_to_numpy(out)
            entry = {"name": a["name"], "q": quantiles(values)}
            if a["relu"]:
                entry["zeros"] = zero_share(values)
            record["activations"].append(entry)
        return record
