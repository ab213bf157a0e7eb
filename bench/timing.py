"""The timing rule shared by the Python references of bench/train.ts (torch_resnet.py, tf_resnet.py)."""
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
