"""train.py's step on Keras 3's JAX backend: one jit-compiled step over every device of every
process, the batch sharded along keras.distribution.DataParallel's mesh (one shard per device),
the weights replicated. XLA's partitioner sums the gradients across devices (and, through
jax.distributed, across processes), so N devices take the step one device takes on the whole
batch; batch norm's statistics are those of the global batch, as on one device."""

import os

import jax
import jax.numpy as jnp
import keras
import numpy as np
from jax.experimental import multihost_utils

from data import process_rows


def initialize(coordinator, num_processes, process_id):
    """Several processes: from the flags, else from Slurm's environment (jax detects it), else one."""
    if coordinator:
        jax.distributed.initialize(
            coordinator_address=coordinator,
            num_processes=num_processes,
            process_id=process_id,
            initialization_timeout=int(os.environ.get("RESNET_LAB_INIT_TIMEOUT", "300")),
        )
    elif int(os.environ.get("SLURM_NTASKS", "1")) > 1:
        jax.distributed.initialize()


def _cross_entropy(y, scores, from_logits):
    scores = scores.astype(jnp.float32)  # the loss in float32, whatever the compute precision
    if from_logits:
        logp = jax.nn.log_softmax(scores, axis=-1)
    else:
        logp = jnp.log(jnp.clip(scores, 1e-7, 1.0))
    return -jnp.take_along_axis(logp, y[:, None], axis=-1)[:, 0], jnp.argmax(scores, -1) != y


