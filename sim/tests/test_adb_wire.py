"""The virtual phone as a real adb server sees it: devices, shell v1/v2, exec, sync, streams, garbage."""

from __future__ import annotations

import io
import os
import socket
import struct
import threading

import pytest
from PIL import Image

from screenpilot_sim import AdbdEndpoint, PhoneConfig, VirtualPhone
from screenpilot_sim._wire import A_CNXN, A_OPEN, A_VERSION, HEADER, MAX_PAYLOAD, Message
from screenpilot_sim.testing import AdbDevice, wait_for


def test_adb_devices_lists_the_phone_with_its_banner(adb_device: AdbDevice) -> None:
    out = adb_device.server.run("devices", "-l").stdout.decode()
    line = next(line for line in out.splitlines() if line.startswith(adb_device.serial))
    assert line.split()[1] == "device"
    assert "product:sp_phone" in line and "model:Virtual_Phone" in line and "device:vphone" in line


def test_shell_v2_gives_exit_codes_and_separate_stderr(adb_device: AdbDevice) -> None:
    r = adb_device.shell("echo out; echo err >&2; exit 3")
    assert r.returncode == 3
    assert r.stdout == b"out\n"
    assert r.stderr == b"err\n"
    assert adb_device.shell("true").returncode == 0
    assert adb_device.shell("nosuchcommand").returncode == 127


def test_shell_v1_merges_output_and_has_no_exit_code(adb_device: AdbDevice) -> None:
    client = adb_device.adbutils()
    out = client.shell("echo out; echo err >&2; false")  # adbutils speaks shell v1 (``shell:``)
    assert out == "out\nerr"
    result = client.shell2("echo x; exit 7", v2=True)
    assert result.returncode == 7 and result.stdout == "x\n"


def test_exec_out_screencap_png_decodes_to_the_screen_size(adb_device: AdbDevice) -> None:
    r = adb_device.adb("exec-out", "screencap -p")
    assert r.returncode == 0
    assert r.stdout.startswith(b"\x89PNG\r\n\x1a\n")
    img = Image.open(io.BytesIO(r.stdout))
    assert img.size == (1080, 2400)


def test_raw_screencap_has_the_header_and_rgba_pixels(adb_device: AdbDevice) -> None:
    r = adb_device.adb("exec-out", "screencap")
    w, h, fmt, _space = struct.unpack("<IIII", r.stdout[:16])
    assert (w, h, fmt) == (1080, 2400, 1)
    assert len(r.stdout) == 16 + w * h * 4


def test_push_and_pull_of_5_mb_are_byte_identical(adb_device: AdbDevice, tmp_path: object) -> None:
    from pathlib import Path

    base = Path(str(tmp_path))
    src = base / "big.bin"
    src.write_bytes(os.urandom(5 * 1024 * 1024))
    r = adb_device.adb("push", str(src), "/sdcard/Download/big.bin")
    assert r.returncode == 0, r.stderr
    assert adb_device.phone.fs.read("/sdcard/Download/big.bin") == src.read_bytes()
    dst = base / "back.bin"
    r = adb_device.adb("pull", "/sdcard/Download/big.bin", str(dst))
    assert r.returncode == 0, r.stderr
    assert dst.read_bytes() == src.read_bytes()
    ls = adb_device.shell("ls -l /sdcard/Download/big.bin").stdout.decode()
    assert " 5242880 " in ls


def test_push_where_the_shell_user_cannot_write_fails_like_a_phone(adb_device: AdbDevice, tmp_path: object) -> None:
    from pathlib import Path

    src = Path(str(tmp_path)) / "x.txt"
    src.write_text("x")
    r = adb_device.adb("push", str(src), "/system/x.txt")
    assert r.returncode != 0
    assert b"Read-only file system" in r.stdout + r.stderr
    r = adb_device.adb("pull", "/sdcard/nope.txt", str(src))
    assert r.returncode != 0
    assert b"does not exist" in r.stdout + r.stderr  # the client stats first, as with a phone


def test_many_streams_at_once_stay_separate(adb_device: AdbDevice) -> None:
    client = adb_device.adbutils()
    results: dict[int, str] = {}
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            results[k] = client.shell(f"sleep 0.2; echo stream-{k}")
        except BaseException as e:  # noqa: BLE001 - collected for the assert below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert results == {k: f"stream-{k}" for k in range(8)}


