"""Two servers as one device mesh (jax.distributed on loopback, 4 CPU devices each, gloo
collectives): health, the byte rules of split data, an SPMD program whose reduction spans
both processes, and what happens when one member dies."""
from __future__ import annotations

import functools
import signal
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import grpc
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P

from client import NUMPY, compile_program, sha256, spec
from conftest import launch_server, stop_server, wait_until_serving
from strata_xla_server.cli import config_from_args
from strata_xla_server.protocol import pb, pb_grpc

LOCAL_DEVICES = 4
PROCESSES = 2
BATCH = 8


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Member:
    def __init__(self, server):
        self.server = server
        self.channel = grpc.insecure_channel(f"127.0.0.1:{server.port}")
        self.stub = pb_grpc.XlaServiceStub(self.channel)

    def close(self) -> None:
        self.channel.close()
        if self.server.process.poll() is None:
            stop_server(self.server)


def start_mesh(tmp_path_factory, *extra: str) -> tuple[list[Member], str]:
    coordinator = f"127.0.0.1:{_free_port()}"
    launched = [
        launch_server(tmp_path_factory.mktemp(f"mesh{i}"), "--coordinator-address", coordinator,
                      "--num-processes", str(PROCESSES), "--process-id", str(i), *extra,
                      env_extra={"XLA_FLAGS": f"--xla_force_host_platform_device_count={LOCAL_DEVICES}"})
        for i in range(PROCESSES)
    ]
    members = []
    try:
        for process, tmp in launched:
            members.append(Member(wait_until_serving(process, tmp)))
    except BaseException:
        for process, _ in launched:
            process.kill()
        raise
    return members, coordinator


@pytest.fixture(scope="module")
def mesh(tmp_path_factory):
    members, coordinator = start_mesh(tmp_path_factory)
    yield members, coordinator
    for m in members:
        m.close()


@functools.cache
def mean_and_projection() -> str:
    """(mean over the batch of x @ w, replicated; x @ w, split): the mean all-reduces over
    every device of both processes. mhlo.sharding form, as the TypeScript client emits."""
    mesh = Mesh(np.array(jax.devices()[:PROCESSES * LOCAL_DEVICES]), ("d",))
    rep, split = NamedSharding(mesh, P()), NamedSharding(mesh, P("d"))
    previous = jax.config.jax_use_shardy_partitioner
    jax.config.update("jax_use_shardy_partitioner", False)
    try:
        f = jax.jit(lambda w, x: (jnp.mean(x @ w, axis=0), x @ w), in_shardings=(rep, split),
                    out_shardings=(rep, split))
        return f.lower(jax.ShapeDtypeStruct((3, 2), jnp.float32),
                       jax.ShapeDtypeStruct((BATCH, 3), jnp.float32)).as_text()
    finally:
        jax.config.update("jax_use_shardy_partitioner", previous)


@functools.cache
def mean_and_doubled_weights() -> str:
    """(mean over the batch of x @ w, w * 2) with w donated to the second result (aliased)."""
    mesh = Mesh(np.array(jax.devices()[:PROCESSES * LOCAL_DEVICES]), ("d",))
    rep, split = NamedSharding(mesh, P()), NamedSharding(mesh, P("d"))
    previous = jax.config.jax_use_shardy_partitioner
    jax.config.update("jax_use_shardy_partitioner", False)
    try:
        f = jax.jit(lambda w, x: (jnp.mean(x @ w, axis=0), w * 2), in_shardings=(rep, split),
                    out_shardings=(rep, rep), donate_argnums=0)
        return f.lower(jax.ShapeDtypeStruct((3, 2), jnp.float32),
                       jax.ShapeDtypeStruct((BATCH, 3), jnp.float32)).as_text()
    finally:
        jax.config.update("jax_use_shardy_partitioner", previous)


IN_SPECS = [spec((3, 2)), spec((BATCH, 3), placement=pb.SPLIT_DIM0)]
OUT_SPECS = [spec((2,)), spec((BATCH, 2), placement=pb.SPLIT_DIM0)]


def upload_part(stub, session_id: str, data: np.ndarray, global_shape, placement) -> pb.BufferInfo:
    """Uploads this member's part (`data`) of a tensor of `global_shape`."""
    chunk = pb.UploadChunk(session_id=session_id, spec=spec(global_shape, data.dtype, placement),
                           data=np.ascontiguousarray(data).tobytes())
    return stub.Upload(iter([chunk]), timeout=30)


def fetch_raw(stub, session_id: str, handle: str) -> tuple[pb.TensorSpec, bytes]:
    chunks = list(stub.Fetch(pb.FetchRequest(session_id=session_id, handle=handle), timeout=30))
    return chunks[0].spec, b"".join(c.data for c in chunks)


