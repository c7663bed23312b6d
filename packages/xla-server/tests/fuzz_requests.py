"""The requests of the fuzz test (test_fuzz.py): malformed ones (random bytes, truncated and
mutated messages, modules and specs, bad handles, donation misuse) and hostile ones (the
classes of issue 22: deep nesting, huge shapes, host callbacks, >64-dimension uploads,
oversized messages, idle streams, sessions never attached, a never-ending loop).

Each request is a function of (Fuzzer, random.Random) that makes one call, or one burst of
calls for a hostile class; it lets grpc.RpcError through for the driver to count.
"""
from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import grpc
import numpy as np

import hostile
import programs
from client import compile_program, sha256, spec
from strata_xla_server.protocol import SERVICE_NAME, pb, pb_grpc

CALL_TIMEOUT_S = 30.0
METHODS = {  # name: (client streaming, server streaming)
    "Health": (False, False), "ListDevices": (False, False), "OpenSession": (False, False),
    "Attach": (True, True), "CloseSession": (False, False), "Compile": (False, False),
    "Execute": (False, False), "Upload": (True, False), "Fetch": (False, True), "Release": (False, False),
}
WRONG_TOKEN = [("authorization", "Bearer not-the-token-of-this-server")]
MLIR_CHARS = "%@#<>()[]{}:=,.x0123456789 \nabcfitensorblehlo\"-"


def endless_loop() -> str:
    """A while whose condition is always true: it never ends on its own."""
    return ("func.func @main(%a: tensor<f32>) -> tensor<f32> {\n"
            "  %w = stablehlo.while(%x = %a) : tensor<f32>\n"
            "  cond {\n    %t = stablehlo.constant dense<true> : tensor<i1>\n    stablehlo.return %t : tensor<i1>\n"
            "  } do {\n    %one = stablehlo.constant dense<1.0> : tensor<f32>\n"
            "    %y = stablehlo.add %x, %one : tensor<f32>\n    stablehlo.return %y : tensor<f32>\n  }\n"
            "  return %w : tensor<f32>\n}\n")


@dataclass
class Fuzzer:
    """What the requests of one thread share: its connection (one client to the server), its
    attached session and buffers, a maker of further connections (the bursts of the costly
    classes come from one of their own, as an attacker's would), another client's stub for
    the checks that others are still served, and the budget of the costly classes."""
    stub: object
    channel: grpc.Channel
    good_stub: object
    new_channel: Callable[[], grpc.Channel]
    session: str = ""
    handles: list = field(default_factory=list)
    budget: dict = field(default_factory=dict)
    budget_lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, name: str) -> bool:
        with self.budget_lock:
            if self.budget.get(name, 0) <= 0:
                return False
            self.budget[name] -= 1
            return True

    def raw(self, method: str):
        client_stream, server_stream = METHODS[method]
        path = f"/{SERVICE_NAME}/{method}"
        if client_stream and server_stream:
            return self.channel.stream_stream(path)
        if client_stream:
            return self.channel.stream_unary(path)
        if server_stream:
            return self.channel.unary_stream(path)
        return self.channel.unary_unary(path)

    def call_raw(self, method: str, payloads: list[bytes], metadata=None) -> None:
        """Sends raw bytes; the channel adds the token unless `metadata` carries another."""
        client_stream, server_stream = METHODS[method]
        fn = self.raw(method)
        arg = iter(payloads) if client_stream else payloads[0]
        result = fn(arg, timeout=CALL_TIMEOUT_S, metadata=metadata)
        if server_stream:
            for _ in result:
                pass


# --- malformed requests ----------------------------------------------------------------


def random_bytes(f: Fuzzer, rng: random.Random) -> None:
    method = rng.choice(sorted(METHODS))
    payloads = [rng.randbytes(rng.randint(1, 300)) for _ in range(rng.randint(1, 3))]
    f.call_raw(method, payloads)


