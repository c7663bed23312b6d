"""The peers' side of the line protocol of bench/src/worker/protocol.ts: messages on stdout
prefixed with "@@strata-bench ", commands ({"cmd": "run", "steps": N} / {"cmd": "finish"}) on
stdin, the configuration as JSON in $STRATA_BENCH_WORKER_CONFIG.
"""
from __future__ import annotations

import json
import math
import os
import resource
import sys
import time

PREFIX = "@@strata-bench "
CONFIG_ENV = "STRATA_BENCH_WORKER_CONFIG"


def read_config() -> dict:
    return json.loads(os.environ[CONFIG_ENV])


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


def ready(started: float, device: dict) -> None:
    send({"type": "ready", "setupMs": (time.perf_counter() - started) * 1000, "device": device})


def warm_again(warmup: list, config: dict) -> bool:
    """bench/src/worker/warmup.ts's rule: warm up until warmupSteps steps ran, or until a step
    after the first (which pays set-up and compilation, and can be followed by another compile)
    is itself slower than slowStepMs."""
    return len(warmup) + 1 < config["warmupSteps"] and (not warmup or warmup[-1] < config["slowStepMs"])


def run_protocol(step, config: dict, extra_final=None) -> None:
    """Warm-up, then steps on command; `step()` runs one step and returns the loss as a float,
    which is on the host when it returns, so each step is timed as the tfjs rows are. Beside each
    step's wall time goes the process's CPU time during it (time.process_time: user + system of
    every thread, the framework's compute threads included)."""
    t0 = time.perf_counter()
    step()
    first_ms = (time.perf_counter() - t0) * 1000
    warmup: list[float] = []
    while warm_again(warmup, config):
        t = time.perf_counter()
        step()
        warmup.append((time.perf_counter() - t) * 1000)
    send({"type": "warm", "firstStepMs": first_ms, "warmupMs": warmup})
    while True:
        command = next_command()
        if command.get("cmd") != "run":
            break
        times, cpu_times, loss = [], [], math.nan
        for _ in range(int(command["steps"])):
            c = time.process_time()
            t = time.perf_counter()
            loss = step()
            times.append((time.perf_counter() - t) * 1000)
            cpu_times.append((time.process_time() - c) * 1000)
        send({"type": "steps", "ms": times, "loss": loss, "cpuMs": cpu_times})
    final = {"type": "final", "rssPeakBytes": rss_peak_bytes()}
    if extra_final:
        final.update(extra_final())
    send(final)
