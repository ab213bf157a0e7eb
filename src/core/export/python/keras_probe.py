"""What this Python offers the Keras engine (src/core/export/tfPython.ts runs it with python -c): prints one
JSON line with Keras' version, the backends it can import (JAX first, train.py's default) and, with --devices,
the default backend's devices. Not part of an exported project."""

import importlib.util
import json
import os
import sys

backends = [b for b in ("jax", "tensorflow") if importlib.util.find_spec(b)]
# Keras imports its backend when it is imported, TensorFlow unless told: tell it, as train.py does.
os.environ["KERAS_BACKEND"] = backends[0] if backends else "jax"
import keras  # noqa: E402 (after KERAS_BACKEND)

assert int(keras.__version__.split(".")[0]) >= 3, f"Keras {keras.__version__} is not Keras 3"
out = {"keras": keras.__version__, "backends": backends}
if "--devices" in sys.argv and backends:
    if backends[0] == "jax":
        import jax

        d = jax.devices()
        out["devices"] = {
            "count": len(d),
            "platform": d[0].platform,
            "name": d[0].device_kind if d[0].platform == "gpu" else d[0].platform,
        }
    else:
        import tensorflow as tf

        g = tf.config.list_physical_devices("GPU")
        out["devices"] = {
            "count": max(1, len(g)),
            "platform": "gpu" if g else "cpu",
            "name": tf.config.experimental.get_device_details(g[0]).get("device_name", "gpu") if g else "cpu",
        }
print(json.dumps(out))
