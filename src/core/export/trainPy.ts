// train.py of the exported Keras project: ResNet Lab's recipe (src/core/train:
// loop.ts, optimizer.ts, schedule.ts, head.ts; src/core/data/batches.ts) as a
// custom loop under tf.distribute.MultiWorkerMirroredStrategy, writing our run
// folder format so the panel and the CLI read the run, checkpoints included. Kept as a string here
// so the bundled CLI needs no extra file; it has no backticks or template
// placeholders.
export const TRAIN_PY = String.raw`"""Trains the exported model with ResNet Lab's recipe, on one machine or several.

    python train.py [--runs-dir DIR] [--data-dir DIR] [--iterations N | --epochs N] [--seed N]
                    [--batch-size N] [--lr X] [--warmup-lr X] [--limit-train N] [--limit-test N] [--grad-every N]
                    [--stop-at ITERATION]
    python train.py --resume RUN_DIR [--data-dir DIR] [--stop-at ITERATION]

--stop-at ends with a checkpoint once that iteration is done (status "stopped"),
e.g. to split a long run into jobs of a queue with a time limit; --resume
continues a stopped or interrupted run from its latest checkpoint, weights and
momentum, on the same batches, in the same folder (which every worker reads).

Checkpoints (checkpoints/latest and best, every epoch) are in the tfjs layers
format with the tfjs model's topology (tfjs_model.json), so ResNet Lab's
lesion study, responses and report read them.

The recipe (run_template.json, from the experiment): SGD with momentum 0.9 as
PyTorch has it (v = m v + g + wd w on kernels only; w -= lr v), learning rate
divided by 10 at 50% and 75% of the iterations (or the experiment's
milestones), the optional warm-up, 4-pixel padding + random crop + horizontal
flip, per-pixel mean subtraction, the cross-entropy of the logits under the
final softmax.

Several machines: tf.distribute.MultiWorkerMirroredStrategy, one process per
machine, each with TF_CONFIG naming the cluster and its own index (README.md).
The global batch is the experiment's batch size, split evenly over workers;
gradients are summed over workers (each replica's loss is divided by the global
batch), so one worker and N workers follow the same schedule. Only the chief
(worker 0) writes the run folder.
"""
import argparse
import gzip
import json
import math
import os
import shutil
import socket
import sys
import time
from datetime import datetime

import numpy as np
import tensorflow as tf
import keras

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from model import build_model, load_weights  # noqa: E402
from run_folder import GRADIENTS, METRICS, STATE_JSON, RunFolder, TfjsWeights  # noqa: E402


# ------------------------------------------------------------------ data

def _idx(path):
    """An idx file (MNIST's format), plain or gzipped: uint8 array of its shape."""
    for p in (path, path + ".gz"):
        if os.path.exists(p):
            raw = (gzip.open if p.endswith(".gz") else open)(p, "rb").read()
            dims = raw[3]
            shape = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
            return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)
    raise FileNotFoundError(path + "[.gz]")


def _cifar10(folder):
    """CIFAR-10's binary version: records of 1 label byte + 3072 bytes (R, G, B planes of 32x32)."""
    if os.path.isdir(os.path.join(folder, "cifar-10-batches-bin")):
        folder = os.path.join(folder, "cifar-10-batches-bin")

    def read(names):
        raw = np.concatenate([np.fromfile(os.path.join(folder, n), dtype=np.uint8) for n in names]).reshape(-1, 3073)
        return raw[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).copy(), raw[:, 0].copy()

    return read(["data_batch_%d.bin" % i for i in range(1, 6)]), read(["test_batch.bin"])


def load_data(spec, data_dir):
    """(x_train, y_train), (x_test, y_test) as uint8 [N, H, W, C] and labels, limited as the experiment says."""
    name = spec["name"]
    if name == "synthetic":
        d = np.load(os.path.join(HERE, "data", "synthetic.npz"))
        train, test, source = (d["x_train"], d["y_train"]), (d["x_test"], d["y_test"]), "generated"
    elif name == "cifar10":
        folder = data_dir or spec.get("dir") or "data/cifar10"
        train, test = _cifar10(folder)
        source = folder
    elif name in ("mnist", "fashion-mnist"):
        folder = data_dir or spec.get("dir") or "data/" + name
        train = (_idx(os.path.join(folder, "train-images-idx3-ubyte"))[..., None], _idx(os.path.join(folder, "train-labels-idx1-ubyte")))
        test = (_idx(os.path.join(folder, "t10k-images-idx3-ubyte"))[..., None], _idx(os.path.join(folder, "t10k-labels-idx1-ubyte")))
        source = folder
    else:
        raise SystemExit("data set %r is not supported by train.py" % name)
    if spec.get("limitTrain"):
        train = (train[0][: spec["limitTrain"]], train[1][: spec["limitTrain"]])
    if spec.get("limitTest"):
        test = (test[0][: spec["limitTest"]], test[1][: spec["limitTest"]])
    return train, test, source


def normalise(images, mean):
    """Bytes to [0, 1], minus the per-pixel mean of the training set (He et al. Sec. 4.2)."""
    return images.astype(np.float32) / 255.0 - mean


def augment(x, rng, pad, flip):
    """4-pixel zero padding (after mean subtraction, as ResNet Lab does), a random crop back to size, a random flip."""
    n, h, w, _ = x.shape
    padded = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    out = np.empty_like(x)
    for i in range(n):
        dy, dx = rng.integers(0, 2 * pad + 1, size=2)
        crop = padded[i, dy: dy + h, dx: dx + w]
        out[i] = crop[:, ::-1] if flip and rng.random() < 0.5 else crop
    return out


# ------------------------------------------------------------------ schedule

def js_round(v):
    return int(math.floor(v + 0.5))  # JavaScript's Math.round, which the milestones use


class Schedule:
    """Step decay at milestones, and the optional warm-up (ResNet-110: 0.01 until training error < 80%)."""

    def __init__(self, recipe, total):
        self.lr = recipe["optimizer"]["lr"]
        self.gamma = recipe["schedule"]["gamma"]
        self.milestones = recipe["schedule"].get("milestones") or [js_round(total * 0.5), js_round(total * 0.75)]
        self.warmup = recipe["schedule"].get("warmup")
        self.warmup_done = not self.warmup

    def at(self, iteration):
        if not self.warmup_done:
            return self.warmup["lr"]
        return self.lr * self.gamma ** sum(1 for m in self.milestones if iteration >= m)

    def update(self, iteration, recent_error):
        if self.warmup_done:
            return
        if recent_error < self.warmup.get("untilTrainError", 0.8) or iteration >= self.warmup.get("maxIterations", 400):
            self.warmup_done = True


# ------------------------------------------------------------------ training

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs-dir", default=os.path.join(HERE, "runs"))
    p.add_argument("--data-dir")
    p.add_argument("--iterations", type=int)
    p.add_argument("--epochs", type=int)
    p.add_argument("--seed", type=int)
    p.add_argument("--batch-size", type=int, help="the global batch, split over the workers")
    p.add_argument("--lr", type=float)
    p.add_argument("--warmup-lr", type=float, help="this lr until training error < 80%% (at most 400 iterations)")
    p.add_argument("--limit-train", type=int)
    p.add_argument("--limit-test", type=int)
    p.add_argument("--grad-every", type=int)
    p.add_argument("--stop-at", type=int, help="stop with a checkpoint once this iteration is done")
    p.add_argument("--resume", metavar="RUN_DIR", help="continue this run from its latest checkpoint")
    args = p.parse_args()

    with open(os.path.join(HERE, "run_template.json")) as f:
        template = json.load(f)
    resumed = RunFolder(args.resume).read_info() if args.resume else None
    if resumed:
        if resumed.get("backend") != "keras":
            raise SystemExit("%s is a %s run: resume it with resnet-lab resume" % (args.resume, resumed.get("backend")))
        template = {**template, "recipe": resumed["recipe"]}  # the run's own recipe, overrides included
    recipe = dict(template["recipe"])
    if args.epochs:
        recipe["epochs"] = args.epochs
        recipe.pop("iterations", None)  # run.json's schema takes a number or nothing, not null
    if args.iterations:
        recipe["iterations"] = args.iterations
    if args.seed is not None:
        recipe["seed"] = args.seed
    # The same overrides as "resnet-lab train"; run.json records them.
    overrides = {k: v for k, v in vars(args).items() if v is not None and k not in ("runs_dir", "data_dir")}
    if args.batch_size:
        recipe["batchSize"] = args.batch_size
    if args.lr:
        recipe["optimizer"] = {**recipe["optimizer"], "lr": args.lr}
    if args.warmup_lr:
        recipe["schedule"] = {**recipe["schedule"], "warmup": {"lr": args.warmup_lr, "untilTrainError": 0.8, "maxIterations": 400}}
    if args.limit_train or args.limit_test:
        recipe["data"] = {**recipe["data"], **({"limitTrain": args.limit_train} if args.limit_train else {}), **({"limitTest": args.limit_test} if args.limit_test else {})}
    if args.grad_every:
        recipe["gradientNormEvery"] = args.grad_every
    seed = recipe["seed"]
    tf.random.set_seed(seed)

    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    resolver = strategy.cluster_resolver
    workers = strategy.num_replicas_in_sync
    task_id = resolver.task_id if resolver and resolver.task_type else 0
    is_chief = not resolver or resolver.task_type in (None, "chief") or (resolver.task_type == "worker" and task_id == 0)

    (x_train, y_train), (x_test, y_test), source = load_data(recipe["data"], args.data_dir)
    if resumed and len(x_train) != resumed["dataset"]["train"]:
        raise SystemExit("the run trained on %d images, this project's data has %d: export the experiment the run came from" % (resumed["dataset"]["train"], len(x_train)))
    mean = x_train.astype(np.float64).mean(axis=0).astype(np.float32) / 255.0
    batch = recipe["batchSize"]
    if batch % workers:
        raise SystemExit("the batch size %d does not split evenly over %d workers" % (batch, workers))
    per_epoch = max(1, len(x_train) // batch)
    total = recipe.get("iterations") or recipe["epochs"] * per_epoch
    epochs = -(-total // per_epoch)
    schedule = Schedule(recipe, total)
    aug = recipe.get("augment")
    opt = recipe["optimizer"]
    every = recipe["gradientNormEvery"]

    with strategy.scope():
        model = load_weights(build_model())
        last = model.layers[-1]
        # The loss reads the logits under a final softmax, as ResNet Lab's head does.
        from_logits = isinstance(last, keras.layers.Dense) and last.activation is keras.activations.softmax
        if from_logits:
            last.activation = keras.activations.linear
        weights = model.trainable_variables
        velocities = [tf.Variable(tf.zeros(v.shape), trainable=False) for v in weights]
    decayed = [v.path.split("/")[-1] == "kernel" for v in weights]  # kernels only, not biases or BN
    with open(os.path.join(HERE, "weights.json")) as f:
        tfjs_name = {l["layer"]: l["tfjs"] for l in json.load(f)["layers"]}
    keras_name = {t: k for k, t in tfjs_name.items()}
    with open(os.path.join(HERE, "tfjs_model.json")) as f:
        tfjs_model = json.load(f)
    tfjs_weights = TfjsWeights(model, tfjs_model, keras_name, weights, velocities, keras.__version__)
    state = None
    if resumed:
        folder = RunFolder(args.resume).latest_checkpoint()
        with open(os.path.join(folder, STATE_JSON)) as f:
            state = json.load(f)
        if not tfjs_weights.load(folder):
            print("%s has no optimizer state: momentum restarts from zero" % folder, file=sys.stderr, flush=True)
    layer_of = [tfjs_name.get(v.path.rsplit("/", 1)[0], v.path.rsplit("/", 1)[0]) for v in weights]
    layer_names = list(dict.fromkeys(layer_of))

    def replica_step(x, y):
        with tf.GradientTape() as tape:
            scores = model(x, training=True)
            per_example = keras.losses.sparse_categorical_crossentropy(y, scores, from_logits=from_logits)
            loss = tf.nn.compute_average_loss(per_example, global_batch_size=batch)
        grads = tape.gradient(loss, weights)
        wrong = tf.reduce_sum(tf.cast(tf.not_equal(tf.argmax(scores, -1, output_type=tf.int32), y), tf.float32))
        return loss, wrong, grads

    @tf.function
    def train_step(x, y, lr):
        loss, wrong, grads = strategy.run(replica_step, args=(x, y))
        # Summed over workers: every worker gets the same mean gradient and applies the same update.
        loss = strategy.reduce(tf.distribute.ReduceOp.SUM, loss, axis=None)
        wrong = strategy.reduce(tf.distribute.ReduceOp.SUM, wrong, axis=None)
        grads = [strategy.reduce(tf.distribute.ReduceOp.SUM, g, axis=None) for g in grads]
        for w, v, g, d in zip(weights, velocities, grads, decayed):
            if d and opt["weightDecay"] > 0:
                g = g + opt["weightDecay"] * w
            v.assign(opt["momentum"] * v + g)
            w.assign_sub(lr * v)
        squares = [tf.reduce_sum(tf.square(g)) for g in grads]
        norms = tf.stack([tf.sqrt(tf.add_n([s for s, l in zip(squares, layer_of) if l == name])) for name in layer_names])
        return loss, wrong, norms

    @tf.function
    def eval_step(x, y):
        scores = model(x, training=False)
        loss = tf.reduce_sum(keras.losses.sparse_categorical_crossentropy(y, scores, from_logits=from_logits))
        return loss, tf.reduce_sum(tf.cast(tf.not_equal(tf.argmax(scores, -1, output_type=tf.int32), y), tf.float32))

    run = None
    info = None
    if is_chief and resumed:
        run = RunFolder(args.resume)
        run.truncate_after(METRICS, state["iteration"])
        run.truncate_after(GRADIENTS, state["iteration"])
        info = {k: v for k, v in resumed.items() if k != "error"}
        info.update({"status": "running", "pid": os.getpid(), "host": socket.gethostname(), "workers": workers})
        run.write_info(info)
        print(json.dumps({"runDir": run.dir}), flush=True)
    elif is_chief:
        run = RunFolder.create(args.runs_dir, template["experiment"])
        info = dict(template)
        info.update({
            "id": os.path.basename(run.dir), "createdAt": datetime.now().astimezone().isoformat(), "status": "running",
            # pid and host: a follower on this machine checks the pid; one elsewhere watches the files grow.
            "pid": os.getpid(), "host": socket.gethostname(), "backend": "keras", "engine": "keras", "workers": workers, "recipe": recipe, "overrides": overrides,
            "dataset": {**template["dataset"], "source": source, "train": int(len(x_train)), "test": int(len(x_test))},
            "iterationsPerEpoch": per_epoch, "totalIterations": total, "epochs": epochs,
            "tensorflow": tf.__version__, "keras": keras.__version__,
        })
        run.write_info(info)
        print(json.dumps({"runDir": run.dir}), flush=True)

    test_x = normalise(x_test, mean)
    recent, train_error, test_error = 1.0, None, None
    epoch_error = None  # the last epoch's training error, as ResNet Lab's run.json "final" has it
    # Where training starts: the beginning, or a checkpoint's point (ResNet Lab's state.json: the epoch under way, 0-based, and its batches done).
    iteration, start_epoch, start_batch, best, start_sums = 0, 0, 0, None, None
    if state:
        iteration, start_epoch, start_batch, best = state["iteration"], state["epoch"], state.get("batchInEpoch", 0), state.get("bestTestError")
        schedule.warmup_done = schedule.warmup_done or state.get("warmupDone", True)
        sums = state.get("epochSums")
        start_sums = [sums["loss"], sums["errors"], sums["seen"]] if sums else None
        if run:
            print("resuming at iteration %d of %d (epoch %d, batch %d)" % (iteration, total, start_epoch + 1, start_batch), flush=True)
    status = "failed"
    try:
        for epoch in range(start_epoch, epochs):
            started = time.time()
            order = np.random.default_rng([seed, 11, epoch]).permutation(len(x_train))
            first = epoch == start_epoch
            sums = list(start_sums) if first and start_sums else [0.0, 0.0, 0]
            for b in range(start_batch if first else 0, per_epoch):
                if iteration >= total:
                    break
                t0 = time.time()
                idx = order[b * batch: (b + 1) * batch]
                rng = np.random.default_rng([seed, 13, iteration])
                x = normalise(x_train[idx], mean)
                if aug:
                    x = augment(x, rng, aug["pad"], aug["flip"])
                # This worker's share of the global batch; each worker has one replica.
                share = batch // workers
                xs, ys = x[task_id * share: (task_id + 1) * share], y_train[idx][task_id * share: (task_id + 1) * share].astype(np.int32)
                dx = strategy.experimental_distribute_values_from_function(lambda _ctx: tf.constant(xs))
                dy = strategy.experimental_distribute_values_from_function(lambda _ctx: tf.constant(ys))
                lr = schedule.at(iteration)
                loss, wrong, norms = train_step(dx, dy, tf.constant(lr, tf.float32))
                loss, train_error = float(loss), float(wrong) / batch
                if not math.isfinite(loss):
                    raise FloatingPointError("the loss diverged at iteration %d" % (iteration + 1))
                with_norms = iteration % every == 0
                iteration += 1
                recent = 0.9 * recent + 0.1 * train_error
                schedule.update(iteration, recent)
                sums[0] += loss * batch
                sums[1] += float(wrong)
                sums[2] += batch
                if run:
                    run.append(METRICS, {"type": "iteration", "iteration": iteration, "epoch": epoch + 1, "loss": loss, "trainError": train_error, "lr": lr, "imagesPerSec": batch / (time.time() - t0)})
                    if with_norms:
                        run.append(GRADIENTS, {"iteration": iteration, "layers": [{"name": n, "norm": float(v)} for n, v in zip(layer_names, norms.numpy())]})
                if args.stop_at and iteration >= args.stop_at and iteration < total:
                    # Every worker has the same --stop-at, so all stop after the same step (a collective never waits for a gone worker).
                    status = "stopped"
                    if run:
                        run.checkpoint("latest", tfjs_weights, {"iteration": iteration, "epoch": epoch, "batchInEpoch": b + 1, "bestTestError": best,
                                                                "warmupDone": schedule.warmup_done, "epochSums": {"loss": sums[0], "errors": sums[1], "seen": sums[2]}})
                        print("stopped at iteration %d of %d with a checkpoint: python train.py --resume %s continues it" % (iteration, total, run.dir), flush=True)
                    break
            if status == "stopped":
                break
            test_loss, wrong = 0.0, 0.0
            for i in range(0, len(test_x), 256):
                l, w = eval_step(tf.constant(test_x[i: i + 256]), tf.constant(y_test[i: i + 256].astype(np.int32)))
                test_loss += float(l)
                wrong += float(w)
            test_error = wrong / len(test_x)
            epoch_error = sums[1] / max(1, sums[2])
            if run:
                print("epoch %d/%d  iteration %d/%d  train error %.2f%%  test error %.2f%%" % (epoch + 1, epochs, iteration, total, 100 * epoch_error, 100 * test_error), flush=True)
                run.append(METRICS, {"type": "epoch", "epoch": epoch + 1, "iteration": iteration, "trainLoss": sums[0] / max(1, sums[2]), "trainError": epoch_error, "testLoss": test_loss / len(test_x), "testError": test_error, "seconds": time.time() - started})
                improved = best is None or test_error < best
                best = test_error if improved else best
                point = {"iteration": iteration, "epoch": epoch + 1, "batchInEpoch": 0, "bestTestError": best, "warmupDone": schedule.warmup_done}
                run.checkpoint("latest", tfjs_weights, point)
                if improved:
                    run.checkpoint("best", tfjs_weights, point)
        if status != "stopped":
            status = "finished"
    except FloatingPointError as e:
        status, info = "diverged", info and {**info, "error": str(e)}
        raise
    finally:
        if run:
            final = {"iteration": iteration, "trainError": epoch_error if epoch_error is not None else train_error, "testError": test_error}
            run.write_info({**info, "status": status, "final": final})

if __name__ == "__main__":
    main()
`;
