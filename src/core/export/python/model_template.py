"""RESNET_LAB_MODEL_DOC: the template of an exported project's model.py. src/core/export/kerasProject.ts
replaces this docstring with the model's, ENDS_IN_SOFTMAX's value, and build_model's docstring and body
with the Keras code of the layer graph (src/core/export/kerasModel.ts); the rest is written as it is here.
"""

import json
import os

import keras
import numpy as np
from keras import layers, ops

HERE = os.path.dirname(os.path.abspath(__file__))
# build_model(logits=True) returns the logits under the final softmax (train.py's loss reads them).
ENDS_IN_SOFTMAX = False


@keras.saving.register_keras_serializable(package="resnet_lab")
class ZeroPadShortcut(layers.Layer):
    """Option A's shortcut (He et al. 2015, Sec. 3.3): identity, subsampled by
    the stride (x[:, ::s, ::s, :]) and with zero channels appended up to
    out_channels. No parameters."""

    def __init__(self, stride, out_channels, **kwargs):
        super().__init__(**kwargs)
        self.stride = stride
        self.out_channels = out_channels

    def call(self, x):
        if self.stride > 1:
            x = x[:, :: self.stride, :: self.stride, :]
        extra = self.out_channels - x.shape[-1]
        if extra > 0:
            x = ops.pad(x, [[0, 0], [0, 0], [0, 0], [0, extra]])
        return x

    def compute_output_shape(self, input_shape):
        n, h, w, _ = input_shape

        def sub(d):
            return None if d is None else -(-d // self.stride)

        return (n, sub(h), sub(w), self.out_channels)

    def get_config(self):
        return {**super().get_config(), "stride": self.stride, "out_channels": self.out_channels}


def build_model(logits=False):
    """RESNET_LAB_BUILD_MODEL_DOC"""
    raise NotImplementedError("RESNET_LAB_LAYERS")


def load_weights(model, folder=HERE):
    """Sets every layer's weights from weights.json + weights.bin (float32,
    little endian, each layer's arrays in the order set_weights takes them)."""
    with open(os.path.join(folder, "weights.json")) as f:
        manifest = json.load(f)
    data = np.fromfile(os.path.join(folder, "weights.bin"), dtype="<f4")
    for entry in manifest["layers"]:
        arrays = [
            data[w["offset"] : w["offset"] + int(np.prod(w["shape"]))].reshape(w["shape"]) for w in entry["weights"]
        ]
        model.get_layer(entry["layer"]).set_weights(arrays)
    return model


if __name__ == "__main__":
    model = load_weights(build_model())
    model.summary()
