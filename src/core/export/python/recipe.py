"""train.py's command line and ResNet Lab's recipe: the options (the same names as "resnet-lab train"),
the backend choice, and the learning-rate schedule (src/core/train/schedule.ts is the original)."""

import argparse
import importlib.util
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description="Trains the exported model with ResNet Lab's recipe (README.md says how on GPUs and clusters)."
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument("--runs-dir", default=os.path.join(HERE, "runs"), help="a new run folder is made in it")
    where.add_argument(
        "--run-dir", help="this run folder: made on the first start, resumed on the next (for requeued jobs)"
    )
    where.add_argument("--resume", metavar="RUN_DIR", help="continue this run from its latest checkpoint")
    p.add_argument("--data-dir")
    p.add_argument("--iterations", type=int)
    p.add_argument("--epochs", type=int)
    p.add_argument(
        "--seed",
        type=int,
        help="initial weights (Keras initializers when it is not the exported weights' seed), batch order, crops",
    )
    p.add_argument("--batch-size", type=int, help="the global batch, split over every device of every process")
    p.add_argument("--lr", type=float)
    p.add_argument("--warmup-lr", type=float, help="this lr until training error < 80%% (at most 400 iterations)")
    p.add_argument("--limit-train", type=int)
    p.add_argument("--limit-test", type=int)
    p.add_argument("--grad-every", type=int)
    p.add_argument("--dist-every", type=int, help="kernel and block-output distributions every N iterations")
    p.add_argument("--backend", choices=["jax", "tensorflow"], help="Keras' backend (default: jax when installed)")
    p.add_argument(
        "--precision",
        choices=["fp32", "bf16"],
        default="fp32",
        help="bf16: Keras' mixed_bfloat16 (weights, loss and momentum in float32)",
    )
    p.add_argument("--checkpoint-every", type=int, help="a checkpoint every N iterations, besides each epoch's")
    p.add_argument("--stop-at", type=int, help="stop with a checkpoint once this iteration is done")
    p.add_argument(
        "--lockstep",
        action="store_true",
        help="read each step's numbers before starting the next (slower where the host's work shows; to compare); "
        "give it to every process",
    )
    p.add_argument("--coordinator", help="JAX, several processes: process 0's HOST:PORT")
    p.add_argument("--num-processes", type=int, default=1)
    p.add_argument("--process-id", type=int, default=0)
    args = p.parse_args(argv)
    for name in (
        "iterations",
        "epochs",
        "batch_size",
        "limit_train",
        "limit_test",
        "grad_every",
        "dist_every",
        "checkpoint_every",
        "stop_at",
        "num_processes",
    ):
        v = getattr(args, name)
        if v is not None and v < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1, not {v}")
    if args.seed is not None and not 0 <= args.seed < 2**32:
        p.error(f"--seed must be in [0, 2^32), not {args.seed}")
    return args


def choose_backend(requested):
    """Keras reads KERAS_BACKEND once, when it is imported: decide before importing it."""
    if requested:
        return requested
    if os.environ.get("KERAS_BACKEND") in ("jax", "tensorflow"):
        return os.environ["KERAS_BACKEND"]
    return "jax" if importlib.util.find_spec("jax") else "tensorflow"


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


def memory():
    """This process's resident memory now and at its peak (MB), as ResNet Lab's trainer records them per epoch."""
    try:
        import resource

        with open("/proc/self/statm") as f:
            rss = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
        return {"rssMB": round(rss), "peakRssMB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    except (OSError, ImportError, ValueError):
        return {}  # not Linux: no figures rather than wrong ones


def apply_overrides(recipe, args):
    """The same overrides as "resnet-lab train"; run.json records them."""
    recipe = dict(recipe)
    if args.epochs:
        recipe["epochs"] = args.epochs
        recipe.pop("iterations", None)  # run.json's schema takes a number or nothing, not null
    if args.iterations:
        recipe["iterations"] = args.iterations
    if args.seed is not None:
        recipe["seed"] = args.seed
    if args.batch_size:
        recipe["batchSize"] = args.batch_size
    if args.lr:
        recipe["optimizer"] = {**recipe["optimizer"], "lr": args.lr}
    if args.warmup_lr:
        recipe["schedule"] = {
            **recipe["schedule"],
            "warmup": {"lr": args.warmup_lr, "untilTrainError": 0.8, "maxIterations": 400},
        }
    if args.limit_train or args.limit_test:
        limits = {k: v for k, v in (("limitTrain", args.limit_train), ("limitTest", args.limit_test)) if v}
        recipe["data"] = {**recipe["data"], **limits}
    if args.grad_every:
        recipe["gradientNormEvery"] = args.grad_every
    if args.dist_every:
        recipe["distributionEvery"] = args.dist_every
    return recipe
