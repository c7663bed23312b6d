"""The command line the bench's step scripts share: a model of the spec, steps, batch and size."""
from __future__ import annotations

import argparse


def step_arguments(doc: str) -> argparse.Namespace:
    """Parses --model, --steps, --batch-size and --image-size, described by the script's docstring."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--model", default="tiny-cnn")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--image-size", type=int, default=64)
    return parser.parse_args()
