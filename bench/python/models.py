"""The benchmark models in Python, each built from its one definition: the spec JSON that
@strata/vision's ModelSpec gives (the bench sends it in the worker configuration; the scripts
read the copies in bench/python/specs/, which bench/scripts/write-specs.mjs writes and a bench
test keeps equal to the TypeScript specs).

A spec is a list of layers applied to [N, S, S, C] images (or to [N, C] vectors when its first
layer is dense, as the MLP's is) and ending in logits: conv2d
(TensorFlow's 'same' padding), depthwise2d, batchnorm (batch statistics, epsilon 1e-3),
activation (relu, swish, sigmoid), maxpool, global-avg-pool, dense, squeeze-excite and residual.
Weights are He-normal, biases and batch-norm offsets zero, batch-norm scales one, in every
framework. Every builder imports its framework only when called.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

BN_EPSILON = 1e-3
SPEC_DIR = Path(__file__).resolve().parent / "specs"


def load_spec(name: str) -> dict:
    """The spec of the benchmark model `name` ('tiny-cnn', 'efficientnet-b0')."""
    path = SPEC_DIR / f"{name}.json"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in SPEC_DIR.glob("*.json")))
        raise SystemExit(f"no model {name!r}; known: {known}")
    return json.loads(path.read_text())


def same_pads(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """TensorFlow's 'same' padding: ceil(size / stride) outputs, the extra pixel at the end."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def window_out(size: int, kernel: int, stride: int, padding: str) -> int:
    return math.ceil(size / stride) if padding == "same" else (size - kernel) // stride + 1


def unsupported(kind: str):
    return ValueError(f"layer kind {kind!r} is not built in Python (the bench's specs have no dropout)")


# ---------------------------------------------------------------------------------- PyTorch


def torch_model(spec: dict, image_size: int):
    """`spec` as a torch.nn.Sequential on NCHW images of `image_size` (or on [N, C] vectors), seeded with torch.manual_seed(1)."""
    import torch
    from torch import nn
    import torch.nn.functional as F

    def act(fn: str, x):
        if fn == "relu":
            return F.relu(x)
        if fn == "sigmoid":
            return torch.sigmoid(x)
        return F.silu(x)  # swish

    class Conv(nn.Module):
        def __init__(self, cin: int, layer: dict, size: int, groups: int = 1):
            super().__init__()
            cout = cin if groups > 1 else layer["filters"]
            k, s = layer["kernel"], layer["stride"]
            self.conv = nn.Conv2d(cin, cout, k, s, padding=0, bias=layer.get("bias", False), groups=groups)
            nn.init.kaiming_normal_(self.conv.weight)
            if self.conv.bias is not None:
                nn.init.zeros_(self.conv.bias)
            self.pads = (0, 0, 0, 0)
            if layer["padding"] == "same":
                top, bottom = same_pads(size, k, s)
                self.pads = (top, bottom, top, bottom)  # left, right, top, bottom (square)
            self.activation = layer.get("activation")

        def forward(self, x):
            if any(self.pads):
                x = F.pad(x, self.pads)
            y = self.conv(x)
            return act(self.activation, y) if self.activation else y

    class SqueezeExcite(nn.Module):
        def __init__(self, c: int, reduced: int):
            super().__init__()
            self.reduce = nn.Conv2d(c, reduced, 1)
            self.expand = nn.Conv2d(reduced, c, 1)

        def forward(self, x):
            s = x.mean((2, 3), keepdim=True)
            return x * torch.sigmoid(self.expand(F.silu(self.reduce(s))))

    class Lambda(nn.Module):
        def __init__(self, fn):
            super().__init__()
            self.fn = fn

        def forward(self, x):
            return self.fn(x)

    class Residual(nn.Module):
        def __init__(self, body: nn.Module):
            super().__init__()
            self.body = body

        def forward(self, x):
            return x + self.body(x)

    def build(layers: list, c: int, size: int):
        mods = []
        for layer in layers:
            kind = layer["kind"]
            if kind == "conv2d":
                mods.append(Conv(c, layer, size))
                c = layer["filters"]
                size = window_out(size, layer["kernel"], layer["stride"], layer["padding"])
            elif kind == "depthwise2d":
                mods.append(Conv(c, {**layer, "bias": False}, size, groups=c))
                size = window_out(size, layer["kernel"], layer["stride"], layer["padding"])
            elif kind == "batchnorm":
                mods.append(nn.BatchNorm2d(c, eps=BN_EPSILON))
            elif kind == "activation":
                mods.append(Lambda(lambda x, fn=layer["fn"]: act(fn, x)))
            elif kind == "maxpool":
                mods.append(nn.MaxPool2d(layer["size"], layer["stride"]))
                size = (size - layer["size"]) // layer["stride"] + 1
            elif kind == "global-avg-pool":
                mods.append(Lambda(lambda x: x.mean((2, 3))))
            elif kind == "dense":
                mods.append(nn.Linear(c, layer["units"], bias=layer["bias"]))
                c = layer["units"]
            elif kind == "squeeze-excite":
                mods.append(SqueezeExcite(c, layer["reduced"]))
            elif kind == "residual":
                body, c2, size2 = build(layer["body"], c, size)
                assert (c2, size2) == (c, size), "a residual body must keep the shape"
                mods.append(Residual(body))
            else:
                raise unsupported(kind)
        return nn.Sequential(*mods), c, size

    torch.manual_seed(1)
    model, _, _ = build(spec["layers"], spec["inputChannels"], image_size)
    return model


