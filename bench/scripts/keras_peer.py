#!/usr/bin/env python3
"""A benchmark model in TensorFlow/Keras on the TensorFlow libraries the native CPU engine links
(the project's .venv): a peer on the same runtime. The model is the bench's spec
(bench/python/specs/MODEL.json, built by bench/python/models.py), trained with Keras' Adam and
sigmoid cross-entropy on one fixed batch, eager (GradientTape) and in tf.function (graph).
Prints one JSON line per mode: the median step time after the warm-up steps.

    .venv/bin/python bench/scripts/keras_peer.py [--model tiny-cnn|efficientnet-b0] [--steps 20] [--batch-size 32] [--image-size 64]
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from step_arguments import step_arguments  # noqa: E402
from models import keras_model, load_spec  # noqa: E402

WARMUP = 3


def main() -> int:
    args = step_arguments(__doc__)

    import tensorflow as tf

    spec = load_spec(args.model)
    model = keras_model(spec, args.image_size)
    x = tf.random.uniform([args.batch_size, args.image_size, args.image_size, spec["inputChannels"]], seed=7)
    y = tf.cast(tf.random.uniform([args.batch_size, 1], seed=8) > 0.5, tf.float32)
    optimizer = tf.keras.optimizers.Adam(1e-3)
    loss_fn = tf.keras.losses.BinaryCrossentropy(from_logits=True)

    def step():
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
        return loss

    for mode, fn in (("eager", step), ("tf.function", tf.function(step))):
        for _ in range(WARMUP):
            float(fn())
        times = []
        for _ in range(args.steps):
            t0 = time.perf_counter()
            loss = float(fn())
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        print(json.dumps({
            "engine": f"keras {mode} (TF {tf.__version__})",
            "model": f"{spec['name']} {args.batch_size}x{args.image_size}x{args.image_size}, {model.count_params()} params",
            "medianMs": round(times[len(times) // 2], 1),
            "loss": round(loss, 4),
        }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