def test_unknown_service_is_refused_and_the_device_goes_on(adb_device: AdbDevice) -> None:
    conn = adb_device.adbutils().open_transport()
    conn.send_command("nosuchservice:foo")
    with pytest.raises(Exception):  # noqa: B017 - adbutils reports the device's CLSE as an AdbError
        conn.check_okay()
        conn.read_until_close()
        raise AssertionError("the device answered an unknown service")
    conn.close()
    assert adb_device.shell("echo still here").stdout == b"still here\n"


def _raw_connect(port: int) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    return s


@pytest.mark.parametrize("garbage", [
    b"\x00" * 24,  # a header with a bad magic
    b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",  # someone points a browser at it
    HEADER.pack(A_CNXN, A_VERSION, MAX_PAYLOAD, 0xFFFFFFF0, 0, A_CNXN ^ 0xFFFFFFFF),  # an absurd length
    Message(A_OPEN, 1, 0, b"shell:echo x\0").pack(),  # OPEN before any handshake
])
def test_garbage_from_one_client_never_hurts_another(adb_device: AdbDevice, garbage: bytes) -> None:
    s = _raw_connect(adb_device.endpoint.port)
    s.sendall(garbage)
    s.settimeout(1)  # an OPEN before the handshake is ignored, as adbd does: the client just waits
    try:
        while s.recv(4096):  # the phone closes a client that is not speaking adb
            pass
    except (TimeoutError, ConnectionResetError):
        pass
    finally:
        s.close()
    assert adb_device.shell("echo alive").stdout == b"alive\n"


def test_half_a_header_then_silence_does_not_block_others(adb_device: AdbDevice) -> None:
    s = _raw_connect(adb_device.endpoint.port)
    try:
        s.sendall(b"CNXN\x01\x00")
        assert adb_device.shell("echo alive").stdout == b"alive\n"
    finally:
        s.close()


def test_a_raw_client_can_handshake_and_run_a_shell() -> None:
    """The wire format itself, without an adb server: CNXN, OPEN, WRTE/OKAY, CLSE."""
    phone = VirtualPhone(PhoneConfig(clock="10:30"))
    with AdbdEndpoint(phone) as ep:
        s = _raw_connect(ep.port)

        def recv() -> Message:
            header = b""
            while len(header) < 24:
                header += s.recv(24 - len(header))
            cmd, a0, a1, n, _c, _m = HEADER.unpack(header)
            data = b""
            while len(data) < n:
                data += s.recv(n - len(data))
            return Message(cmd, a0, a1, data)

        s.sendall(Message(A_CNXN, A_VERSION, MAX_PAYLOAD, b"host::features=shell_v2\0").pack())
        hello = recv()
        assert hello.command == A_CNXN
        assert hello.data.startswith(b"device::ro.product.name=sp_phone;")
        assert b"features=shell_v2,cmd" in hello.data
        s.sendall(Message(A_OPEN, 7, 0, b"shell,v2,raw:echo hi; exit 5\0").pack())
        okay = recv()
        assert okay.arg1 == 7
        local = okay.arg0
        got = b""
        while True:
            m = recv()
            if m.command == Message(0x45534C43, 0, 0).command:  # CLSE
                break
            got += m.data
            s.sendall(Message(0x59414B4F, 7, local).pack())  # OKAY: flow control, one packet in flight
        assert got == b"\x01\x03\x00\x00\x00hi\n" + b"\x03\x01\x00\x00\x00\x05"
        s.close()


def test_several_phones_on_several_ports_in_one_process(adb_server: object) -> None:
    from screenpilot_sim.testing import AdbServer, free_port

    assert isinstance(adb_server, AdbServer)
    phones = [VirtualPhone(PhoneConfig(serialno=f"MULTI{k}")) for k in range(2)]
    endpoints = [AdbdEndpoint(p, port=free_port()).start() for p in phones]
    try:
        for ep in endpoints:
            adb_server.connect(ep.serial)
        for k, ep in enumerate(endpoints):
            r = adb_server.run("-s", ep.serial, "shell", "getprop ro.serialno")
            assert r.stdout == f"MULTI{k}\n".encode()
        adb_server.run("-s", endpoints[0].serial, "shell", "settings put global wifi_on 0")
        assert phones[0].settings["global"]["wifi_on"] == "0"
        assert phones[1].settings["global"]["wifi_on"] == "1"
    finally:
        for ep in endpoints:
            adb_server.run("disconnect", ep.serial)
            ep.stop()


