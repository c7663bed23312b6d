"""The PyTorch peers: the spec's model (models.torch_model) trained in PyTorch eager and in
PyTorch Lightning, on CUDA where torch sees a GPU, else on the CPU."""
from __future__ import annotations

import platform
import time

from models import lightning_module, torch_loss, torch_model
from peer_protocol import next_command, ready, rss_peak_bytes, run_protocol, send


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
    """The fixed batch of config["input"] (bench/src/models/model-input.ts): inputs uniform in
    [0, 1), images as NCHW (the shape given is NHWC) or vectors [N, C]; 0/1 labels [N, 1] for one
    logit, one-hot labels [N, K] for K classes; seeded."""
    import torch

    g = torch.Generator().manual_seed(7)
    shape, classes = config["input"]["shape"], config["input"]["classes"]
    n = shape[0]
    inputs = torch.rand((n, shape[3], shape[1], shape[2]) if len(shape) == 4 else tuple(shape), generator=g).to(device)
    if classes == 1:
        labels = (torch.rand((n, 1), generator=g) > 0.5).float()
    else:
        labels = torch.nn.functional.one_hot(torch.randint(0, classes, (n,), generator=g), classes).float()
    return inputs, labels.to(device)


def cuda_peak() -> dict:
    import torch

    return {"devicePeakBytes": int(torch.cuda.max_memory_allocated())} if torch.cuda.is_available() else {}


def run_pytorch(config: dict, started: float) -> None:
    import torch

    device = torch_device()
    model = torch_model(config["model"], config["imageSize"]).to(device).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=config["learningRate"])
    loss_fn = torch_loss(config["input"]["classes"])
    images, labels = torch_batch(config, device)
    ready(started, torch_report("pytorch"))

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
            self.cpu_times: list[float] = []
            self.left = 0
            self.resumed = time.perf_counter()
            self.cpu_resumed = time.process_time()

        def _wait(self, trainer) -> None:
            command = next_command()
            if command.get("cmd") == "run":
                self.phase, self.left, self.times, self.cpu_times = "measure", int(command["steps"]), [], []
            else:
                trainer.should_stop = True
                self.phase = "done"
            self.resumed = time.perf_counter()
            self.cpu_resumed = time.process_time()

        def on_train_batch_end(self, trainer, _module, outputs, _batch, _index):
            loss = float(outputs["loss"].item())
            ms = (time.perf_counter() - self.resumed) * 1000
            cpu_ms = (time.process_time() - self.cpu_resumed) * 1000
            self.resumed = time.perf_counter()
            self.cpu_resumed = time.process_time()
            if self.phase == "first":
                self.first_ms = ms
                self.phase = "warmup"
            elif self.phase == "warmup":
                self.warmup.append(ms)
            elif self.phase == "measure":
                self.times.append(ms)
                self.cpu_times.append(cpu_ms)
                self.left -= 1
            if self.phase == "warmup" and (len(self.warmup) + 1 >= config["warmupSteps"] or (self.warmup and self.warmup[-1] >= config["slowStepMs"])):
                send({"type": "warm", "firstStepMs": self.first_ms, "warmupMs": self.warmup})
                self._wait(trainer)
            elif self.phase == "measure" and self.left == 0:
                send({"type": "steps", "ms": self.times, "loss": loss, "cpuMs": self.cpu_times})
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
    ready(started, torch_report("lightning"))
    driver.resumed = time.perf_counter()
    driver.cpu_resumed = time.process_time()
    trainer.fit(lightning_module(config["model"], config["imageSize"], config["learningRate"], config["input"]["classes"]), loader)
    final = {"type": "final", "rssPeakBytes": rss_peak_bytes()}
    final.update(cuda_peak())
    send(final)
