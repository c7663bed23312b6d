"""The bench's Python peers: one model spec (the same JSON the tfjs strategies build from)
trained in PyTorch eager, in PyTorch Lightning, or as one jax.jit step.

Speaks the line protocol of bench/src/worker/protocol.ts: messages on stdout prefixed with
"@@strata-bench ", commands ({"cmd": "run", "steps": N} / {"cmd": "finish"}) on stdin, the
configuration as JSON in $STRATA_BENCH_WORKER_CONFIG. Each step is timed until the loss is
on the host (float(loss)), as in the tfjs rows.
"""
from __future__ import annotations

import json
import math
import os
import platform
import resource
import sys
import time

PREFIX = "@@strata-bench "
BN_EPSILON = 1e-3


def send(message: dict) -> None:
    sys.stdout.write(PREFIX + json.dumps(message) + "\n")
    sys.stdout.flush()


def next_command() -> dict:
    line = sys.stdin.readline()
    if not line:
        return {"cmd": "finish"}
    try:
        return json.loads(line)
    except ValueError:
        return {"cmd": "finish"}


def rss_peak_bytes() -> int:
    # ru_maxrss is in kilobytes on Linux.
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


def same_pads(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """TensorFlow's 'same' padding: ceil(size / stride) outputs, the extra pixel at the end."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


# ---------------------------------------------------------------------------------- PyTorch


def torch_model(spec: dict, image_size: int):
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
                size = math.ceil(size / layer["stride"]) if layer["padding"] == "same" else (size - layer["kernel"]) // layer["stride"] + 1
            elif kind == "depthwise2d":
                mods.append(Conv(c, {**layer, "bias": False}, size, groups=c))
                size = math.ceil(size / layer["stride"]) if layer["padding"] == "same" else (size - layer["kernel"]) // layer["stride"] + 1
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
                raise ValueError(f"unknown layer kind {kind!r}")
        return nn.Sequential(*mods), c, size

    torch.manual_seed(1)
    model, _, _ = build(spec["layers"], spec["inputChannels"], image_size)
    return model


def torch_device():
    import torch

    return torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")


def torch_report(framework: str) -> dict:
    import torch

    device = torch_device()
    name = torch.cuda.get_device_name(0) if device.type == "cuda" else (platform.processor() or platform.machine())
    details = {"torch": torch.__version__, "threads": str(torch.get_num_threads()), "python": platform.python_version()}
    if framework == "lightning":
        import pytorch_lightning

        details["lightning"] = pytorch_lightning.__version__
    engine = f"PyTorch {torch.__version__} eager, {device.type}" if framework == "pytorch" else f"PyTorch Lightning {details['lightning']}, {device.type}"
    return {"engine": engine, "devices": [f"{device.type}: {name}"], "details": details}


def torch_batch(config: dict, device):
    import torch

    g = torch.Generator().manual_seed(7)
    n, s, c = config["batchSize"], config["imageSize"], config["model"]["inputChannels"]
    images = torch.rand((n, c, s, s), generator=g).to(device)
    labels = (torch.rand((n, 1), generator=g) > 0.5).float().to(device)
    return images, labels


def run_protocol(step, config: dict, extra_final=None) -> None:
    """Warm-up, then steps on command; `step()` runs one step and returns the loss as a float."""
    t0 = time.perf_counter()
    first = step()
    first_ms = (time.perf_counter() - t0) * 1000
    warmup = []
    for _ in range(1, config["warmupSteps"]):
        # bench/src/worker/warmup.ts's rule: warm up until a step after the first (which pays
        # set-up and compilation, and can be followed by a second compile) is itself slow.
        if warmup and warmup[-1] >= config["slowStepMs"]:
            break
        t = time.perf_counter()
        step()
        warmup.append((time.perf_counter() - t) * 1000)
    send({"type": "warm", "firstStepMs": first_ms, "warmupMs": warmup})
    while True:
        command = next_command()
        if command.get("cmd") != "run":
            break
        times, loss = [], math.nan
        for _ in range(int(command["steps"])):
            t = time.perf_counter()
            loss = step()
            times.append((time.perf_counter() - t) * 1000)
        send({"type": "steps", "ms": times, "loss": loss})
    final = {"type": "final", "rssPeakBytes": rss_peak_bytes()}
    if extra_final:
        final.update(extra_final())
    send(final)


def cuda_peak():
    import torch

    return {"devicePeakBytes": int(torch.cuda.max_memory_allocated())} if torch.cuda.is_available() else {}


def run_pytorch(config: dict, started: float) -> None:
    import torch

    device = torch_device()
    model = torch_model(config["model"], config["imageSize"]).to(device).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=config["learningRate"])
    loss_fn = torch.nn.BCEWithLogitsLoss()
    images, labels = torch_batch(config, device)
    send({"type": "ready", "setupMs": (time.perf_counter() - started) * 1000, "device": torch_report("pytorch")})

    def step() -> float:
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(images), labels)
        loss.backward()
        optimizer.step()
        return float(loss.item())

    run_protocol(step, config, cuda_peak)


def run_lightning(config: dict, started: float) -> None:
    """Lightning owns the loop; a callback times each batch and waits for the bench's commands
    between batches, so Lightning's own per-step work (hooks, loop, data fetch) is inside the
    time and the waiting is not."""
    import torch
    import pytorch_lightning as pl

    device = torch_device()
    images, labels = torch_batch(config, torch.device("cpu"))

    class Module(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = torch_model(config["model"], config["imageSize"])
            self.loss_fn = torch.nn.BCEWithLogitsLoss()

        def training_step(self, batch, _index):
            x, y = batch
            return self.loss_fn(self.net(x), y)

        def configure_optimizers(self):
            return torch.optim.Adam(self.parameters(), lr=config["learningRate"])

    class Forever(torch.utils.data.IterableDataset):
        def __iter__(self):
            while True:
                yield images, labels

    class Driver(pl.Callback):
        def __init__(self):
            self.phase = "first"
            self.first_ms = 0.0
            self.warmup: list[float] = []
            self.times: list[float] = []
            self.left = 0
            self.resumed = time.perf_counter()

        def _wait(self, trainer) -> None:
            command = next_command()
            if command.get("cmd") == "run":
                self.phase, self.left, self.times = "measure", int(command["steps"]), []
            else:
                trainer.should_stop = True
                self.phase = "done"
            self.resumed = time.perf_counter()

        def on_train_batch_end(self, trainer, _module, outputs, _batch, _index):
            loss = float(outputs["loss"].item())
            ms = (time.perf_counter() - self.resumed) * 1000
            self.resumed = time.perf_counter()
            if self.phase == "first":
                self.first_ms = ms
                self.phase = "warmup"
            elif self.phase == "warmup":
                self.warmup.append(ms)
            elif self.phase == "measure":
                self.times.append(ms)
                self.left -= 1
            if self.phase == "warmup" and (len(self.warmup) + 1 >= config["warmupSteps"] or (self.warmup and self.warmup[-1] >= config["slowStepMs"])):
                send({"type": "warm", "firstStepMs": self.first_ms, "warmupMs": self.warmup})
                self._wait(trainer)
            elif self.phase == "measure" and self.left == 0:
                send({"type": "steps", "ms": self.times, "loss": loss})
                self._wait(trainer)

    driver = Driver()
    trainer = pl.Trainer(
        accelerator="gpu" if device.type == "cuda" else "cpu",
        devices=1,
        max_steps=-1,
        max_epochs=-1,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        num_sanity_val_steps=0,
        callbacks=[driver],
    )
    loader = torch.utils.data.DataLoader(Forever(), batch_size=None)
    send({"type": "ready", "setupMs": (time.perf_counter() - started) * 1000, "device": torch_report("lightning")})
    driver.resumed = time.perf_counter()
    trainer.fit(Module(), loader)
    final = {"type": "final", "rssPeakBytes": rss_peak_bytes()}
    final.update(cuda_peak())
    send(final)


# -------------------------------------------------------------------------------------- jax


def run_jax(config: dict, started: float) -> None:
    import jax
    import jax.numpy as jnp
    from jax import lax

    spec = config["model"]
    import numpy as np

    # numpy draws the initial weights: one eager jax op per tensor would compile a kernel each.
    rng = np.random.default_rng(1)

    def he(shape, fan_in):
        return jnp.asarray(rng.standard_normal(shape, dtype=np.float32) * math.sqrt(2.0 / fan_in))

    dn = ("NHWC", "HWIO", "NHWC")

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
            else:
                params.append({})
        return params, c

    def apply(layers, params, x):
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
                x = x + apply(layer["body"], p["body"], x)
        return x

    params, _ = init(spec["layers"], spec["inputChannels"])
    n, s, c = config["batchSize"], config["imageSize"], spec["inputChannels"]
    images = jax.random.uniform(jax.random.PRNGKey(7), (n, s, s, c), jnp.float32)
    labels = (jax.random.uniform(jax.random.PRNGKey(8), (n, 1)) > 0.5).astype(jnp.float32)
    lr, b1, b2, eps = config["learningRate"], 0.9, 0.999, 1e-7

    def loss_fn(params, x, y):
        logits = apply(spec["layers"], params, x)
        # Sigmoid cross-entropy, the numerically stable form tfjs and PyTorch use.
        return jnp.mean(jnp.maximum(logits, 0) - logits * y + jnp.log1p(jnp.exp(-jnp.abs(logits))))

    def train_step(state, x, y):
        params, m, v, t = state
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
        t = t + 1
        m = jax.tree_util.tree_map(lambda a, g: b1 * a + (1 - b1) * g, m, grads)
        v = jax.tree_util.tree_map(lambda a, g: b2 * a + (1 - b2) * g * g, v, grads)
        corr = jnp.sqrt(1 - b2**t) / (1 - b1**t)
        params = jax.tree_util.tree_map(lambda p, a, b: p - lr * corr * a / (jnp.sqrt(b) + eps), params, m, v)
        return (params, m, v, t), loss

    zeros = jax.tree_util.tree_map(jnp.zeros_like, params)
    state = [(params, zeros, jax.tree_util.tree_map(jnp.zeros_like, params), jnp.float32(0))]
    jitted = jax.jit(train_step, donate_argnums=(0,))
    device = jax.devices()[0]
    import jaxlib

    send({
        "type": "ready",
        "setupMs": (time.perf_counter() - started) * 1000,
        "device": {
            "engine": f"jax {jax.__version__} jit, XLA:{device.platform.upper()}",
            "devices": [f"{d.platform}: {d.device_kind}" for d in jax.devices()][:8],
            "details": {"jax": jax.__version__, "jaxlib": jaxlib.__version__, "python": platform.python_version()},
        },
    })

    def step() -> float:
        state[0], loss = jitted(state[0], images, labels)
        return float(loss)

    def device_peak():
        stats = device.memory_stats() if hasattr(device, "memory_stats") else None
        return {"devicePeakBytes": int(stats["peak_bytes_in_use"])} if stats and "peak_bytes_in_use" in stats else {}

    run_protocol(step, config, device_peak)


def main() -> None:
    started = time.perf_counter()
    config = json.loads(os.environ["STRATA_BENCH_WORKER_CONFIG"])
    target = config["target"]
    runners = {"pytorch": run_pytorch, "lightning": run_lightning, "jax": run_jax}
    if target not in runners:
        send({"type": "error", "message": f"unknown peer {target!r}; known: {', '.join(runners)}"})
        sys.exit(2)
    try:
        runners[target](config, started)
    except ImportError as e:
        send({"type": "unavailable", "reason": f"{target}: {e}", "remedy": "let the bench set up its Python environment (delete .venv-bench to rebuild it)"})
    except Exception as e:  # noqa: BLE001 - reported as the row's error
        send({"type": "error", "message": f"{type(e).__name__}: {e}"})
        raise


if __name__ == "__main__":
    main()