def test_an_emulator_port_is_found_by_a_fresh_adb_server(adb_server_factory: object) -> None:
    """A phone on an odd port in 5555-5585 shows up as emulator-(port-1) without `adb connect`."""
    taken = set()
    for port in range(5555, 5586, 2):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0 or probe.connect_ex(("127.0.0.1", port - 1)) == 0:
                taken.add(port)
    free = [p for p in range(5585, 5554, -2) if p not in taken]
    if not free:
        pytest.skip("every emulator port is in use on this machine")
    phone = VirtualPhone(PhoneConfig())
    for port in free:
        try:
            ep = AdbdEndpoint(phone, port=port).start()
            break
        except OSError:
            continue
    else:
        pytest.skip("no emulator port could be bound")
    try:
        server = adb_server_factory(scan_emulators_up_to=ep.port)  # type: ignore[operator]
        serial = f"emulator-{ep.port - 1}"
        assert ep.serial == serial
        wait_for(lambda: server.devices().get(serial) == "device", what=f"{serial} to appear")
        assert server.run("-s", serial, "shell", "echo found").stdout == b"found\n"
    finally:
        ep.stop()


def test_an_unauthorized_phone_waits_for_the_person_to_allow(adb_server: object) -> None:
    from screenpilot_sim.testing import AdbServer, free_port

    assert isinstance(adb_server, AdbServer)
    phone = VirtualPhone(PhoneConfig(require_auth=True))
    ep = AdbdEndpoint(phone, port=free_port()).start()
    try:
        adb_server.connect(ep.serial, state="unauthorized")
        r = adb_server.run("-s", ep.serial, "shell", "echo x")
        assert r.returncode != 0 and b"unauthorized" in r.stderr
        assert phone.auth.keys, "the host offered its public key"
        phone.auth.authorize()
        adb_server.wait_state(ep.serial, "device")
        assert adb_server.run("-s", ep.serial, "shell", "echo x").stdout == b"x\n"
    finally:
        adb_server.run("disconnect", ep.serial)
        ep.stop()


def test_interactive_shell_reads_commands_from_stdin(adb_device: AdbDevice) -> None:
    r = adb_device.adb("shell", input=b"echo hi\ncd /sdcard; pwd\nexit 3\n", timeout=20)
    assert (r.returncode, r.stdout) == (3, b"hi\n/sdcard\n")


def test_stdin_reaches_a_command(adb_device: AdbDevice) -> None:
    assert adb_device.adb("shell", "cat", input=b"piped\n", timeout=20).stdout == b"piped\n"


def test_a_pty_shell_answers_with_crlf(adb_device: AdbDevice) -> None:
    assert adb_device.adb("shell", "-t", "-t", "echo tty").stdout == b"tty\r\n"


def test_directories_push_and_pull_through_list(adb_device: AdbDevice, tmp_path: object) -> None:
    from pathlib import Path

    base = Path(str(tmp_path))
    r = adb_device.adb("pull", "/sdcard/Documents/Notes", str(base))
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in (base / "Notes").iterdir()) == ["Ideas.txt", "Shopping list.txt"]
    assert (base / "Notes" / "Ideas.txt").read_bytes() == adb_device.phone.fs.read("/sdcard/Documents/Notes/Ideas.txt")
    r = adb_device.adb("push", str(base / "Notes"), "/sdcard/Download/")
    assert r.returncode == 0, r.stderr
    assert adb_device.shell("ls /sdcard/Download/Notes").stdout == b"Ideas.txt\nShopping list.txt\n"