def on_all(members, call):
    """Sends a call to every member at once (a run's collectives need all of them)."""
    with ThreadPoolExecutor(len(members)) as pool:
        return list(pool.map(call, members))


def open_sessions(members, num_devices=PROCESSES * LOCAL_DEVICES) -> list[str]:
    return [m.stub.OpenSession(pb.OpenSessionRequest(num_devices=num_devices, client="pytest-mesh"),
                               timeout=10).session_id for m in members]


def prepare_run(members, w, x):
    """Sessions, the program compiled and the inputs uploaded (each member its rows of x)."""
    sids = open_sessions(members)
    text = mean_and_projection()
    for m, sid in zip(members, sids):
        compile_program(m.stub, sid, text, IN_SPECS, OUT_SPECS, num_devices=PROCESSES * LOCAL_DEVICES)
    rows = BATCH // PROCESSES
    handles = []
    for p, (m, sid) in enumerate(zip(members, sids)):
        hw = upload_part(m.stub, sid, w, w.shape, pb.REPLICATED).handle
        hx = upload_part(m.stub, sid, x[p * rows:(p + 1) * rows], x.shape, pb.SPLIT_DIM0).handle
        handles.append([hw, hx])
    return sids, text, handles


def test_members_report_one_mesh(mesh):
    members, coordinator = mesh
    health = [m.stub.Health(pb.HealthRequest(), timeout=10) for m in members]
    for p, h in enumerate(health):
        assert h.ok
        assert (h.device_count, h.local_device_count) == (PROCESSES * LOCAL_DEVICES, LOCAL_DEVICES)
        assert (h.process_index, h.process_count) == (p, PROCESSES)
        assert h.mesh_id == f"{coordinator}/{PROCESSES}"
    devices = members[1].stub.ListDevices(pb.ListDevicesRequest(), timeout=10).devices
    assert [d.process_index for d in devices] == [0] * LOCAL_DEVICES + [1] * LOCAL_DEVICES
    assert len({d.id for d in devices}) == PROCESSES * LOCAL_DEVICES


def test_num_devices_must_be_a_multiple_of_the_processes(mesh):
    members, _ = mesh
    for bad in (3, 10):
        with pytest.raises(grpc.RpcError) as e:
            open_sessions(members[:1], num_devices=bad)
        assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert f"num_devices {bad}" in e.value.details() and "multiple of 2" in e.value.details()
    # 2 = one device of each process
    assert open_sessions(members[:1], num_devices=2)


