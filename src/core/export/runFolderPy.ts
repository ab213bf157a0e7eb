// run_folder.py of the exported Keras project: ResNet Lab's run folder as
// train.py writes and resumes it (src/core/runs/runFolder.ts and
// checkpoint.ts are the originals): run.json, metrics.jsonl, gradients.jsonl,
// and checkpoints in the tfjs layers format with the optimizer's velocities in
// the tfjs model's trainable-weight order (optimizer.bin), as our trainer
// writes them. Kept as a string so the bundled CLI needs no extra file; no
// backticks, and its only template placeholders are the run folder's file
// names (src/core/runs/runFiles.ts).
import { CHECKPOINT_FILES, CHECKPOINTS, GRADIENTS, METRICS, RUN_JSON } from '../runs/runFiles';

export const RUN_FOLDER_PY = String.raw`"""ResNet Lab's run folder, as train.py writes and resumes it. Only the chief writes."""
import json
import os
import shutil
from datetime import datetime

import numpy as np

# The run folder's file names, filled in from ResNet Lab's own (src/core/runs/runFiles.ts).
RUN_JSON, METRICS, GRADIENTS, CHECKPOINTS = "${RUN_JSON}", "${METRICS}", "${GRADIENTS}", "${CHECKPOINTS}"
MODEL_JSON, WEIGHTS_BIN, OPTIMIZER_BIN, STATE_JSON = "${CHECKPOINT_FILES.model}", "${CHECKPOINT_FILES.weights}", "${CHECKPOINT_FILES.optimizer}", "${CHECKPOINT_FILES.state}"

class RunFolder:
    """run.json, metrics.jsonl, gradients.jsonl and checkpoints/ of one run."""

    def __init__(self, directory):
        self.dir = directory

    @classmethod
    def create(cls, runs_dir, experiment):
        os.makedirs(runs_dir, exist_ok=True)
        base = datetime.now().strftime("%Y%m%d-%H%M%S") + "-" + "".join(c if c.isalnum() or c in "._-" else "_" for c in experiment)
        for i in range(1000):
            directory = os.path.join(runs_dir, base if i == 0 else "%s-%d" % (base, i))
            try:
                os.makedirs(directory)
                return cls(directory)
            except FileExistsError:
                continue
        raise SystemExit("could not make a run folder in %s" % runs_dir)

    def read_info(self):
        with open(os.path.join(self.dir, RUN_JSON)) as f:
            return json.load(f)

    def write_info(self, info):
        self._replace(RUN_JSON, json.dumps(info))  # write-then-rename, as ResNet Lab does

    def append(self, name, record):
        with open(os.path.join(self.dir, name), "a") as f:
            f.write(json.dumps(record) + "\n")

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
        tmp = os.path.join(self.dir, name + ".%d.tmp" % os.getpid())
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, os.path.join(self.dir, name))

    def checkpoint(self, kind, weights, state):
        """checkpoints/<kind>/: model.json + weights.bin (tfjs layers format), optimizer.bin, state.json."""
        final = os.path.join(self.dir, CHECKPOINTS, kind)
        tmp, old = final + ".tmp", final + ".old"
        if os.path.exists(tmp):
            shutil.rmtree(tmp)
        os.makedirs(tmp)
        weights.save(tmp)
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
                return folder
        raise SystemExit("%s has no checkpoint to resume from (it stopped before the first one was written): train it again" % self.dir)


class TfjsWeights:
    """The Keras model's variables (and SGD velocities) under the tfjs model's weight names and order,
    so checkpoints are ResNet Lab's: its lesion study, responses, report, resume and tf.loadLayersModel read them."""

    def __init__(self, model, tfjs_model, keras_name, trainable_vars, velocities, keras_version):
        self.tfjs_model = tfjs_model
        self.keras_version = keras_version
        self.variables = {}
        for layer in model.layers:
            for w in layer.weights:
                self.variables[layer.name + "/" + w.path.rsplit("/", 1)[-1]] = w
        self.keras_name = keras_name
        velocity_of = {w.path: v for w, v in zip(trainable_vars, velocities)}
        # Our trainer's velocities follow model.trainableWeights (tfjs_model.json "trainable").
        self.velocities = [velocity_of[self.variable(name).path] for name in tfjs_model.get("trainable", [])]

    def variable(self, tfjs_name):
        layer, field = tfjs_name.rsplit("/", 1)
        if layer not in self.keras_name:
            raise SystemExit("the checkpoint names layer %s, which this model does not have: the model file changed since the run" % layer)
        return self.variables[self.keras_name[layer] + "/" + field]

    def save(self, folder):
        specs = self.tfjs_model["weightSpecs"]
        with open(os.path.join(folder, MODEL_JSON), "w") as f:
            json.dump({"modelTopology": self.tfjs_model["modelTopology"], "format": "layers-model", "generatedBy": "keras " + self.keras_version,
                       "convertedBy": "resnet-lab train.py", "weightsManifest": [{"paths": [WEIGHTS_BIN], "weights": specs}]}, f)
        np.concatenate([np.asarray(self.variable(s["name"]).numpy(), dtype="<f4").ravel() for s in specs]).tofile(os.path.join(folder, WEIGHTS_BIN))
        if self.velocities:
            np.concatenate([np.asarray(v.numpy(), dtype="<f4").ravel() for v in self.velocities]).tofile(os.path.join(folder, OPTIMIZER_BIN))

    def load(self, folder):
        """Weights from a checkpoint, and the velocities when it has them (False when momentum restarts from zero)."""
        with open(os.path.join(folder, MODEL_JSON)) as f:
            specs = json.load(f)["weightsManifest"][0]["weights"]
        flat = np.fromfile(os.path.join(folder, WEIGHTS_BIN), dtype="<f4")
        offset = 0
        for s in specs:
            n = int(np.prod(s["shape"]))
            self.variable(s["name"]).assign(flat[offset: offset + n].reshape(s["shape"]))
            offset += n
        path = os.path.join(folder, OPTIMIZER_BIN)
        if not self.velocities or not os.path.exists(path):
            return False
        flat = np.fromfile(path, dtype="<f4")
        offset = 0
        for v in self.velocities:
            n = int(np.prod(v.shape))
            v.assign(flat[offset: offset + n].reshape(v.shape))
            offset += n
        if offset != len(flat):
            raise SystemExit("%s does not match the model (%d values, the model has %d)" % (path, len(flat), offset))
        return True
`;