def test_a_push_larger_than_the_free_space_fails_cleanly(adb_device: AdbDevice, tmp_path: object) -> None:
    from pathlib import Path

    fs = adb_device.phone.fs
    saved = fs.capacity
    fs.capacity = fs.used() + 1024 * 1024
    try:
        src = Path(str(tmp_path)) / "too_big.bin"
        src.write_bytes(b"x" * (2 * 1024 * 1024))
        r = adb_device.adb("push", str(src), "/sdcard/too_big.bin")
        assert r.returncode != 0 and b"No space left on device" in r.stdout + r.stderr
        assert not fs.exists("/sdcard/too_big.bin")
        assert adb_device.shell("echo ok").stdout == b"ok\n"
    finally:
        fs.capacity = saved


def test_concurrent_clients_mixing_files_input_and_screencaps(adb_device: AdbDevice) -> None:
    """Several clients at once on one phone: every answer is right and the phone stays consistent."""
    client = adb_device.adbutils()
    errors: list[str] = []

    def worker(k: int) -> None:
        try:
            for i in range(6):
                name = f"/sdcard/Download/w{k}_{i}.txt"
                client.shell(f"echo {k}-{i} > {name}")
                got = client.shell(f"cat {name}")
                if got != f"{k}-{i}":
                    errors.append(f"{name}: {got!r}")
                if k % 2:
                    png = client.shell("screencap -p", encoding=None)
                    if not png.startswith(b"\x89PNG"):
                        errors.append("screencap is not a PNG")
                else:
                    client.shell(f"settings put system w{k} {i}; input keyevent HOME; monkey -p com.android.settings 1")
        except Exception as e:  # noqa: BLE001 - collected for the assert below
            errors.append(repr(e))

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert len(adb_device.phone.fs.listdir("/sdcard/Download")) == 24
    assert adb_device.shell("settings get system w2").stdout == b"5\n"


@pytest.mark.parametrize("which", ["debian", "adbutils-wheel"])
def test_both_adb_generations_speak_to_the_phone(which: str, virtual_phone: object, tmp_path: object) -> None:
    """Debian's adb 29 and the adbutils wheel's adb 36: devices, shell v2 exit codes, exec-out, push/pull."""
    import shutil
    from pathlib import Path

    import adbutils

    from screenpilot_sim.testing import PhoneServer, _start_adb_server, _stop_adb_server

    assert isinstance(virtual_phone, PhoneServer)
    binary = shutil.which("adb") if which == "debian" else str(Path(adbutils.__file__).parent / "binaries" / "adb")
    if not binary or not os.path.exists(binary):
        pytest.skip(f"no {which} adb here")
    base = Path(str(tmp_path))
    server = _start_adb_server(binary, base)
    try:
        server.connect(virtual_phone.serial)
        run = lambda *a: server.run("-s", virtual_phone.serial, *a)
        assert run("shell", "echo v; exit 4").returncode == 4
        png = run("exec-out", "screencap -p").stdout
        assert Image.open(io.BytesIO(png)).size == (1080, 2400)
        (base / "up.bin").write_bytes(os.urandom(300_000))
        assert run("push", str(base / "up.bin"), "/data/local/tmp/up.bin").returncode == 0
        assert run("pull", "/data/local/tmp/up.bin", str(base / "down.bin")).returncode == 0
        assert (base / "down.bin").read_bytes() == (base / "up.bin").read_bytes()
    finally:
        _stop_adb_server(server)


def test_random_packets_from_a_client_never_hurt_the_phone(adb_device: AdbDevice) -> None:
    """Well-formed headers with nonsense in them (unknown streams, stray OKAY/CLSE/WRTE, odd services)."""
    import random

    from screenpilot_sim._wire import A_AUTH, A_CLSE, A_OKAY, A_WRTE

    rng = random.Random(7)
    s = _raw_connect(adb_device.endpoint.port)
    try:
        s.sendall(Message(A_CNXN, A_VERSION, MAX_PAYLOAD, b"host::\0").pack())
        for _ in range(300):
            cmd = rng.choice([A_OPEN, A_OKAY, A_CLSE, A_WRTE, A_AUTH, A_CNXN])
            data = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 64)))
            if cmd == A_OPEN and rng.random() < 0.5:
                data = rng.choice([b"shell:echo x\0", b"sync:\0", b"exec:cat\0", b"\xff\xfe\0", b"tcp:1\0", b""])
            s.sendall(Message(cmd, rng.randrange(0, 5), rng.randrange(0, 5), data).pack())
    finally:
        s.close()
    assert adb_device.shell("echo survived").stdout == b"survived\n"