def torch_loss(classes: int):
    """The loss of a head of `classes` logits: sigmoid cross-entropy on 0/1 labels for one,
    softmax cross-entropy on one-hot labels for more (both the mean over the batch, as tfjs's)."""
    import torch

    return torch.nn.BCEWithLogitsLoss() if classes == 1 else torch.nn.CrossEntropyLoss()


def lightning_module(spec: dict, image_size: int, learning_rate: float, classes: int = 1):
    """`torch_model(spec)` as a LightningModule: the loss of its head (`torch_loss`), torch.optim.Adam."""
    import torch
    import pytorch_lightning as pl

    class Module(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = torch_model(spec, image_size)
            self.loss_fn = torch_loss(classes)

        def training_step(self, batch, _index):
            x, y = batch
            return self.loss_fn(self.net(x), y)

        def configure_optimizers(self):
            return torch.optim.Adam(self.parameters(), lr=learning_rate)

    return Module()


# ------------------------------------------------------------------------------------ Keras


def keras_model(spec: dict, image_size: int):
    """`spec` as a Keras functional model on NHWC images, He-normal weights seeded with 1."""
    import tensorflow as tf

    layers = tf.keras.layers
    tf.keras.utils.set_random_seed(1)
    he = "he_normal"

    def activation(fn: str):
        return layers.Activation("swish" if fn == "swish" else fn)

    def build(specs: list, x):
        for layer in specs:
            kind = layer["kind"]
            if kind == "conv2d":
                x = layers.Conv2D(layer["filters"], layer["kernel"], layer["stride"], padding=layer["padding"], use_bias=layer["bias"], kernel_initializer=he)(x)
                if layer.get("activation"):
                    x = activation(layer["activation"])(x)
            elif kind == "depthwise2d":
                x = layers.DepthwiseConv2D(layer["kernel"], layer["stride"], padding=layer["padding"], use_bias=False, depthwise_initializer=he)(x)
            elif kind == "batchnorm":
                x = layers.BatchNormalization(epsilon=BN_EPSILON)(x)
            elif kind == "activation":
                x = activation(layer["fn"])(x)
            elif kind == "maxpool":
                x = layers.MaxPool2D(layer["size"], layer["stride"])(x)
            elif kind == "global-avg-pool":
                x = layers.GlobalAveragePooling2D()(x)
            elif kind == "dense":
                x = layers.Dense(layer["units"], use_bias=layer["bias"], kernel_initializer=he)(x)
            elif kind == "squeeze-excite":
                channels = x.shape[-1]
                s = layers.GlobalAveragePooling2D(keepdims=True)(x)
                s = layers.Conv2D(layer["reduced"], 1, activation="swish", kernel_initializer=he)(s)
                s = layers.Conv2D(channels, 1, activation="sigmoid", kernel_initializer=he)(s)
                x = layers.Multiply()([x, s])
            elif kind == "residual":
                x = layers.Add()([build(layer["body"], x), x])
            else:
                raise unsupported(kind)
        return x

    inputs = tf.keras.Input((image_size, image_size, spec["inputChannels"]))
    return tf.keras.Model(inputs, build(spec["layers"], inputs), name=spec["name"])


# -------------------------------------------------------------------------------------- jax


def jax_model(spec: dict):
    """`spec` in jax: (params, apply(params, x)) on NHWC images; numpy draws the weights (seed 1),
    since one eager jax op per tensor would compile a kernel each."""
    import jax
    import jax.numpy as jnp
    import numpy as np
    from jax import lax

    rng = np.random.default_rng(1)
    dn = ("NHWC", "HWIO", "NHWC")

    def he(shape, fan_in):
        return jnp.asarray(rng.standard_normal(shape, dtype=np.float32) * math.sqrt(2.0 / fan_in))

    def act(fn, x):
        if fn == "relu":
            return jax.nn.relu(x)
        if fn == "sigmoid":
            return jax.nn.sigmoid(x)
        return x * jax.nn.sigmoid(x)

    def init(layers, c):
        params = []
        for layer in layers:
            kind = layer["kind"]
            if kind == "conv2d":
                k, f = layer["kernel"], layer["filters"]
                p = {"w": he((k, k, c, f), k * k * c)}
                if layer["bias"]:
                    p["b"] = jnp.zeros((f,), jnp.float32)
                params.append(p)
                c = f
            elif kind == "depthwise2d":
                k = layer["kernel"]
                params.append({"w": he((k, k, 1, c), k * k)})
            elif kind == "batchnorm":
                params.append({"scale": jnp.ones((c,), jnp.float32), "offset": jnp.zeros((c,), jnp.float32)})
            elif kind == "dense":
                params.append({"w": he((c, layer["units"]), c), "b": jnp.zeros((layer["units"],), jnp.float32)} if layer["bias"] else {"w": he((c, layer["units"]), c)})
                c = layer["units"]
            elif kind == "squeeze-excite":
                r = layer["reduced"]
                params.append({"rw": he((1, 1, c, r), c), "rb": jnp.zeros((r,)), "ew": he((1, 1, r, c), r), "eb": jnp.zeros((c,))})
            elif kind == "residual":
                body, _ = init(layer["body"], c)
                params.append({"body": body})
            elif kind in ("activation", "maxpool", "global-avg-pool"):
                params.append({})
            else:
                raise unsupported(kind)
        return params, c

    def apply_layers(layers, params, x):
        for layer, p in zip(layers, params):
            kind = layer["kind"]
            if kind == "conv2d":
                s = layer["stride"]
                x = lax.conv_general_dilated(x, p["w"], (s, s), layer["padding"].upper(), dimension_numbers=dn)
                if "b" in p:
                    x = x + p["b"]
                if layer.get("activation"):
                    x = act(layer["activation"], x)
            elif kind == "depthwise2d":
                s = layer["stride"]
                x = lax.conv_general_dilated(x, p["w"], (s, s), layer["padding"].upper(), dimension_numbers=dn, feature_group_count=x.shape[-1])
            elif kind == "batchnorm":
                mean = x.mean((0, 1, 2))
                var = x.var((0, 1, 2))
                x = (x - mean) * lax.rsqrt(var + BN_EPSILON) * p["scale"] + p["offset"]
            elif kind == "activation":
                x = act(layer["fn"], x)
            elif kind == "maxpool":
                z, s = layer["size"], layer["stride"]
                x = lax.reduce_window(x, -jnp.inf, lax.max, (1, z, z, 1), (1, s, s, 1), "VALID")
            elif kind == "global-avg-pool":
                x = x.mean((1, 2))
            elif kind == "dense":
                x = x @ p["w"] + (p["b"] if "b" in p else 0.0)
            elif kind == "squeeze-excite":
                sq = x.mean((1, 2), keepdims=True)
                r = lax.conv_general_dilated(sq, p["rw"], (1, 1), "VALID", dimension_numbers=dn) + p["rb"]
                r = r * jax.nn.sigmoid(r)
                e = lax.conv_general_dilated(r, p["ew"], (1, 1), "VALID", dimension_numbers=dn) + p["eb"]
                x = x * jax.nn.sigmoid(e)
            elif kind == "residual":
                x = x + apply_layers(layer["body"], p["body"], x)
        return x

    params, _ = init(spec["layers"], spec["inputChannels"])
    return params, lambda params, x: apply_layers(spec["layers"], params, x)


def jax_train_step(apply, learning_rate: float, classes: int = 1):
    """One training step of `apply` in jax, to jit: for one logit sigmoid cross-entropy (the
    numerically stable form tfjs and PyTorch use), for `classes` > 1 softmax cross-entropy on
    one-hot labels, each the mean over the batch; and Adam as tf.train.adam computes it (epsilon
    1e-7 outside the bias-corrected square root). State: (params, m, v, t)."""
    import jax
    import jax.numpy as jnp

    b1, b2, eps = 0.9, 0.999, 1e-7

    def loss_fn(params, x, y):
        logits = apply(params, x)
        if classes > 1:
            return -jnp.mean(jnp.sum(y * jax.nn.log_softmax(logits, axis=-1), axis=-1))
        return jnp.mean(jnp.maximum(logits, 0) - logits * y + jnp.log1p(jnp.exp(-jnp.abs(logits))))

    def train_step(state, x, y):
        params, m, v, t = state
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
        t = t + 1
        m = jax.tree_util.tree_map(lambda a, g: b1 * a + (1 - b1) * g, m, grads)
        v = jax.tree_util.tree_map(lambda a, g: b2 * a + (1 - b2) * g * g, v, grads)
        corr = jnp.sqrt(1 - b2**t) / (1 - b1**t)
        params = jax.tree_util.tree_map(lambda p, a, b: p - learning_rate * corr * a / (jnp.sqrt(b) + eps), params, m, v)
        return (params, m, v, t), loss

    return train_step


def jax_initial_state(params):
    """(params, m, v, t) with zero moments: Adam's state before the first step."""
    import jax
    import jax.numpy as jnp

    zeros = lambda: jax.tree_util.tree_map(jnp.zeros_like, params)  # noqa: E731 - two distinct buffers
    return (params, zeros(), zeros(), jnp.float32(0))
