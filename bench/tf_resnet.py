"""TensorFlow's own graph mode for bench/train.ts: the same ResNet and recipe as
bench/torch_resnet.py and src/core/lib/cifar.ts, as a Keras 3 model whose whole
training step is one `tf.function` (a TensorFlow graph, grappler-optimised).
It is what ResNet Lab's graph mode (src/core/train/graph) aims to match: the
same TensorFlow, given the whole step at once.

SGD momentum 0.9, weight decay 1e-4 on conv and dense kernels only, BN eps
1e-5 and momentum 0.9, cross-entropy from the logits, random data.
Prints one JSON object as its last line, like torch_resnet.py. Run it with the
Python that setup-native built against (it has tensorflow):
    ~/.cache/resnet-lab/tf-venv/bin/python bench/tf_resnet.py --depth 20 --batch 128 --steps 5
"""

import json
import os
import resource
import statistics

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf  # noqa: E402
from tensorflow import keras  # noqa: E402

from timing import bench_args, timed  # noqa: E402


def conv(x, filters, stride=1):
    return keras.layers.Conv2D(filters, 3, stride, padding="same", use_bias=False, kernel_initializer="he_normal")(x)


def bn(x):
    return keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5)(x)


def shortcut(x, filters, stride):  # option A: subsample, zero-pad the new channels
    extra = filters - x.shape[-1]
    if stride == 1 and extra == 0:
        return x
    return keras.layers.Lambda(lambda t: tf.pad(t[:, ::stride, ::stride, :], [[0, 0], [0, 0], [0, 0], [0, extra]]))(x)


def resnet_cifar(depth, num_classes=10, widths=(16, 32, 64)):
    assert (depth - 2) % 6 == 0, "depth must be 6n+2"
    n = (depth - 2) // 6
    inputs = keras.Input((32, 32, 3))
    x = keras.layers.ReLU()(bn(conv(inputs, widths[0])))
    for stage, w in enumerate(widths):
        for b in range(n):
            stride = 2 if stage > 0 and b == 0 else 1
            f = keras.layers.ReLU()(bn(conv(x, w, stride)))
            f = bn(conv(f, w))
            x = keras.layers.ReLU()(keras.layers.Add()([shortcut(x, w, stride), f]))  # y = x + F(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, keras.layers.Dense(num_classes, kernel_initializer="he_normal")(x))


def main():
    args = bench_args()
    tf.random.set_seed(0)

    model = resnet_cifar(args.depth)
    kernels = [v for v in model.trainable_variables if "kernel" in v.path]
    opt = keras.optimizers.SGD(learning_rate=0.01, momentum=0.9)
    x = tf.random.normal((args.batch, 32, 32, 3))
    y = tf.random.uniform((args.batch,), 0, 10, dtype=tf.int32)

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            logits = model(x, training=True)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, logits))
        grads = tape.gradient(loss, model.trainable_variables)
        # weight decay on kernels only, added to the gradient as PyTorch's SGD does
        grads = [
            g + 1e-4 * v if any(v is k for k in kernels) else g
            for g, v in zip(grads, model.trainable_variables, strict=True)
        ]
        opt.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        errors = tf.reduce_sum(tf.cast(tf.argmax(logits, -1, output_type=tf.int32) != y, tf.int32))
        return loss, errors

    @tf.function
    def infer_step(x, y):
        logits = model(x, training=False)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, logits))
        return loss, tf.reduce_sum(tf.cast(tf.argmax(logits, -1, output_type=tf.int32) != y, tf.int32))

    # read back loss and error count each step, as the trainer does
    train_times = timed(
        lambda: [t.numpy() for t in train_step(x, y)], args.warmup, args.steps, args.min_seconds, args.max_seconds
    )
    infer_times = timed(
        lambda: [t.numpy() for t in infer_step(x, y)], 1, args.infer_steps, args.min_seconds, args.max_seconds
    )

    def rate(times):
        return args.batch / statistics.median(times)

    print(
        json.dumps(
            {
                "engine": "tf-python",
                "tensorflow": tf.__version__,
                "threads": os.cpu_count(),
                "depth": args.depth,
                "batch": args.batch,
                "trainSteps": len(train_times),
                "trainImagesPerSec": rate(train_times),
                "inferSteps": len(infer_times),
                "inferImagesPerSec": rate(infer_times),
                "peakRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
