"""Trains the exported model with ResNet Lab's recipe: on one device, every device of a machine, or several machines.

    python train.py [--runs-dir DIR | --run-dir DIR] [--data-dir DIR] [--iterations N | --epochs N] [--seed N]
                    [--batch-size N] [--lr X] [--warmup-lr X] [--limit-train N] [--limit-test N] [--grad-every N]
                    [--dist-every N]
                    [--backend jax|tensorflow] [--precision fp32|bf16] [--checkpoint-every N] [--stop-at ITERATION]
                    [--coordinator HOST:PORT --num-processes N --process-id I]
    python train.py --resume RUN_DIR [--data-dir DIR] [--stop-at ITERATION]

Backends: Keras 3's JAX backend when jax is importable (or --backend jax), else TensorFlow. On JAX
the step is one jit-compiled function over every device (keras.distribution.DataParallel: the batch
sharded, one shard per device, the weights replicated); several machines join through
jax.distributed (--coordinator/--num-processes/--process-id, or Slurm's environment). On
TensorFlow, tf.distribute.MultiWorkerMirroredStrategy (TF_CONFIG names the cluster). Either way the
global batch and the learning-rate schedule are the experiment's, whatever the device count.

Preemption: SIGTERM or SIGINT (what Slurm and Kubernetes send) finishes the step under way, writes a
checkpoint and marks the run "stopped"; --resume RUN_DIR (or --run-dir DIR again) continues it on
the same batches. --stop-at ends the same way at an iteration; --checkpoint-every N writes one every
N iterations besides the one at each epoch's end.

Checkpoints (checkpoints/latest and best) are in the tfjs layers format with the tfjs model's
topology (tfjs_model.json), so ResNet Lab's panel, lesion study, responses and report read them.

The recipe (run_template.json, from the experiment): SGD with momentum 0.9 as PyTorch has it
(v = m v + g + wd w on kernels only; w -= lr v), learning rate divided by 10 at 50% and 75% of the
iterations (or the experiment's milestones), the optional warm-up, 4-pixel padding + random crop +
horizontal flip, per-pixel mean subtraction, the cross-entropy taken from the logits (the model
without its final softmax: build_model(logits=True)). Only the chief (process 0) writes the run folder.
"""

import json
import math
import os
import signal
import socket
import sys
import time
from datetime import datetime

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from recipe import Schedule, apply_overrides, choose_backend, memory, parse_args  # noqa: E402


class Signals:
    """SIGTERM and SIGINT ask for a stop after the step under way (with a checkpoint); a second one stops at once."""

    def __init__(self):
        self.received = None
        for s in (signal.SIGTERM, signal.SIGINT):
            signal.signal(s, self._handle)

    def _handle(self, signum, _frame):
        if self.received is not None:
            raise SystemExit(128 + signum)
        self.received = signum
        print(
            f"{signal.Signals(signum).name}: stopping after this step, with a checkpoint (again to stop at once)",
            file=sys.stderr,
            flush=True,
        )


# ------------------------------------------------------------------ training


