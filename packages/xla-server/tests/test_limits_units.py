"""The accounting behind the per-client and per-session limits, without a server."""
import asyncio
import threading

import grpc
import pytest

from strata_xla_server.errors import ServiceError
from strata_xla_server.limits import CallLimits
from strata_xla_server.runs import RunGate
from strata_xla_server.sessions import BUFFER_OVERHEAD_BYTES, Sessions


def test_call_limits_are_per_client_with_health_exempt():
    limits = CallLimits(per_client=2, total=3)
    assert limits.enter("a", "Upload") and limits.enter("a", "Upload")
    with pytest.raises(ServiceError, match="client a already has 2 calls in flight") as e:
        limits.enter("a", "Execute")
    assert e.value.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert limits.enter("a", "Health") is False          # never counted, never refused
    assert limits.enter("b", "Execute")
    with pytest.raises(ServiceError, match="3 calls in flight from all clients"):
        limits.enter("c", "Execute")
    limits.leave("a")
    assert limits.in_flight("a") == 1 and limits.enter("c", "Execute")


def test_buffers_count_their_overhead_and_number():
    sessions = Sessions(max_sessions=4, default_quota=0, max_buffers=2)
    s = sessions.open(quota=2 * (8 + 2 * BUFFER_OVERHEAD_BYTES), num_devices=2, client="")
    assert s.buffer_overhead == 2 * BUFFER_OVERHEAD_BYTES   # one per device shard
    s.reserve(8, "a", buffers=1)
    s.add(None, object(), 8)
    # The data bytes would fit many times over; the overhead of one more buffer does not.
    with pytest.raises(ServiceError, match=r"needs 9 bytes on the devices \(\+8192 of per-buffer overhead\)"):
        s.reserve(9, "b", buffers=1)
    s.reserve(8, "b", buffers=1)
    s.add(None, object(), 8)
    assert s.charged() == 16 + 2 * s.buffer_overhead == s.quota
    with pytest.raises(ServiceError, match=r"already holds 2 \(\+0 being made\) of the 2 buffers"):
        s.reserve(0, "c", buffers=1, credit=8 + s.buffer_overhead)
    s.reserve(8, "d", buffers=1, credit=8, credit_buffers=1)   # a donated input makes room
    s.unreserve(8, buffers=1)
    assert s.reserved == 0 and s.reserved_buffers == 0


def test_kept_programs_are_capped_and_counted():
    sessions = Sessions(max_sessions=4, default_quota=0, max_programs=2)
    s = sessions.open(quota=1000, num_devices=1, client="")
    s.keep_program("a" * 64, "A", 400)
    s.keep_program("a" * 64, "A", 400)                # the same program again costs nothing
    with pytest.raises(ServiceError, match="has 700 bytes of generated code"):
        s.keep_program("b" * 64, "B", 700)
    s.keep_program("b" * 64, "B", 500)
    with pytest.raises(ServiceError, match="already keeps 2 compiled programs"):
        s.keep_program("c" * 64, "C", 0)
    assert s.charged() == 900


def test_unattached_sessions_are_capped_per_owner():
    sessions = Sessions(max_sessions=10, default_quota=0, max_unattached_per_client=2)
    first = sessions.open(0, 1, "", owner="a")
    sessions.open(0, 1, "", owner="a")
    with pytest.raises(ServiceError, match="client a already holds 2 sessions it has not attached"):
        sessions.open(0, 1, "", owner="a")
    sessions.open(0, 1, "", owner="b")
    sessions.attach(first.id)
    sessions.open(0, 1, "", owner="a")


class _Context:
    def __init__(self, remaining):
        self.remaining = remaining

    def time_remaining(self):
        return self.remaining


def test_run_gate_abandons_overdue_work_and_frees_its_slot():
    release = threading.Event()
    late = []

    async def scenario():
        gate = RunGate(workers=1, max_overdue=1, max_overdue_per_client=1, default_deadline_s=0.2)
        with pytest.raises(ServiceError, match="did not finish within the deadline") as e:
            await gate.run(_Context(None), "a", "stuck", release.wait, on_late=lambda r, err: late.append((r, err)))
        assert e.value.code == grpc.StatusCode.DEADLINE_EXCEEDED
        assert gate.overdue == 1 and not gate.healthy()
        with pytest.raises(ServiceError, match="1 run\\(s\\) past their deadline") as e:
            await gate.run(_Context(5.0), "b", "other", lambda: 1)
        assert e.value.code == grpc.StatusCode.UNAVAILABLE
        release.set()
        for _ in range(100):
            if late:
                break
            await asyncio.sleep(0.01)
        assert late == [(True, None)] and gate.overdue == 0 and gate.healthy()
        # The worker slot came back: new work runs.
        assert await gate.run(_Context(5.0), "b", "other", lambda: 7) == 7
        with pytest.raises(ValueError):
            await gate.run(_Context(5.0), "b", "failing", _raise, on_late=lambda r, err: late.append((r, type(err))))
        assert late[-1] == (None, ValueError)
        gate.shutdown()

    asyncio.run(scenario())


def _raise():
    raise ValueError("bad")