class JaxEngine:
    name = "jax"

    def __init__(self):
        self.process_index = jax.process_index()
        self.process_count = jax.process_count()
        devices = jax.devices()
        self.device_count = len(devices)
        self.local_device_count = jax.local_device_count()
        kind = devices[0].platform
        self.devices = {
            "count": self.device_count,
            "platform": kind,
            "name": devices[0].device_kind if kind == "gpu" else kind,
            "processes": self.process_count,
        }
        self.distribution = keras.distribution.DataParallel(devices=devices)
        keras.distribution.set_distribution(self.distribution)

    def version(self):
        return {"jax": jax.__version__}

    def shards(self, batch):
        """Rows [lo, hi) of a global batch that this process feeds (its devices' shards)."""
        return process_rows(batch, self.device_count, self.process_count, self.process_index, "devices")

    def scope(self):
        return _NoScope()

    def prepare(self, model, from_logits, recipe, layer_of, layer_names):
        """Compiles the step and the evaluation for this model; the state lives here from now on."""
        self.model = model
        opt = recipe["optimizer"]
        momentum, weight_decay = opt["momentum"], opt["weightDecay"]
        trainable = model.trainable_variables
        self.paths_t = [v.path for v in trainable]
        self.paths_n = [v.path for v in model.non_trainable_variables]
        decayed = [p.split("/")[-1] == "kernel" for p in self.paths_t]  # kernels only, not biases or BN
        groups = [[i for i, name in enumerate(layer_of) if name == layer] for layer in layer_names]
        # The state replicated over the data mesh, with the very sharding the step's outputs get (else the
        # second step compiles again).
        mesh = self.distribution.get_data_layout((self.device_count,)).backend_layout.mesh
        replicated = jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec())
        self.state = jax.device_put(
            (
                [v.value for v in trainable],
                [v.value for v in model.non_trainable_variables],
                [jnp.zeros(v.shape, jnp.float32) for v in trainable],
            ),
            replicated,
        )

        def loss_fn(tv, ntv, x, y):
            scores, ntv = model.stateless_call(tv, ntv, x, training=True)
            per_example, wrong = _cross_entropy(y, scores, from_logits)
            return jnp.mean(per_example), (ntv, jnp.sum(wrong))

        def step(state, x, y, lr, stop):
            tv, ntv, vel = state
            (loss, (ntv, wrong)), grads = jax.value_and_grad(loss_fn, has_aux=True)(tv, ntv, x, y)
            # SGD with momentum as PyTorch has it: v = m v + g + wd w (kernels only); w -= lr v.
            new_v = [
                momentum * v + g + (weight_decay * w if d and weight_decay > 0 else 0)
                for w, v, g, d in zip(tv, vel, grads, decayed, strict=True)
            ]
            new_w = [w - lr * v for w, v in zip(tv, new_v, strict=True)]
            squares = [jnp.sum(jnp.square(g.astype(jnp.float32))) for g in grads]
            norms = jnp.stack([jnp.sqrt(sum(squares[i] for i in g)) for g in groups])
            return (new_w, ntv, new_v), loss, wrong, norms, jnp.max(stop)

        def evaluate(tv, ntv, x, y, weight):
            scores, _ = model.stateless_call(tv, ntv, x, training=False)
            per_example, wrong = _cross_entropy(y, scores, from_logits)
            # Each example's top-k, for the confusion matrix (the same pass over the test set).
            scores = scores.astype(jnp.float32)
            probs, classes = jax.lax.top_k(
                jax.nn.softmax(scores, axis=-1) if from_logits else scores, min(3, scores.shape[-1])
            )
            return jnp.sum(per_example * weight), jnp.sum(wrong * weight), classes, probs

        self._step = jax.jit(step, donate_argnums=(0,))
        self._evaluate = jax.jit(evaluate)

    def _global(self, local, batch_rows):
        layout = self.distribution.get_data_layout((batch_rows,) + local.shape[1:])
        return jax.make_array_from_process_local_data(layout.backend_layout, local, (batch_rows,) + local.shape[1:])

    def place(self, x, y, batch):
        """This process's rows of a global batch, put on its devices as its shards of the global arrays."""
        return self._global(x, batch), self._global(y, batch)

    def dispatch(self, x, y, lr, stop, batch):
        """Starts one step on a placed batch and returns without waiting for it: its numbers, still on the
        devices, for `result`. `stop` is this process's wish to stop; the step reduces it over every process."""
        flags = np.full((self.local_device_count,), 1.0 if stop else 0.0, np.float32)
        self.state, loss, wrong, norms, stop_any = self._step(
            self.state, x, y, jnp.float32(lr), self._global(flags, self.device_count)
        )
        return loss, wrong, norms, stop_any

    @staticmethod
    def result(handle):
        """Waits for a dispatched step: its loss, errors, per-layer gradient norms (on the devices until read),
        and whether any process wished to stop (so all stop after the same step)."""
        loss, wrong, norms, stop_any = handle
        return float(loss), float(wrong), norms, bool(stop_any)

    def step(self, x, y, lr, stop, batch):
        return self.result(self.dispatch(x, y, lr, stop, batch))

    def evaluate(self, x_test, y_test, size=256):
        """Test loss (summed), errors, and each example's top-k classes and probabilities, (examples, k) each,
        over the whole test set; each process feeds its share of each batch."""
        size = -(-size // self.device_count) * self.device_count
        tv, ntv, _ = self.state
        loss, wrong, classes, probs = 0.0, 0.0, [], []
        for i in range(0, len(x_test), size):
            x, y = x_test[i : i + size], y_test[i : i + size].astype(np.int32)
            real = len(x)
            weight = np.ones(size, np.float32)
            if len(x) < size:  # the last batch, padded to the devices' multiple; the padding weighs nothing
                weight[len(x) :] = 0
                x = np.concatenate([x, np.zeros((size - len(x),) + x.shape[1:], x.dtype)])
                y = np.concatenate([y, np.zeros(size - len(y), y.dtype)])
            rows = self.shards(size)
            batch_loss, batch_wrong, top_classes, top_probs = self._evaluate(
                tv, ntv, self._global(x[rows], size), self._global(y[rows], size), self._global(weight[rows], size)
            )
            loss += float(batch_loss)
            wrong += float(batch_wrong)
            classes.append(self._gathered(top_classes)[:real])
            probs.append(self._gathered(top_probs)[:real])
        return loss, wrong, np.concatenate(classes), np.concatenate(probs)

    def _gathered(self, a):
        """A batch-sharded array as one host array in the global batch's order."""
        if self.process_count > 1:
            return np.asarray(multihost_utils.process_allgather(a, tiled=True))
        return np.asarray(a)

    @staticmethod
    def _host(a):
        return np.asarray(a.addressable_data(0), dtype=np.float32)  # replicated: any local shard is the whole

    def read(self):
        """{variable path: array} of every model variable, and the velocities in trainable order."""
        tv, ntv, vel = self.state
        weights = dict(zip(self.paths_t, map(self._host, tv), strict=True))
        weights.update(zip(self.paths_n, map(self._host, ntv), strict=True))
        return weights, [self._host(v) for v in vel]

    def write(self, weights, velocities):
        def put(old, new):
            return jax.make_array_from_callback(old.shape, old.sharding, lambda i: np.asarray(new, old.dtype)[i])

        tv, ntv, vel = self.state
        tv = [put(a, weights[p]) if p in weights else a for a, p in zip(tv, self.paths_t, strict=True)]
        ntv = [put(a, weights[p]) if p in weights else a for a, p in zip(ntv, self.paths_n, strict=True)]
        if velocities is not None:
            vel = [put(a, v) for a, v in zip(vel, velocities, strict=True)]
        self.state = (tv, ntv, vel)

    def barrier(self, name):
        if self.process_count > 1:
            multihost_utils.sync_global_devices(name)


Engine = JaxEngine


class _NoScope:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
