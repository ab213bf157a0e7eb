"""The timing rule shared by the Python references of bench/train.ts (torch_resnet.py, tf_resnet.py)."""

import argparse
import time


def timed(step, warmup, steps, min_seconds, max_seconds):
    """Seconds per step: `warmup` untimed steps, then at least `steps` timed ones
    and at least `min_seconds` in all (at most 4 * steps); no more than
    `max_seconds` once two steps are in."""
    for _ in range(warmup):
        step()
    times, start = [], time.perf_counter()
    while len(times) < steps or (time.perf_counter() - start < min_seconds and len(times) < 4 * steps):
        if len(times) >= min(2, steps) and time.perf_counter() - start > max_seconds:
            break
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    return times


def bench_args(**extra):
    """The command line both references take (bench/train.ts passes it); `extra` adds options:
    name -> (type, default, help)."""
    p = argparse.ArgumentParser()
    p.add_argument("--depth", type=int, default=20)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--infer-steps", type=int, default=5)
    p.add_argument("--min-seconds", type=float, default=0)
    p.add_argument("--max-seconds", type=float, default=float("inf"))
    for name, (kind, default, help_) in extra.items():
        p.add_argument(f"--{name}", type=kind, default=default, help=help_)
    return p.parse_args()
