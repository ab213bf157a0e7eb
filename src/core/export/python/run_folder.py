"""ResNet Lab's run folder, as train.py writes and resumes it (src/core/runs/runFolder.ts and
checkpoint.ts are the originals): run.json, metrics.jsonl, gradients.jsonl, and checkpoints in the
tfjs layers format with the optimizer's velocities in the tfjs model's trainable-weight order
(optimizer.bin), as ResNet Lab's trainer writes them. Only the chief writes."""

import json
import os
import shutil
from datetime import datetime

import numpy as np

# The run folder's file names: ResNet Lab's own (src/core/runs/runFiles.ts; a test keeps them equal).
RUN_JSON, METRICS, GRADIENTS, CHECKPOINTS = "run.json", "metrics.jsonl", "gradients.jsonl", "checkpoints"
MODEL_JSON, WEIGHTS_BIN, OPTIMIZER_BIN, STATE_JSON = "model.json", "weights.bin", "optimizer.bin", "state.json"
DISTRIBUTIONS = "distributions.jsonl"
CONFUSION, PREDICTIONS_BIN = "confusion.jsonl", "predictions.bin"


class RunFolder:
    """run.json, metrics.jsonl, gradients.jsonl and checkpoints/ of one run."""

    def __init__(self, directory):
        self.dir = directory

    @classmethod
    def create(cls, runs_dir, experiment):
        os.makedirs(runs_dir, exist_ok=True)
        base = (
            datetime.now().strftime("%Y%m%d-%H%M%S")
            + "-"
            + "".join(c if c.isalnum() or c in "._-" else "_" for c in experiment)
        )
        for i in range(1000):
            directory = os.path.join(runs_dir, base if i == 0 else f"{base}-{i}")
            try:
                os.makedirs(directory)
                return cls(directory)
            except FileExistsError:
                continue
        raise SystemExit(f"could not make a run folder in {runs_dir}")

    @classmethod
    def reuse(cls, directory):
        """--run-dir's folder on a first start (or after a start that died before its first checkpoint):
        its records go."""
        os.makedirs(directory, exist_ok=True)
        run = cls(directory)
        for name in (METRICS, GRADIENTS, DISTRIBUTIONS):
            if os.path.exists(os.path.join(directory, name)):
                os.remove(run._inside(os.path.join(directory, name)))
        return run

    def has_checkpoint(self):
        return any(os.path.exists(os.path.join(self.dir, CHECKPOINTS, n, STATE_JSON)) for n in ("latest", "latest.old"))

    def read_info(self):
        with open(os.path.join(self.dir, RUN_JSON)) as f:
            return json.load(f)

    def write_info(self, info):
        self._replace(RUN_JSON, json.dumps(info))  # write-then-rename, as ResNet Lab does

    def append(self, name, record):
        with open(os.path.join(self.dir, name), "a") as f:
            f.write(json.dumps(record) + "\n")

    def record_confusion(self, epoch, iteration, labels, num_classes, classes, probs):
        """confusion.jsonl's line for this evaluation and its block in predictions.bin, in the layout of
        src/core/runs/confusionRecords.ts and predictionsFile.ts: classes and probs are (examples, k), best first."""
        labels = np.asarray(labels, np.int64)
        top1 = np.asarray(classes, np.int64)[:, 0]
        matrix = np.zeros((num_classes, num_classes), np.int64)
        np.add.at(matrix, (labels, top1), 1)
        record = {"epoch": epoch, "iteration": iteration, "matrix": matrix.tolist()}
        if num_classes <= 256:
            record["predictions"] = self._append_predictions(labels, num_classes, classes, probs)
        self.append(CONFUSION, record)

    def _append_predictions(self, labels, num_classes, classes, probs):
        path = self._inside(os.path.join(self.dir, PREDICTIONS_BIN))
        count, k = np.asarray(classes).shape
        header = b"RLPR" + bytes([1, k]) + int(num_classes).to_bytes(2, "little") + count.to_bytes(4, "little")
        header += bytes(4)
        fresh = True
        if os.path.exists(path):
            with open(path, "rb") as f:
                fresh = f.read(len(header)) != header  # another test set (or not ours): start afresh
        if fresh:
            with open(path, "wb") as f:
                f.write(header + labels.astype(np.uint8).tobytes())
        offset = os.path.getsize(path)
        quantised = np.rint(np.clip(np.nan_to_num(np.asarray(probs, np.float64)), 0, 1) * 255).astype(np.uint8)
        with open(path, "ab") as f:
            f.write(np.asarray(classes, np.uint8).tobytes() + quantised.tobytes())
        return offset

    def truncate_after(self, name, iteration):
        """On resume: records after the checkpoint go, so the curve continues without duplicates."""
        path = os.path.join(self.dir, name)
        if not os.path.exists(path):
            return
        kept = []
        with open(path) as f:
            for line in f:
                try:
                    if json.loads(line)["iteration"] <= iteration:
                        kept.append(line if line.endswith("\n") else line + "\n")
                except (ValueError, KeyError):
                    pass  # a line torn by a killed writer
        self._replace(name, "".join(kept))

    def _replace(self, name, text):
        tmp = os.path.join(self.dir, f"{name}.{os.getpid()}.tmp")
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, os.path.join(self.dir, name))

    def _inside(self, path):
        """Refuses a path that leaves the run folder (a symlinked checkpoints/, say): nothing outside it is touched."""
        real, root = os.path.realpath(path), os.path.realpath(self.dir)
        if os.path.commonpath([real, root]) != root:
            raise SystemExit(f"{path} leads outside the run folder (to {real}): refusing to write there")
        return path

    def checkpoint(self, kind, weights, arrays, state):
        """checkpoints/<kind>/: model.json + weights.bin (tfjs layers format), optimizer.bin, state.json."""
        os.makedirs(self._inside(os.path.join(self.dir, CHECKPOINTS)), exist_ok=True)
        final = self._inside(os.path.join(self.dir, CHECKPOINTS, kind))
        tmp, old = self._inside(final + ".tmp"), self._inside(final + ".old")
        if os.path.exists(tmp):
            shutil.rmtree(tmp)
        os.makedirs(tmp)
        weights.save(tmp, *arrays)
        with open(os.path.join(tmp, STATE_JSON), "w") as f:
            json.dump(state, f)
        # Swap folders, so a crash leaves the old or the new checkpoint whole.
        if os.path.exists(old):
            shutil.rmtree(old)
        if os.path.exists(final):
            os.replace(final, old)
        os.replace(tmp, final)
        if os.path.exists(old):
            shutil.rmtree(old)

    def latest_checkpoint(self):
        for name in ("latest", "latest.old"):
            folder = os.path.join(self.dir, CHECKPOINTS, name)
            if os.path.exists(os.path.join(folder, STATE_JSON)):
                return self._inside(folder)
        raise SystemExit(
            f"{self.dir} has no checkpoint to resume from (it stopped before the first one was written): train it again"
        )