def _valid_requests(f: Fuzzer, rng: random.Random) -> list[tuple[str, bytes]]:
    text = programs.add_2x3()
    f23 = spec((2, 3))
    handle = rng.choice(f.handles) if f.handles else "buf-1"
    return [
        ("Compile", pb.CompileRequest(session_id=f.session, program_hash=sha256(text), stablehlo_text=text,
                                      inputs=[f23, f23], outputs=[f23]).SerializeToString()),
        ("Execute", pb.ExecuteRequest(session_id=f.session, program_hash=sha256(text), inputs=[handle, handle],
                                      inline_max_bytes=64).SerializeToString()),
        ("Execute", pb.ExecuteRequest(session_id=f.session, program_hash=sha256(text), inputs=[handle],
                                      literals=[pb.Literal(index=rng.randrange(2), spec=f23, data=bytes(24))],
                                      inline_max_bytes=64).SerializeToString()),
        ("Upload", pb.UploadChunk(session_id=f.session, spec=spec((4,)), data=b"\1" * 16).SerializeToString()),
        ("Fetch", pb.FetchRequest(session_id=f.session, handle=handle).SerializeToString()),
        ("OpenSession", pb.OpenSessionRequest(num_devices=2, client="fuzz").SerializeToString()),
        ("Release", pb.ReleaseRequest(session_id=f.session, handles=["buf-x"]).SerializeToString()),
    ]


def mutated_message(f: Fuzzer, rng: random.Random) -> None:
    method, raw = rng.choice(_valid_requests(f, rng))
    data = bytearray(raw)
    how = rng.randrange(3)
    if how == 0:
        data = data[: rng.randrange(max(len(data), 1))]
    else:
        for _ in range(rng.randint(1, 8)):
            if data:
                data[rng.randrange(len(data))] = rng.randrange(256)
        if how == 2:
            data += rng.randbytes(rng.randint(1, 20))
    if method == "OpenSession":
        return  # a mutated OpenSession may open sessions this thread cannot name to close
    f.call_raw(method, [bytes(data)])


def _mutate_text(text: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 6)):
        i = rng.randrange(len(chars))
        how = rng.randrange(4)
        if how == 0:
            chars[i] = rng.choice(MLIR_CHARS)
        elif how == 1:
            del chars[i: i + rng.randint(1, 30)]
        elif how == 2:
            j = rng.randrange(len(chars))
            chars[i:i] = chars[j: j + rng.randint(1, 60)]
        else:
            chars[i:i] = list(str(rng.choice([0, 1, 7, 65, 1 << 31, 1 << 40, -1])))
    return "".join(chars)


MODULES = [
    (lambda: programs.add_2x3(), [spec((2, 3))] * 2, [spec((2, 3))], 1),
    (lambda: programs.scale((4, 5), 2.0), [spec((4, 5))], [spec((4, 5))], 1),
    (lambda: programs.scale_in_place((8,), 3.0), [spec((8,))], [spec((8,))], 1),
    (lambda: programs.data_parallel_mean(4, 8, False), [spec((3, 2)), spec((8, 3), placement=pb.SPLIT_DIM0)],
     [spec((2,)), spec((3, 2))], 4),
]


def mutated_module(f: Fuzzer, rng: random.Random) -> None:
    make, inputs, outputs, n = rng.choice(MODULES)
    compile_program(f.stub, f.session, _mutate_text(make(), rng), inputs, outputs, num_devices=n,
                    timeout=CALL_TIMEOUT_S)


def _random_spec(rng: random.Random) -> pb.TensorSpec:
    rank = rng.choice([0, 1, 2, 3, 64, 65, 100, 1000])
    shape = [rng.choice([0, 1, 2, 3, -1, -(1 << 62), 1 << 20, 1 << 41, (1 << 63) - 1]) for _ in range(rank)]
    return pb.TensorSpec(dtype=rng.choice([0, pb.F32, pb.I32, pb.BOOL, pb.BF16, pb.F16, pb.U8, 7, 99, -1]),
                         shape=shape, placement=rng.choice([0, 1, 2, 3, -5]))


def mutated_spec(f: Fuzzer, rng: random.Random) -> None:
    bad = _random_spec(rng)
    if rng.random() < 0.5:
        chunk = pb.UploadChunk(session_id=f.session, spec=bad, data=rng.randbytes(rng.choice([0, 4, 24, 1000])))
        f.stub.Upload(iter([chunk]), timeout=CALL_TIMEOUT_S)
    else:
        make, inputs, outputs, n = rng.choice(MODULES)
        inputs = list(inputs)
        inputs[rng.randrange(len(inputs))] = bad
        compile_program(f.stub, f.session, make(), inputs, outputs, num_devices=n, timeout=CALL_TIMEOUT_S)


