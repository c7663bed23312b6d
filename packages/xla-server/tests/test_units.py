"""Unit tests of the parts that need no server."""
import threading
import time

import pytest

from strata_xla_server.errors import ServiceError
from strata_xla_server.programs import ProgramCache
from strata_xla_server.protocol import pb
from strata_xla_server.sessions import Sessions
from strata_xla_server.specs import BY_MLIR, REPLICATED, SPLIT_DIM0, Spec, spec_from_proto


def test_version_range(monkeypatch):
    from strata_xla_server import pjrt
    monkeypatch.delenv(pjrt.SKIP_CHECK_ENV, raising=False)  # set where the suite runs under another jax
    pjrt.check_versions()
    for outside in ("0.10.1", "0.12.0"):
        monkeypatch.setattr(pjrt.jax, "__version__", outside)
        with pytest.raises(RuntimeError, match=rf"jax {outside} is outside the range .*`pip install jax==0.10.2"):
            pjrt.check_versions()
    monkeypatch.setattr(pjrt.jax, "__version__", "0.11.2")
    pjrt.check_versions()
    monkeypatch.setattr(pjrt.jax, "__version__", "0.12.0")
    monkeypatch.setenv(pjrt.SKIP_CHECK_ENV, "1")
    pjrt.check_versions()


def test_device_bytes():
    f32 = BY_MLIR["f32"]
    assert Spec(f32, (16, 3), REPLICATED).device_bytes(8) == 16 * 3 * 4 * 8
    assert Spec(f32, (16, 3), SPLIT_DIM0).device_bytes(8) == 16 * 3 * 4
    assert Spec(BY_MLIR["i1"], (), REPLICATED).nbytes == 1
    # One process of a mesh of 2 holds half the devices: its share of the bytes and rows.
    assert Spec(f32, (16, 3), REPLICATED).device_bytes(8, 2) == 16 * 3 * 4 * 4
    assert Spec(f32, (16, 3), SPLIT_DIM0).device_bytes(8, 2) == 8 * 3 * 4
    assert Spec(f32, (16, 3), SPLIT_DIM0).local_shape(2) == (8, 3)
    assert Spec(f32, (16, 3), REPLICATED).local_shape(2) == (16, 3)
    assert Spec(f32, (16, 3), SPLIT_DIM0).local_nbytes(2) == 8 * 3 * 4
    assert Spec(f32, (16, 3), SPLIT_DIM0).local_rows_text(2, 1) == "rows 8..16 of 16 (process 1 of 2)"
    s = spec_from_proto(pb.TensorSpec(dtype=pb.BF16, shape=[2, 5]), "x")
    assert s.nbytes == 20 and s.placement == REPLICATED and s.text() == "bf16[2,5]"


def test_quota_reservations():
    sessions = Sessions(max_sessions=2, default_quota=100)
    s = sessions.open(quota=0, num_devices=1, client="")
    assert s.quota == 100
    s.reserve(60, "a")
    with pytest.raises(ServiceError, match="needs 50 bytes.*60 reserved"):
        s.reserve(50, "b")
    s.reserve(50, "b", credit=20)  # 60 + 50 - 20 = 90 <= 100
    sessions.open(quota=10, num_devices=1, client="")
    with pytest.raises(ServiceError, match="already holds 2 sessions"):
        sessions.open(quota=10, num_devices=1, client="")


def test_program_cache_is_lru_and_builds_once():
    cache = ProgramCache(capacity=2)
    builds = []

    def build(name, delay=0.0):
        def run():
            time.sleep(delay)
            builds.append(name)
            return name
        return run

    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.get_or_build(("a", 1), build("a", 0.1))))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert builds == ["a"] and sorted(c for _, c in results) == [False, True, True, True]
    cache.get_or_build(("b", 1), build("b"))
    cache.lookup(("a", 1))                      # a is now the most recent
    cache.get_or_build(("c", 1), build("c"))    # evicts b
    assert cache.lookup(("b", 1)) is None and cache.lookup(("a", 1)) == "a"
    with pytest.raises(ValueError):
        cache.get_or_build(("d", 1), lambda: (_ for _ in ()).throw(ValueError("bad module")))
    assert cache.lookup(("d", 1)) is None       # failures are not cached