def test_a_reduction_over_the_split_batch_spans_both_processes(mesh):
    members, _ = mesh
    rng = np.random.default_rng(7)
    w = rng.standard_normal((3, 2)).astype(np.float32)
    x = rng.standard_normal((BATCH, 3)).astype(np.float32)
    sids, text, handles = prepare_run(members, w, x)

    def run(pair):
        (m, sid, hs) = pair
        return m.stub.Execute(pb.ExecuteRequest(session_id=sid, program_hash=sha256(text), inputs=hs,
                                                inline_max_bytes=1024), timeout=60)

    with ThreadPoolExecutor(PROCESSES) as pool:
        replies = list(pool.map(run, zip(members, sids, handles)))
    expected = (x @ w).mean(axis=0)
    means = []
    for reply in replies:
        mean, projection = reply.outputs
        assert mean.inlined and not projection.inlined   # only replicated results come inline
        assert list(mean.spec.shape) == [2]
        means.append(np.frombuffer(mean.data, np.float32))
    np.testing.assert_allclose(means[0], expected, rtol=1e-5, atol=1e-6)
    assert means[0].tobytes() == means[1].tobytes()
    # The split result: each member returns its rows under the global spec.
    parts = []
    for m, sid, reply in zip(members, sids, replies):
        got_spec, raw = fetch_raw(m.stub, sid, reply.outputs[1].handle)
        assert list(got_spec.shape) == [BATCH, 2] and got_spec.placement == pb.SPLIT_DIM0
        parts.append(np.frombuffer(raw, NUMPY[got_spec.dtype]).reshape(-1, 2))
    assert [len(p) for p in parts] == [BATCH // PROCESSES] * PROCESSES
    np.testing.assert_allclose(np.concatenate(parts), x @ w, rtol=1e-5, atol=1e-6)
    # A replicated result fetched is the whole value, from any member.
    for m, sid, reply in zip(members, sids, replies):
        _, raw = fetch_raw(m.stub, sid, reply.outputs[0].handle)
        assert raw == means[0].tobytes()


def test_split_literals_carry_local_rows(mesh):
    members, _ = mesh
    w = np.arange(6, dtype=np.float32).reshape(3, 2)
    x = np.arange(BATCH * 3, dtype=np.float32).reshape(BATCH, 3)
    sids, text, handles = prepare_run(members, w, x)
    rows = BATCH // PROCESSES

    def run(pair):
        p, m, sid, hs = pair
        literal = pb.Literal(index=1, spec=IN_SPECS[1], data=x[p * rows:(p + 1) * rows].tobytes())
        return m.stub.Execute(pb.ExecuteRequest(session_id=sid, program_hash=sha256(text), inputs=hs[:1],
                                                literals=[literal], inline_max_bytes=1024), timeout=60)

    replies = on_all(list(zip(range(PROCESSES), members, sids, handles)), run)
    for reply in replies:
        np.testing.assert_allclose(np.frombuffer(reply.outputs[0].data, np.float32), (x @ w).mean(axis=0))


def test_a_replicated_buffer_fed_in_as_the_split_batch_is_moved(mesh):
    members, _ = mesh
    w = np.full((3, 2), 0.5, np.float32)
    x = np.arange(BATCH * 3, dtype=np.float32).reshape(BATCH, 3)
    sids, text, handles = prepare_run(members, w, x)
    # x again, uploaded whole to every member: the program wants it split over the mesh.
    whole = [upload_part(m.stub, sid, x, x.shape, pb.REPLICATED).handle for m, sid in zip(members, sids)]

    def run(p):
        return members[p].stub.Execute(pb.ExecuteRequest(
            session_id=sids[p], program_hash=sha256(text), inputs=[handles[p][0], whole[p]],
            inline_max_bytes=1024), timeout=60)

    for reply in on_all([0, 1], run):
        np.testing.assert_allclose(np.frombuffer(reply.outputs[0].data, np.float32), (x @ w).mean(axis=0))


def test_an_aliased_input_not_donated_survives_the_run(mesh):
    members, _ = mesh
    w = np.arange(6, dtype=np.float32).reshape(3, 2)
    x = np.ones((BATCH, 3), np.float32)
    sids, _, handles = prepare_run(members, w, x)
    text = mean_and_doubled_weights()
    for m, sid in zip(members, sids):
        compile_program(m.stub, sid, text, IN_SPECS, [spec((2,)), spec((3, 2))], num_devices=PROCESSES * LOCAL_DEVICES)

    def run(p):
        return members[p].stub.Execute(pb.ExecuteRequest(
            session_id=sids[p], program_hash=sha256(text), inputs=handles[p], inline_max_bytes=1024), timeout=60)

    for p, reply in enumerate(on_all([0, 1], run)):
        np.testing.assert_allclose(np.frombuffer(reply.outputs[1].data, np.float32).reshape(3, 2), w * 2)
        _, raw = fetch_raw(members[p].stub, sids[p], handles[p][0])   # w itself is still there
        assert raw == w.tobytes()


def test_a_run_past_its_deadline_keeps_its_turn(mesh):
    """A member whose call gave up still runs the program in its turn, so the next runs of the
    mesh pair up again: the late member's run completes the collective of the first one."""
    members, _ = mesh
    w = np.ones((3, 2), np.float32)
    x = np.arange(BATCH * 3, dtype=np.float32).reshape(BATCH, 3)
    sids, text, handles = prepare_run(members, w, x)

    def request(p):
        return pb.ExecuteRequest(session_id=sids[p], program_hash=sha256(text), inputs=handles[p],
                                 inline_max_bytes=1024)

    with pytest.raises(grpc.RpcError) as e:   # its peer has not launched the program yet
        members[0].stub.Execute(request(0), timeout=2)
    assert e.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    late = members[1].stub.Execute(request(1), timeout=60)   # meets member 0's abandoned run
    expected = (x @ w).mean(axis=0)
    np.testing.assert_allclose(np.frombuffer(late.outputs[0].data, np.float32), expected)
    # Member 0 counts its run as overdue until the run's end reaches its event loop; until
    # then it would refuse this client's next run (one overdue run per client) while member 1
    # launched it, and the two would wait for each other.
    time.sleep(1.0)
    replies = on_all([0, 1], lambda p: members[p].stub.Execute(request(p), timeout=60))
    for reply in replies:
        np.testing.assert_allclose(np.frombuffer(reply.outputs[0].data, np.float32), expected)


def test_wrong_local_byte_counts_are_refused(mesh):
    members, _ = mesh
    sid = open_sessions(members[1:])[0]
    x = np.zeros((BATCH, 3), np.float32)
    with pytest.raises(grpc.RpcError) as e:   # the whole batch sent where only the rows belong
        upload_part(members[1].stub, sid, x, x.shape, pb.SPLIT_DIM0)
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "rows 4..8 of 8 (process 1 of 2) sent more than its 48 bytes (received 96" in e.value.details()
    with pytest.raises(grpc.RpcError) as e:   # a replicated tensor is whole on every member
        upload_part(members[1].stub, sid, x[:4], x.shape, pb.REPLICATED)
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "needs 96 bytes, received 48" in e.value.details()
    text = mean_and_projection()
    compile_program(members[1].stub, sid, text, IN_SPECS, OUT_SPECS, num_devices=PROCESSES * LOCAL_DEVICES)
    hw = upload_part(members[1].stub, sid, np.zeros((3, 2), np.float32), (3, 2), pb.REPLICATED).handle
    literal = pb.Literal(index=1, spec=IN_SPECS[1], data=x.tobytes())
    with pytest.raises(grpc.RpcError) as e:
        members[1].stub.Execute(pb.ExecuteRequest(session_id=sid, program_hash=sha256(text), inputs=[hw],
                                                  literals=[literal]), timeout=30)
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "needs 48 bytes of data, received 96" in e.value.details()


def test_a_single_server_is_a_mesh_of_one(stub):
    h = stub.Health(pb.HealthRequest(), timeout=10)
    assert (h.process_index, h.process_count, h.mesh_id) == (0, 1, "")
    assert h.local_device_count == h.device_count == 8
    devices = stub.ListDevices(pb.ListDevicesRequest(), timeout=10).devices
    assert [d.process_index for d in devices] == [0] * 8


@pytest.mark.parametrize("victim", [1, 0], ids=["member-killed", "coordinator-killed"])
def test_a_dead_member_stops_the_other(tmp_path_factory, victim):
    """A run waiting in a collective for a member that was killed does not hang: jax's
    heartbeat ends the survivor, and its caller gets an error."""
    heartbeat_s = 3
    members, _ = start_mesh(tmp_path_factory, "--heartbeat-timeout-s", str(heartbeat_s))
    survivor = members[1 - victim]
    try:
        w = np.ones((3, 2), np.float32)
        x = np.ones((BATCH, 3), np.float32)
        sids, text, handles = prepare_run(members, w, x)
        sid, hs = sids[1 - victim], handles[1 - victim]
        # Only the survivor runs the program: its all-reduce waits for the victim.
        pending = survivor.stub.Execute.future(pb.ExecuteRequest(
            session_id=sid, program_hash=sha256(text), inputs=hs), timeout=120)
        time.sleep(1.0)
        assert not pending.done()
        members[victim].server.process.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        with pytest.raises(grpc.RpcError) as e:
            pending.result(timeout=60)
        failed_s = time.monotonic() - killed
        survivor.server.process.wait(timeout=60)
        exited_s = time.monotonic() - killed
        assert e.value.code() == grpc.StatusCode.UNAVAILABLE
        assert failed_s < 30 and exited_s < 30, (failed_s, exited_s)
        assert survivor.server.process.returncode != 0
        print(f"\nvictim {victim}: the survivor's Execute failed after {failed_s:.1f} s, "
              f"it exited ({survivor.server.process.returncode}) after {exited_s:.1f} s")
    finally:
        for m in members:
            if m.server.process.poll() is None:
                m.server.process.kill()
                m.server.process.wait(timeout=10)
            m.channel.close()


@pytest.mark.parametrize("flags, message", [
    (["--coordinator-address", "127.0.0.1:1234"],
     "--coordinator-address without --num-processes, --process-id: a mesh needs"),
    (["--coordinator-address", "127.0.0.1:1234", "--num-processes", "2", "--process-id", "2"],
     "--process-id 2 is out of range for --num-processes 2; number the servers 0..1"),
    (["--coordinator-address", "nohost", "--num-processes", "2", "--process-id", "0"],
     "--coordinator-address 'nohost' is not HOST:PORT"),
    (["--distributed-auto", "--process-id", "0"], "--distributed-auto takes the mesh from the environment"),
    (["--heartbeat-timeout-s", "5"], "--heartbeat-timeout-s 5 applies to a mesh only"),
    (["--distributed-auto", "--heartbeat-timeout-s", "0"], "--heartbeat-timeout-s 0 must be at least 1"),
])
def test_mesh_flags_are_checked(capsys, flags, message):
    with pytest.raises(SystemExit) as e:
        config_from_args(flags)
    assert e.value.code == 2
    assert message in capsys.readouterr().err


def test_mesh_flags_make_a_mesh_config():
    config = config_from_args(["--coordinator-address", "127.0.0.1:1234", "--num-processes", "2",
                               "--process-id", "1"])
    assert (config.mesh.coordinator_address, config.mesh.num_processes, config.mesh.process_id,
            config.mesh.heartbeat_timeout_s) == ("127.0.0.1:1234", 2, 1, 20)
    assert config_from_args([]).mesh is None
    assert config_from_args(["--distributed-auto"]).mesh.auto
