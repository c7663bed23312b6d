"""The committed stubs are what scripts/gen_proto.py makes from proto/strata_xla.proto."""
import importlib.util
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent


def test_generated_stubs_match_the_proto(tmp_path):
    spec = importlib.util.spec_from_file_location("gen_proto", PACKAGE / "scripts" / "gen_proto.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    for fresh in gen.generate(tmp_path):
        committed = gen.DEFAULT_OUT / fresh.name
        assert committed.read_text() == fresh.read_text(), (
            f"{committed} is stale: run .venv/bin/python packages/xla-server/scripts/gen_proto.py")