def bad_handles(f: Fuzzer, rng: random.Random) -> None:
    handle = rng.choice(["", "buf-0", "buf-99999999", "../etc/passwd", "x" * 5000] + f.handles[-3:])
    session = rng.choice([f.session, f.session, "", "sess-nope", "\u00e9" * 100])
    what = rng.randrange(4)
    if what == 0:
        list(f.stub.Fetch(pb.FetchRequest(session_id=session, handle=handle), timeout=CALL_TIMEOUT_S))
    elif what == 1:
        f.stub.Release(pb.ReleaseRequest(session_id=session, handles=[handle, handle]), timeout=CALL_TIMEOUT_S)
    elif what == 2:
        text = programs.add_2x3()
        f.stub.Execute(pb.ExecuteRequest(session_id=session, program_hash=sha256(text), inputs=[handle, handle]),
                       timeout=CALL_TIMEOUT_S)
    else:
        f.stub.CloseSession(pb.CloseSessionRequest(session_id=rng.choice(["", "sess-nope", "x" * 300])),
                            timeout=CALL_TIMEOUT_S)


def _upload_f23(f: Fuzzer, rng: random.Random) -> str:
    data = np.full((2, 3), rng.randint(0, 9), np.float32).tobytes()
    h = f.stub.Upload(iter([pb.UploadChunk(session_id=f.session, spec=spec((2, 3)), data=data)]),
                      timeout=CALL_TIMEOUT_S).handle
    f.handles.append(h)
    del f.handles[:-16]
    return h


def donation_misuse(f: Fuzzer, rng: random.Random) -> None:
    text = programs.add_2x3()
    f23 = spec((2, 3))
    compile_program(f.stub, f.session, text, [f23, f23], [f23], timeout=CALL_TIMEOUT_S)
    a, b = _upload_f23(f, rng), _upload_f23(f, rng)
    how = rng.randrange(4)
    if how == 0:    # donate a handle that is not an input
        request = pb.ExecuteRequest(session_id=f.session, program_hash=sha256(text), inputs=[a, a], donate=[b])
    elif how == 1:  # the same handle twice, donated
        request = pb.ExecuteRequest(session_id=f.session, program_hash=sha256(text), inputs=[a, a], donate=[a, a])
    elif how == 2:  # release an input of the run
        request = pb.ExecuteRequest(session_id=f.session, program_hash=sha256(text), inputs=[a, b], release=[b])
    else:           # donate, then use the donated handle again
        f.stub.Execute(pb.ExecuteRequest(session_id=f.session, program_hash=sha256(text), inputs=[a, b], donate=[a]),
                       timeout=CALL_TIMEOUT_S)
        request = pb.ExecuteRequest(session_id=f.session, program_hash=sha256(text), inputs=[a, b])
    reply = f.stub.Execute(request, timeout=CALL_TIMEOUT_S)
    f.stub.Release(pb.ReleaseRequest(session_id=f.session, handles=[o.handle for o in reply.outputs]),
                   timeout=CALL_TIMEOUT_S)


def no_token(f: Fuzzer, rng: random.Random) -> None:
    f.call_raw(rng.choice(["Health", "OpenSession", "Compile"]), [b""], metadata=WRONG_TOKEN)


# --- hostile classes ---------------------------------------------------------------------


def deep_module(f: Fuzzer, rng: random.Random) -> None:
    depth = rng.randint(300, 7000)
    make = rng.choice([hostile.nested_array_attribute, hostile.nested_dictionary, hostile.nested_tuple_type,
                       hostile.nested_whiles])
    text = make(depth) if make is not hostile.nested_whiles else make(rng.randint(65, 600))
    compile_program(f.stub, f.session, text, [spec(())], [spec(())], timeout=CALL_TIMEOUT_S)


def deep_calls(f: Fuzzer, rng: random.Random) -> None:
    text = rng.choice([hostile.call_chain(rng.randint(65, 400)), hostile.affine_chain(rng.randint(1000, 20_000))])
    compile_program(f.stub, f.session, text, [spec(())], [spec(())], timeout=CALL_TIMEOUT_S)


def huge_shape(f: Fuzzer, rng: random.Random) -> None:
    text = rng.choice([hostile.huge_iota(), hostile.rank_65_module()])
    inputs = [] if "@main()" in text else [spec(())]
    compile_program(f.stub, f.session, text, inputs, [spec(())], timeout=CALL_TIMEOUT_S)


def host_callback(f: Fuzzer, rng: random.Random) -> None:
    target = rng.choice(["xla_python_cpu_callback", "xla_ffi_python_cpu_callback", "xla_python_gpu_callback",
                         "xla_ffi_python_gpu_callback"])
    text = rng.choice([hostile.custom_call, hostile.custom_call_through_alias])(target)
    compile_program(f.stub, f.session, text, [spec(())], [spec(())], timeout=CALL_TIMEOUT_S)