class TfjsWeights:
    """The Keras model's variables (and SGD velocities) under the tfjs model's weight names and order,
    so checkpoints are ResNet Lab's: its lesion study, responses, report, resume and tf.loadLayersModel
    read them. Arrays come from and go to the engine as {variable path: array} and a list of velocities
    in model.trainable_variables' order."""

    def __init__(self, model, tfjs_model, keras_name, keras_version):
        self.tfjs_model = tfjs_model
        self.keras_version = keras_version
        self.path = {}
        for layer in model.layers:
            for w in layer.weights:
                self.path[layer.name + "/" + w.path.rsplit("/", 1)[-1]] = w.path
        self.keras_name = keras_name
        index = {v.path: i for i, v in enumerate(model.trainable_variables)}
        # Our trainer's velocities follow model.trainableWeights (tfjs_model.json "trainable").
        self.velocity_index = [index[self.variable(name)] for name in tfjs_model.get("trainable", [])]

    def variable(self, tfjs_name):
        """The Keras variable path of a tfjs weight name."""
        layer, field = tfjs_name.rsplit("/", 1)
        if layer not in self.keras_name:
            raise SystemExit(
                f"the checkpoint names layer {layer}, which this model does not have: "
                "the model file changed since the run"
            )
        return self.path[self.keras_name[layer] + "/" + field]

    def save(self, folder, weights, velocities):
        specs = self.tfjs_model["weightSpecs"]
        with open(os.path.join(folder, MODEL_JSON), "w") as f:
            json.dump(
                {
                    "modelTopology": self.tfjs_model["modelTopology"],
                    "format": "layers-model",
                    "generatedBy": "keras " + self.keras_version,
                    "convertedBy": "resnet-lab train.py",
                    "weightsManifest": [{"paths": [WEIGHTS_BIN], "weights": specs}],
                },
                f,
            )
        np.concatenate([np.asarray(weights[self.variable(s["name"])], dtype="<f4").ravel() for s in specs]).tofile(
            os.path.join(folder, WEIGHTS_BIN)
        )
        if self.velocity_index:
            np.concatenate([np.asarray(velocities[i], dtype="<f4").ravel() for i in self.velocity_index]).tofile(
                os.path.join(folder, OPTIMIZER_BIN)
            )

    def load(self, folder, shapes):
        """Weights from a checkpoint ({path: array}), and the velocities in trainable order when it has
        them (None when momentum restarts from zero). `shapes`: the trainable variables' shapes."""
        with open(os.path.join(folder, MODEL_JSON)) as f:
            specs = json.load(f)["weightsManifest"][0]["weights"]
        flat = np.fromfile(os.path.join(folder, WEIGHTS_BIN), dtype="<f4")
        weights, offset = {}, 0
        for s in specs:
            n = int(np.prod(s["shape"]))
            weights[self.variable(s["name"])] = flat[offset : offset + n].reshape(s["shape"])
            offset += n
        path = os.path.join(folder, OPTIMIZER_BIN)
        if not self.velocity_index or not os.path.exists(path):
            return weights, None
        flat = np.fromfile(path, dtype="<f4")
        velocities, offset = [None] * len(shapes), 0
        for i in self.velocity_index:
            n = int(np.prod(shapes[i]))
            velocities[i] = flat[offset : offset + n].reshape(shapes[i])
            offset += n
        if offset != len(flat):
            raise SystemExit(f"{path} does not match the model ({len(flat)} values, the model has {offset})")
        return weights, velocities
