"""Where the XLA server scripts (bench/scripts/xla_server_*.py) find the server's own test helpers:
packages/xla-server/tests (conftest.start_server, the RPC wrappers of client.py, programs.py).
They are found beside the strata_xla_server package this Python imports (an editable install of
packages/xla-server, as scripts/setup.sh makes), so the scripts measure that server's code.
"""
from __future__ import annotations

import sys
from pathlib import Path


def use_server_test_helpers() -> Path:
    """Puts the server's tests/ (and src/) first on sys.path and returns the tests folder."""
    try:
        import strata_xla_server
    except ImportError as e:
        raise SystemExit(f"no strata_xla_server in this Python ({e}); run it with the project's .venv/bin/python (npm run setup)") from e
    package = Path(strata_xla_server.__file__).resolve().parent
    tests = package.parents[1] / "tests"
    if not (tests / "conftest.py").exists():
        raise SystemExit(f"strata_xla_server at {package} is not an editable install of packages/xla-server: no {tests / 'conftest.py'}")
    sys.path[:0] = [str(tests), str(package.parent)]
    return tests