def upload_over_64_dims(f: Fuzzer, rng: random.Random) -> None:
    shape = [1] * rng.randint(65, 300)
    f.stub.Upload(iter([pb.UploadChunk(session_id=f.session, spec=pb.TensorSpec(dtype=pb.F32, shape=shape),
                                       data=b"\0\0\0\0")]), timeout=CALL_TIMEOUT_S)


def oversized_message(f: Fuzzer, rng: random.Random) -> None:
    body = rng.randbytes(1024) * (65 * 1024)     # 65 MiB: over the server's 64 MiB limit
    f.call_raw(rng.choice(["Compile", "Upload"]), [body], metadata=rng.choice([None, WRONG_TOKEN]))


def idle_streams(f: Fuzzer, rng: random.Random) -> None:
    """340 Upload streams that send nothing, while another client must still be served."""
    stop = threading.Event()

    def nothing():
        stop.wait(CALL_TIMEOUT_S)
        return
        yield  # a generator that yields nothing until stopped

    channel = f.new_channel()
    stub = pb_grpc.XlaServiceStub(channel)
    calls = [stub.Upload.future(nothing(), timeout=CALL_TIMEOUT_S) for _ in range(340)]
    try:
        time.sleep(0.5)
        assert hostile.known_good_check(f.good_stub), "another client was not served while 340 streams idled"
    finally:
        stop.set()
        for call in calls:
            call.cancel()
        channel.close()


def unattached_sessions(f: Fuzzer, rng: random.Random) -> None:
    """70 sessions opened and never attached (more than the server's 64), while another client
    must still be served; closed afterwards so the memory check sees them freed."""
    opened = []
    channel = f.new_channel()
    stub = pb_grpc.XlaServiceStub(channel)
    try:
        for _ in range(70):
            try:
                opened.append(stub.OpenSession(pb.OpenSessionRequest(client="never attaches"),
                                               timeout=CALL_TIMEOUT_S).session_id)
            except grpc.RpcError as e:
                assert e.code() in (grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.UNAVAILABLE), e
        assert hostile.known_good_check(f.good_stub), "another client was not served while 70 sessions were held"
    finally:
        for sid in opened:
            try:
                stub.CloseSession(pb.CloseSessionRequest(session_id=sid), timeout=CALL_TIMEOUT_S)
            except grpc.RpcError as e:
                assert e.code() == grpc.StatusCode.NOT_FOUND, e  # the server closed it first
        channel.close()


def never_ending_loop(f: Fuzzer, rng: random.Random) -> None:
    """A program that never ends, run with a 2 s deadline from a client of its own: the call
    must end by then, and other clients go on being served."""
    channel = f.new_channel()
    stub = pb_grpc.XlaServiceStub(channel)
    text = endless_loop()
    sid = stub.OpenSession(pb.OpenSessionRequest(client="endless loop"), timeout=CALL_TIMEOUT_S).session_id
    try:
        compile_program(stub, sid, text, [spec(())], [spec(())], timeout=CALL_TIMEOUT_S)
        h = stub.Upload(iter([pb.UploadChunk(session_id=sid, spec=spec(()), data=b"\0\0\0\0")]),
                        timeout=CALL_TIMEOUT_S).handle
        start = time.monotonic()
        try:
            stub.Execute(pb.ExecuteRequest(session_id=sid, program_hash=sha256(text), inputs=[h]), timeout=2.0)
        finally:
            assert time.monotonic() - start < 5.0, "the never-ending run outlived its 2 s deadline by more than 3 s"
    finally:
        try:
            stub.CloseSession(pb.CloseSessionRequest(session_id=sid), timeout=CALL_TIMEOUT_S)
        finally:
            channel.close()


# (request, weight): the weights make about 2,000 requests fit the fuzz test's time.
REQUESTS = [
    (random_bytes, 16), (mutated_message, 16), (mutated_module, 10), (mutated_spec, 10), (bad_handles, 12),
    (donation_misuse, 6), (no_token, 4),
    (deep_module, 5), (deep_calls, 2), (huge_shape, 3), (host_callback, 4), (upload_over_64_dims, 3),
    (oversized_message, 1), (idle_streams, 1), (unattached_sessions, 1), (never_ending_loop, 1),
]
# The costly classes run at most this often in one fuzz run (the driver draws again after).
BUDGETED = {oversized_message: "oversized", idle_streams: "idle_streams", unattached_sessions: "unattached",
            never_ending_loop: "endless"}
BUDGET = {"oversized": 3, "idle_streams": 1, "unattached": 1, "endless": 1}

