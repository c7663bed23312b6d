# The same tiny CNN in TensorFlow/Keras 2.21 (the runtime the native engine links): a peer on
# the same libraries. Eager GradientTape steps, and the same step in tf.function (graph).
#   .venv/bin/python packages/backend-cpu/bench/tiny_cnn_keras.py [steps]
import json, os, sys, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 20
tf.random.set_seed(1)
model = tf.keras.Sequential([
    tf.keras.Input((64, 64, 3)),
    tf.keras.layers.Conv2D(16, 3, padding="same", activation="relu"), tf.keras.layers.MaxPool2D(2),
    tf.keras.layers.Conv2D(32, 3, padding="same", activation="relu"), tf.keras.layers.MaxPool2D(2),
    tf.keras.layers.Conv2D(64, 3, padding="same", activation="relu"),
    tf.keras.layers.GlobalAveragePooling2D(), tf.keras.layers.Dense(1)])
x = tf.random.uniform([32, 64, 64, 3])
y = tf.cast(tf.random.uniform([32, 1]) > 0.5, tf.float32)
opt = tf.keras.optimizers.Adam(1e-3)
loss_fn = tf.keras.losses.BinaryCrossentropy(from_logits=True)

def step():
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    opt.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
    return loss

def bench(fn):
    for _ in range(3): float(fn())
    times = []
    for _ in range(steps):
        t0 = time.perf_counter(); float(fn()); times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return round(times[steps // 2], 1)

print(json.dumps({"engine": f"keras eager (TF {tf.__version__})", "medianMs": bench(step)}))
print(json.dumps({"engine": f"keras tf.function (TF {tf.__version__})", "medianMs": bench(tf.function(step))}))