def main():
    args = parse_args()
    backend = choose_backend(args.backend)
    os.environ["KERAS_BACKEND"] = backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if backend == "jax":
        import engine_jax as engine_lib
    else:
        import engine_tf as engine_lib
    # Before anything touches a device: several processes meet here.
    engine_lib.initialize(args.coordinator, args.num_processes, args.process_id)

    import keras
    import numpy as np

    import model as model_py
    from data import Batches, DataError, Prefetcher, load_data, normalise
    from distribution_probe import PROBE_IMAGES, Probe
    from run_folder import CONFUSION, DISTRIBUTIONS, GRADIENTS, METRICS, RunFolder, TfjsWeights

    with open(os.path.join(HERE, "run_template.json")) as f:
        template = json.load(f)
    with open(os.path.join(HERE, "weights.json")) as f:
        manifest = json.load(f)
    resume_dir = args.resume
    # --run-dir resumes once the run has a checkpoint (every process sees the same: none is written
    # before all have stepped).
    if args.run_dir and RunFolder(args.run_dir).has_checkpoint():
        resume_dir = args.run_dir
    resumed = RunFolder(resume_dir).read_info() if resume_dir else None
    if resumed:
        if resumed.get("backend") != "keras":
            raise SystemExit(
                "{} is a {} run: resume it with resnet-lab resume".format(resume_dir, resumed.get("backend"))
            )
        if resumed.get("status") == "finished":
            print(f"{resume_dir} has finished: nothing to resume", flush=True)
            return 0
        template = {**template, "recipe": resumed["recipe"]}  # the run's own recipe, overrides included
        if resumed.get("kerasBackend", backend) != backend:
            print(
                "resuming a {} run on {}: the same weights and batches, not bit for bit the same arithmetic".format(
                    resumed["kerasBackend"], backend
                ),
                file=sys.stderr,
                flush=True,
            )
    recipe = apply_overrides(template["recipe"], args) if not resumed else dict(template["recipe"])
    overrides = {
        k: v
        for k, v in vars(args).items()
        if v is not None
        and k
        not in (
            "runs_dir",
            "run_dir",
            "data_dir",
            "resume",
            "backend",
            "precision",
            "coordinator",
            "num_processes",
            "process_id",
        )
    }
    seed = recipe["seed"]
    precision = resumed.get("precision", args.precision) if resumed else args.precision

    engine = engine_lib.Engine()
    # After jax.distributed, which installs a SIGTERM handler of its own (its preemption notice).
    signals = Signals()
    is_chief = engine.process_index == 0
    try:
        (x_train, y_train), (x_test, y_test), source = load_data(recipe["data"], args.data_dir)
    except DataError as e:
        raise SystemExit(str(e)) from None  # the message says it all: no traceback
    if resumed and len(x_train) != resumed["dataset"]["train"]:
        raise SystemExit(
            f"the run trained on {resumed['dataset']['train']} images, this project's data has {len(x_train)}: "
            "export the experiment the run came from"
        )
    mean = x_train.astype(np.float64).mean(axis=0).astype(np.float32) / 255.0
    batch = recipe["batchSize"]
    if batch > len(x_train):
        raise SystemExit(f"the batch size {batch} is larger than the training set ({len(x_train)} images)")
    rows = engine.shards(batch)
    per_epoch = max(1, len(x_train) // batch)
    total = recipe.get("iterations") or recipe["epochs"] * per_epoch
    epochs = -(-total // per_epoch)
    schedule = Schedule(recipe, total)
    every = recipe["gradientNormEvery"]

    # The initial weights: the export's (tfjs' initializers, the experiment's seed) unless --seed names another seed,
    # which Keras' initializers then draw from.
    keras.utils.set_random_seed(seed)
    if precision == "bf16":
        keras.config.set_dtype_policy("mixed_bfloat16")
    exported_seed = manifest.get("seed")
    with engine.scope():
        model = (
            model_py.build_model(logits=True) if getattr(model_py, "ENDS_IN_SOFTMAX", False) else model_py.build_model()
        )
        if resumed or exported_seed is None or exported_seed == seed:
            model_py.load_weights(model)
            initial = "exported ({})".format(manifest.get("weightsFrom", "weights.bin"))
        else:
            initial = (
                f"Keras initializers, seed {seed} (weights.bin holds seed {exported_seed}'s; "
                f"export with --seed {seed} for tfjs' own)"
            )
            if is_chief:
                print("initial weights: " + initial, file=sys.stderr, flush=True)
    from_logits = getattr(model_py, "ENDS_IN_SOFTMAX", False)
    num_classes = int(model.output_shape[-1])
    tfjs_name = {entry["layer"]: entry["tfjs"] for entry in manifest["layers"]}
    keras_name = {t: k for k, t in tfjs_name.items()}
    with open(os.path.join(HERE, "tfjs_model.json")) as f:
        tfjs_weights = TfjsWeights(model, json.load(f), keras_name, keras.__version__)
    layer_of = [tfjs_name.get(v.path.rsplit("/", 1)[0], v.path.rsplit("/", 1)[0]) for v in model.trainable_variables]
    layer_names = list(dict.fromkeys(layer_of))
    engine.prepare(model, from_logits, recipe, layer_of, layer_names)

    state = None
    if resumed:
        folder = RunFolder(resume_dir).latest_checkpoint()
        with open(os.path.join(folder, "state.json")) as f:
            state = json.load(f)
        weights, velocities = tfjs_weights.load(folder, [v.shape for v in model.trainable_variables])
        engine.write(weights, velocities)
        if velocities is None and is_chief:
            print(f"{folder} has no optimizer state: momentum restarts from zero", file=sys.stderr, flush=True)

    devices = engine.devices
    run, info = None, None
    if is_chief and resumed:
        run = RunFolder(resume_dir)
        run.truncate_after(METRICS, state["iteration"])
        run.truncate_after(GRADIENTS, state["iteration"])
        run.truncate_after(DISTRIBUTIONS, state["iteration"])
        run.truncate_after(CONFUSION, state["iteration"])
        info = {k: v for k, v in resumed.items() if k != "error"}
        info.update(
            {
                "status": "running",
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "workers": engine.process_count,
                "kerasBackend": backend,
                "devices": devices,
            }
        )
        run.write_info(info)
    elif is_chief:
        run = (
            RunFolder.create(args.runs_dir, template["experiment"])
            if not args.run_dir
            else RunFolder.reuse(args.run_dir)
        )
        info = {k: v for k, v in template.items() if k != "probe"}  # the exporter's plan for distributions.py
        info.update(
            {
                "id": os.path.basename(os.path.normpath(run.dir)),
                "createdAt": datetime.now().astimezone().isoformat(),
                "status": "running",
                # pid and host: a follower on this machine checks the pid; one elsewhere watches the files grow.
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "backend": "keras",
                "engine": "keras",
                "kerasBackend": backend,
                "devices": devices,
                "workers": engine.process_count,
                "precision": precision,
                "initialWeights": initial,
                "recipe": recipe,
                "overrides": overrides,
                "dataset": {
                    **template["dataset"],
                    "source": source,
                    "train": int(len(x_train)),
                    "test": int(len(x_test)),
                },
                "iterationsPerEpoch": per_epoch,
                "totalIterations": total,
                "epochs": epochs,
                "keras": keras.__version__,
                **engine.version(),
            }
        )
        run.write_info(info)
    if run:
        print(json.dumps({"runDir": run.dir}), flush=True)
        print(
            f"keras {keras.__version__} on {backend}: {devices['count']}× {devices['name']}"
            + (f", {engine.process_count} processes" if engine.process_count > 1 else "")
            + f", batch {batch} ({batch // devices['count']} per device), {precision}",
            flush=True,
        )

    test_x = normalise(x_test, mean)
    recent, train_error, test_error, epoch_error = 1.0, None, None, None
    # Where training starts: the beginning, or a checkpoint's point (ResNet Lab's state.json: the epoch
    # under way, 0-based, and its batches done).
    iteration, start_epoch, start_batch, best, start_sums = 0, 0, 0, None, None
    if state:
        iteration, start_epoch, start_batch, best = (
            state["iteration"],
            state["epoch"],
            state.get("batchInEpoch", 0),
            state.get("bestTestError"),
        )
        schedule.warmup_done = schedule.warmup_done or state.get("warmupDone", True)
        sums = state.get("epochSums")
        start_sums = [sums["loss"], sums["errors"], sums["seen"]] if sums else None
        if run:
            print(
                f"resuming at iteration {iteration} of {total} (epoch {start_epoch + 1}, batch {start_batch})",
                flush=True,
            )

    # Kernels and block outputs every distributionEvery iterations (and before the first step). Every process
    # samples (under a multi-process distribution, assigning the model's variables is a collective: a chief
    # sampling alone waited for the others forever); the chief writes.
    plan = template.get("probe")  # absent from a project exported before distributions
    probe = Probe(model, plan, keras_name, test_x[:PROBE_IMAGES]) if plan else None
    dist_every = recipe.get("distributionEvery", 100)

    def record_distributions(at):
        record = probe.sample(at, engine.read()[0])
        if run:
            run.append(DISTRIBUTIONS, record)

    if probe and iteration == 0:
        record_distributions(0)

    batches = Batches(x_train, y_train, mean, seed, batch, rows, recipe.get("augment"))

    def plan():
        i = iteration
        for e in range(start_epoch, epochs):
            order = batches.order(e)
            for b in range(start_batch if e == start_epoch else 0, per_epoch):
                if i >= total:
                    return
                yield e, b, i, order
                i += 1

    def checkpoint(kind, epoch, batch_in_epoch, sums):
        point = {
            "iteration": iteration,
            "epoch": epoch,
            "batchInEpoch": batch_in_epoch,
            "bestTestError": best,
            "warmupDone": schedule.warmup_done,
        }
        if sums is not None:
            point["epochSums"] = {"loss": sums[0], "errors": sums[1], "seen": sums[2]}
        if run:
            run.checkpoint(kind, tfjs_weights, engine.read(), point)

    def ahead_allowed(done, end_of_epoch):
        """Whether the step after the one that makes `done` iterations may start before that one's numbers
        are read: nothing after it needs the weights it leaves, and the next lr does not depend on it."""
        return (
            not args.lockstep
            and done < total
            and not end_of_epoch
            and schedule.warmup_done
            and not (args.checkpoint_every and done % args.checkpoint_every == 0)
            and not (probe and done % dist_every == 0)
            and not (args.stop_at and done >= args.stop_at)
        )

    # The next batches are made, and put on the devices, while the step runs.
    prefetch = Prefetcher(lambda e, b, i, order: engine.place(*batches.make(order, b, i), batch), plan())
    status, stop_reason, exit_code = "failed", None, 1
    started_all, stepping = time.perf_counter(), 0.0
    try:
        epoch = start_epoch
        sums = list(start_sums) if start_sums else [0.0, 0.0, 0]
        epoch_started = time.time()
        last = time.perf_counter()
        ahead, stopping = None, False
        while iteration < total:
            if ahead:
                (e, b), lr, handle = ahead
                ahead = None
            else:
                (e, b, _, _), (x, y) = prefetch.next()
                lr = schedule.at(iteration)
                handle = engine.dispatch(x, y, lr, signals.received is not None, batch)
            if e != epoch:
                epoch, sums, epoch_started = e, [0.0, 0.0, 0], time.time()
            # The next step is started before this one's numbers are read, so the devices do not wait for
            # Python between steps; except where something needs the weights as this step leaves them (the
            # epoch's test, a checkpoint, a distribution sample, a stop) or the next lr needs this step's
            # error (the warm-up). Every process decides alike: all run the same steps.
            if not stopping and ahead_allowed(iteration + 1, b + 1 == per_epoch):
                (e2, b2, _, _), (x2, y2) = prefetch.next()
                lr2 = schedule.at(iteration + 1)
                ahead = ((e2, b2), lr2, engine.dispatch(x2, y2, lr2, signals.received is not None, batch))
            loss, wrong, norms, stop_any = engine.result(handle)
            stopping = stopping or stop_any
            now = time.perf_counter()
            train_error = wrong / batch
            if not math.isfinite(loss):
                raise FloatingPointError(
                    f"the loss diverged at iteration {iteration + 1} ({loss}): lower the learning rate"
                )
            with_norms = iteration % every == 0
            iteration += 1
            recent = 0.9 * recent + 0.1 * train_error
            schedule.update(iteration, recent)
            sums[0] += loss * batch
            sums[1] += wrong
            sums[2] += batch
            if run:
                run.append(
                    METRICS,
                    {
                        "type": "iteration",
                        "iteration": iteration,
                        "epoch": epoch + 1,
                        "loss": loss,
                        "trainError": train_error,
                        "lr": lr,
                        "imagesPerSec": batch / max(now - last, 1e-9),
                    },
                )
                if with_norms:
                    run.append(
                        GRADIENTS,
                        {
                            "iteration": iteration,
                            "layers": [
                                {"name": n, "norm": float(v)}
                                for n, v in zip(layer_names, np.asarray(norms), strict=True)
                            ],
                        },
                    )
            stepping += now - last
            last = now
            if probe and iteration % dist_every == 0:
                record_distributions(iteration)
                last = time.perf_counter()  # the sample is not a step
            end_of_epoch = b + 1 == per_epoch or iteration >= total
            # Every process sees the same stopping and --stop-at, so all stop after the same step (no collective
            # waits for a gone one).
            # A step already started when the wish to stop arrived is finished first (all processes started it).
            if stopping and ahead:
                continue
            if (stopping or (args.stop_at and iteration >= args.stop_at)) and iteration < total and not end_of_epoch:
                stop_reason = signal.Signals(signals.received).name if signals.received else f"--stop-at {args.stop_at}"
                checkpoint("latest", epoch, b + 1, sums)
                status = "stopped"
                break
            if args.checkpoint_every and iteration % args.checkpoint_every == 0 and not end_of_epoch:
                checkpoint("latest", epoch, b + 1, sums)
            if not end_of_epoch:
                continue
            test_loss, test_wrong, top_classes, top_probs = engine.evaluate(test_x, y_test)
            test_error = test_wrong / len(test_x)
            epoch_error = sums[1] / max(1, sums[2])
            waiting = prefetch.waited / max(stepping, 1e-9)
            if run:
                print(
                    f"epoch {epoch + 1}/{epochs}  iteration {iteration}/{total}  "
                    f"train error {100 * epoch_error:.2f}%  test error {100 * test_error:.2f}%  "
                    f"{sums[2] / max(time.time() - epoch_started, 1e-9):.0f} img/s  data wait {100 * waiting:.1f}%",
                    flush=True,
                )
                # Before the epoch record: a reader that sees the epoch finds its confusion line already there.
                run.record_confusion(epoch + 1, iteration, y_test, num_classes, top_classes, top_probs)
                run.append(
                    METRICS,
                    {
                        "type": "epoch",
                        "epoch": epoch + 1,
                        "iteration": iteration,
                        "trainLoss": sums[0] / max(1, sums[2]),
                        "trainError": epoch_error,
                        "testLoss": test_loss / len(test_x),
                        "testError": test_error,
                        "seconds": time.time() - epoch_started,
                        "dataWaitShare": waiting,
                        **memory(),
                    },
                )
            improved = best is None or test_error < best
            best = test_error if improved else best
            checkpoint("latest", epoch + 1, 0, None)
            if improved:
                checkpoint("best", epoch + 1, 0, None)
            last = time.perf_counter()  # the evaluation is not a step
            if (stopping or (args.stop_at and iteration >= args.stop_at)) and iteration < total:
                stop_reason = signal.Signals(signals.received).name if signals.received else f"--stop-at {args.stop_at}"
                status = "stopped"
                break
        if status != "stopped":
            status, exit_code = "finished", 0
        else:
            # A signal's stop exits as the signal would (schedulers see the job did not complete); --stop-at's with 0.
            exit_code = 128 + signals.received if signals.received else 0
            if run:
                print(
                    f"stopped at iteration {iteration} of {total} ({stop_reason}) with a checkpoint: "
                    f"python train.py --resume {run.dir} continues it",
                    flush=True,
                )
    except FloatingPointError as e:
        status, info = "diverged", info and {**info, "error": str(e)}
        print(str(e), file=sys.stderr, flush=True)
        exit_code = 3
    finally:
        prefetch.close()
        if run:
            final = {
                "iteration": iteration,
                "trainError": epoch_error if epoch_error is not None else train_error,
                "testError": test_error,
            }
            extra = {
                "dataWaitShare": prefetch.waited / max(stepping, 1e-9),
                "seconds": time.perf_counter() - started_all,
            }
            run.write_info(
                {
                    **info,
                    "status": status,
                    "final": final,
                    **extra,
                    **({"stoppedBy": stop_reason} if stop_reason else {}),
                }
            )
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
