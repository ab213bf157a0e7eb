"""The data of train.py: CIFAR-10 binary, MNIST idx and the exported synthetic set; ResNet Lab's
augmentation, vectorised; and a prefetcher that makes the next batch while the device steps."""

import gzip
import os
import queue
import threading
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


class DataError(Exception):
    """Missing or corrupt data: the message names the file and what to do."""


def _idx(path):
    """An idx file (MNIST's format), plain or gzipped: uint8 array of its shape."""
    for p in (path, path + ".gz"):
        if os.path.exists(p):
            raw = (gzip.open if p.endswith(".gz") else open)(p, "rb").read()
            dims = raw[3]
            shape = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
            if len(raw) != 4 + 4 * dims + int(np.prod(shape)):
                raise DataError(f"{p} is truncated or not an idx file: download it again")
            return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)
    raise DataError(f"{path}[.gz] is missing: put the data set there or pass --data-dir")


def _cifar10(folder):
    """CIFAR-10's binary version: records of 1 label byte + 3072 bytes (R, G, B planes of 32x32)."""
    if os.path.isdir(os.path.join(folder, "cifar-10-batches-bin")):
        folder = os.path.join(folder, "cifar-10-batches-bin")

    def read(names):
        parts = []
        for n in names:
            p = os.path.join(folder, n)
            if not os.path.exists(p):
                raise DataError(f"{p} is missing: unpack cifar-10-binary.tar.gz there or pass --data-dir")
            raw = np.fromfile(p, dtype=np.uint8)
            if raw.size % 3073:
                raise DataError(f"{p} is not a whole number of CIFAR-10 records: download it again")
            parts.append(raw)
        raw = np.concatenate(parts).reshape(-1, 3073)
        return raw[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).copy(), raw[:, 0].copy()

    return read([f"data_batch_{i}.bin" for i in range(1, 6)]), read(["test_batch.bin"])


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

        def labels(f):
            return _idx(os.path.join(folder, f))

        def images(f):
            return labels(f)[..., None]  # one channel

        train = (images("train-images-idx3-ubyte"), labels("train-labels-idx1-ubyte"))
        test = (images("t10k-images-idx3-ubyte"), labels("t10k-labels-idx1-ubyte"))
        source = folder
    else:
        raise DataError(f"data set {name!r} is not supported by train.py")
    if spec.get("limitTrain"):
        train = (train[0][: spec["limitTrain"]], train[1][: spec["limitTrain"]])
    if spec.get("limitTest"):
        test = (test[0][: spec["limitTest"]], test[1][: spec["limitTest"]])
    return train, test, source


def normalise(images, mean):
    """Bytes to [0, 1], minus the per-pixel mean of the training set (He et al. Sec. 4.2)."""
    return images.astype(np.float32) / 255.0 - mean


def augmentation(rng, n, pad, flip):
    """One draw for the whole global batch (offsets and flips, in this order), so every device and
    process count crops an image the same way and each process can apply its own rows only."""
    offsets = rng.integers(0, 2 * pad + 1, size=(n, 2))
    flips = rng.random(n) < 0.5 if flip else np.zeros(n, dtype=bool)
    return offsets, flips


def augment(x, offsets, flips, pad):
    """4-pixel zero padding (after mean subtraction, as ResNet Lab does), each image's crop back to
    size and its flip, as one gather over the batch (no loop over images)."""
    n, h, w, _ = x.shape
    padded = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    rows = offsets[:, 0, None] + np.arange(h)  # [n, h]
    cols = np.where(flips[:, None], w - 1 - np.arange(w), np.arange(w)) + offsets[:, 1, None]  # [n, w]
    return padded[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]


def process_rows(batch, device_count, process_count, process_index, devices="devices"):
    """Rows [lo, hi) of a global batch that one process feeds: its devices' shards, one per device."""
    if batch % device_count:
        raise SystemExit(
            f"the batch size {batch} does not split evenly over {device_count} {devices}: "
            f"choose a multiple of {device_count}"
        )
    share = batch // process_count
    return slice(process_index * share, (process_index + 1) * share)


class Batches:
    """The batches of the recipe for one process: the epoch's permutation and each iteration's
    augmentation are drawn from the seed alone (the same on every process and after a resume), and
    this process makes only its own rows [lo, hi) of each global batch."""

    def __init__(self, x, y, mean, seed, batch, rows, aug):
        self.x, self.y, self.mean, self.seed, self.batch, self.rows, self.aug = x, y, mean, seed, batch, rows, aug

    def order(self, epoch):
        return np.random.default_rng([self.seed, 11, epoch]).permutation(len(self.x))

    def make(self, order, b, iteration):
        idx = order[b * self.batch : (b + 1) * self.batch][self.rows]
        x = normalise(self.x[idx], self.mean)
        if self.aug:
            offsets, flips = augmentation(
                np.random.default_rng([self.seed, 13, iteration]), self.batch, self.aug["pad"], self.aug["flip"]
            )
            x = augment(x, offsets[self.rows], flips[self.rows], self.aug["pad"])
        return x, self.y[idx].astype(np.int32)


class Prefetcher:
    """Makes batches on a thread, `depth` ahead of the training step (numpy's copies and gathers
    release the GIL, so this overlaps with the device); `waited` is the time the step spent waiting."""

    def __init__(self, make, plan, depth=2):
        self.waited = 0.0
        self._queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(make, plan), daemon=True)
        self._thread.start()

    def _run(self, make, plan):
        try:
            for item in plan:
                if self._stop.is_set():
                    return
                batch = make(*item)
                while not self._stop.is_set():
                    try:
                        self._queue.put((item, batch), timeout=0.1)
                        break
                    except queue.Full:
                        continue
        except BaseException as e:  # handed to the step, which raises it with its own traceback
            self._queue.put((None, e))

    def next(self):
        t0 = time.perf_counter()
        item, batch = self._queue.get()
        self.waited += time.perf_counter() - t0
        if item is None:
            raise batch
        return item, batch

    def close(self):
        self._stop.set()
        self._thread.join(timeout=5)
