# The Keras peer of efficientnet-b0.mjs on the same TF 2.21 libraries: EfficientNetB0 (no
# weights, avg pooling) plus Dense(1), Adam, one fixed batch; eager and tf.function steps.
#   .venv/bin/python packages/backend-cpu/bench/efficientnet_b0_keras.py [steps] [batch] [size]
import json, os, sys, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf

steps, batch, size = [int(a) for a in (sys.argv[1:] + ["8", "32", "128"][len(sys.argv) - 1:])][:3]
tf.random.set_seed(1)
base = tf.keras.applications.EfficientNetB0(include_top=False, weights=None, input_shape=(size, size, 3), pooling="avg")
model = tf.keras.Model(base.input, tf.keras.layers.Dense(1)(base.output))
x = tf.random.normal([batch, size, size, 3])
y = tf.cast(tf.random.uniform([batch, 1]) > 0.5, tf.float32)
opt = tf.keras.optimizers.Adam(1e-3)
loss_fn = tf.keras.losses.BinaryCrossentropy(from_logits=True)

def step():
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    opt.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
    return loss

for name, fn in (("eager", step), ("tf.function", tf.function(step))):
    times = []
    for _ in range(steps):
        t0 = time.perf_counter(); float(fn()); times.append((time.perf_counter() - t0) * 1000)
    steady = sorted(times[2:])
    print(json.dumps({"engine": f"keras {name} (TF {tf.__version__})", "medianMs": round(steady[len(steady) // 2])}))
