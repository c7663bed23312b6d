"""The jax/jaxlib versions the server supports: pjrt.py uses jax internals that move between
releases, so the server checks the installed versions before it imports them and refuses
others, saying how to install a supported one."""
from __future__ import annotations

import os
import re

import jax
import jaxlib

# The range this module supports: [0.10.2, 0.12). CI tests 0.10.2; 0.11.2 needs Python 3.12+,
# which the CI machines lack, and passes the server's tests on XLA:GPU.
SUPPORTED_MIN = (0, 10, 2)
SUPPORTED_BELOW = (0, 12, 0)
SKIP_CHECK_ENV = "STRATA_XLA_SKIP_VERSION_CHECK"


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", text)[:3])


def check_versions() -> None:
    if os.environ.get(SKIP_CHECK_ENV) == "1":
        return
    for name, version in (("jax", jax.__version__), ("jaxlib", jaxlib.__version__)):
        v = _version_tuple(version)
        if not (SUPPORTED_MIN <= v < SUPPORTED_BELOW):
            raise RuntimeError(
                f"{name} {version} is outside the range this server supports "
                f"(>= {'.'.join(map(str, SUPPORTED_MIN))}, < {'.'.join(map(str, SUPPORTED_BELOW))}): "
                f"it uses jax internals that change between releases. Run "
                f"`pip install jax==0.10.2 jaxlib==0.10.2` (plus the matching libtpu on a TPU VM), "
                f"or set {SKIP_CHECK_ENV}=1 to try anyway."
            )
