"""train.py's step on Keras 3's TensorFlow backend: a tf.function under
tf.distribute.MultiWorkerMirroredStrategy (several machines through TF_CONFIG; every local GPU of
each). Each replica takes its own slice of the global batch; gradients are summed over replicas
(each replica's loss is divided by the global batch), so any replica count takes the same step.
Batch norm normalises each replica's slice, as tf.distribute does."""

import keras
import numpy as np
import tensorflow as tf

from data import process_rows


def initialize(coordinator, num_processes, process_id):
    if coordinator:
        raise SystemExit("--coordinator is for the JAX backend; TensorFlow's workers find each other through TF_CONFIG")


class TfEngine:
    name = "tensorflow"

    def __init__(self):
        self.strategy = tf.distribute.MultiWorkerMirroredStrategy()
        resolver = self.strategy.cluster_resolver
        spec = resolver.cluster_spec() if resolver else None
        self.process_count = max(1, spec.num_tasks("worker")) if spec and spec.jobs else 1
        self.process_index = resolver.task_id if resolver and resolver.task_type else 0
        self.device_count = self.strategy.num_replicas_in_sync
        self.local_device_count = self.device_count // self.process_count
        gpus = tf.config.list_logical_devices("GPU")
        name = (
            tf.config.experimental.get_device_details(tf.config.list_physical_devices("GPU")[0]).get(
                "device_name", "gpu"
            )
            if gpus
            else "cpu"
        )
        self.devices = {
            "count": self.device_count,
            "platform": "gpu" if gpus else "cpu",
            "name": name,
            "processes": self.process_count,
        }

    def version(self):
        return {"tensorflow": tf.__version__}

    def shards(self, batch):
        """Rows [lo, hi) of a global batch that this process feeds (its replicas' shards)."""
        return process_rows(batch, self.device_count, self.process_count, self.process_index, "replicas")

    def scope(self):
        return self.strategy.scope()

    def prepare(self, model, from_logits, recipe, layer_of, layer_names):
        self.model = model
        strategy = self.strategy
        opt = recipe["optimizer"]
        batch = recipe["batchSize"]
        weights = model.trainable_variables
        self.variables = {v.path: v for v in model.variables}
        with strategy.scope():
            self.velocities = [tf.Variable(tf.zeros(v.shape), trainable=False) for v in weights]
        decayed = [v.path.split("/")[-1] == "kernel" for v in weights]  # kernels only, not biases or BN

        def replica_step(x, y, stop):
            with tf.GradientTape() as tape:
                scores = tf.cast(model(x, training=True), tf.float32)
                per_example = keras.losses.sparse_categorical_crossentropy(y, scores, from_logits=from_logits)
                loss = tf.nn.compute_average_loss(per_example, global_batch_size=batch)
            grads = tape.gradient(loss, weights)
            wrong = tf.reduce_sum(tf.cast(tf.not_equal(tf.argmax(scores, -1, output_type=tf.int32), y), tf.float32))
            return loss, wrong, grads, stop

        @tf.function
        def train_step(x, y, lr, stop):
            loss, wrong, grads, stop = strategy.run(replica_step, args=(x, y, stop))
            # Summed over replicas: every replica gets the same mean gradient and applies the same update.
            loss = strategy.reduce(tf.distribute.ReduceOp.SUM, loss, axis=None)
            wrong = strategy.reduce(tf.distribute.ReduceOp.SUM, wrong, axis=None)
            stop = strategy.reduce(
                tf.distribute.ReduceOp.SUM, stop, axis=None
            )  # tf.distribute has no MAX: any flag makes the sum positive
            grads = [strategy.reduce(tf.distribute.ReduceOp.SUM, g, axis=None) for g in grads]
            for w, v, g, d in zip(weights, self.velocities, grads, decayed, strict=True):
                if d and opt["weightDecay"] > 0:
                    g = g + opt["weightDecay"] * w
                v.assign(opt["momentum"] * v + g)
                w.assign_sub(lr * v)
            squares = [tf.reduce_sum(tf.square(g)) for g in grads]
            norms = tf.stack(
                [
                    tf.sqrt(tf.add_n([s for s, layer in zip(squares, layer_of, strict=True) if layer == name]))
                    for name in layer_names
                ]
            )
            return loss, wrong, norms, stop

        @tf.function
        def eval_step(x, y):
            scores = tf.cast(model(x, training=False), tf.float32)
            loss = tf.reduce_sum(keras.losses.sparse_categorical_crossentropy(y, scores, from_logits=from_logits))
            wrong = tf.reduce_sum(tf.cast(tf.not_equal(tf.argmax(scores, -1, output_type=tf.int32), y), tf.float32))
            # Each example's top-k, for the confusion matrix (the same pass over the test set).
            top = tf.math.top_k(tf.nn.softmax(scores) if from_logits else scores, k=min(3, scores.shape[-1]))
            return loss, wrong, top.indices, top.values

        self._train_step, self._eval_step = train_step, eval_step

    def place(self, x, y, batch):
        return x, y  # tf.distribute places each replica's slice in step()

    def step(self, x, y, lr, stop, batch):
        return self.result(self.dispatch(x, y, lr, stop, batch))

    @staticmethod
    def result(handle):
        loss, wrong, norms, stop_any = handle
        return float(loss), float(wrong), norms.numpy(), float(tf.reduce_max(stop_any)) > 0

    def dispatch(self, x, y, lr, stop, batch):
        """Starts one step (on a GPU TensorFlow runs it while Python goes on); `result` waits for its numbers."""
        per = batch // self.device_count
        first = self.process_index * self.local_device_count

        def local(values):
            # Replica r (numbered across all workers) takes rows [r * per, (r + 1) * per) of the global batch;
            # this process holds its replicas' rows, starting at its first replica's.
            return self.strategy.experimental_distribute_values_from_function(
                lambda ctx: tf.constant(
                    values[
                        (ctx.replica_id_in_sync_group - first) * per : (ctx.replica_id_in_sync_group - first + 1) * per
                    ]
                )
            )

        flags = np.full((self.local_device_count * per,), 1.0 if stop else 0.0, np.float32)
        return self._train_step(local(x), local(y), tf.constant(lr, tf.float32), local(flags))

    def evaluate(self, x_test, y_test, size=256):
        """Summed test loss, errors, and each example's top-k classes and probabilities, (examples, k) each."""
        loss, wrong, classes, probs = 0.0, 0.0, [], []
        for i in range(0, len(x_test), size):
            batch_loss, batch_wrong, top_classes, top_probs = self._eval_step(
                tf.constant(x_test[i : i + size]), tf.constant(y_test[i : i + size].astype(np.int32))
            )
            loss += float(batch_loss)
            wrong += float(batch_wrong)
            classes.append(top_classes.numpy())
            probs.append(top_probs.numpy())
        return loss, wrong, np.concatenate(classes), np.concatenate(probs)

    def read(self):
        return (
            {p: np.asarray(v.numpy(), np.float32) for p, v in self.variables.items()},
            [np.asarray(v.numpy(), np.float32) for v in self.velocities],
        )

    def write(self, weights, velocities):
        for p, a in weights.items():
            self.variables[p].assign(a)
        if velocities is not None:
            for v, a in zip(self.velocities, velocities, strict=True):
                v.assign(a)

    def barrier(self, name):
        pass  # the chief alone writes; the workers' next collective waits for it


Engine = TfEngine
