"""``app_process``: how a Java program pushed as a jar runs on the phone; the phone knows one, scrcpy's server.

``CLASSPATH=/data/local/tmp/scrcpy-server.jar app_process / com.genymobile.scrcpy.Server 3.3.4 k=v ...``
The jar must be on the phone (``adb push``); its version is read from the jar itself (the dex string
pool) and must equal the client's, exactly as the real server checks. Any other class is not found.
"""

from __future__ import annotations

from collections.abc import Callable

from .._scrcpy import SERVER_CLASS, run_server
from .._scrcpy_wire import UnsupportedVersion, family_for, jar_version
from .._shell import CommandContext
from .._vfs import FsError
from ._registry import command

__all__: list[str] = []

_LEVELS = ["VERBOSE", "DEBUG", "INFO", "WARN", "ERROR"]


def _class_not_found(ctx: CommandContext, name: str, classpath: str) -> int:
    ctx.err(f'Exception in thread "main" java.lang.ClassNotFoundException: Didn\'t find class "{name}" on path: '
            f'DexPathList[[zip file "{classpath}"],nativeLibraryDirectories=[/system/lib64, /system_ext/lib64]]\n'
            "\tat dalvik.system.BaseDexClassLoader.findClass(BaseDexClassLoader.java:259)\n"
            "\tat java.lang.ClassLoader.loadClass(ClassLoader.java:379)\n"
            "\tat com.android.internal.os.RuntimeInit.main(RuntimeInit.java:355)\n")
    return 1


@command("app_process", "app_process64")
def app_process(ctx: CommandContext) -> int:
    args = ctx.argv[1:]
    while args and args[0].startswith("-"):  # VM options
        args = args[1:]
    if len(args) < 2:
        ctx.err("Usage: app_process [java-options] cmd-dir start-class-name [options]\n")
        return 2
    _cmd_dir, class_name, *program_args = args
    classpath = ctx.env.get("CLASSPATH", "")
    path = ctx.path(classpath.split(":")[0]) if classpath else ""
    try:
        jar = ctx.fs.read(path) if path else b""
    except FsError:
        jar = b""
    version = jar_version(jar) if jar else None
    if class_name != SERVER_CLASS or version is None:
        return _class_not_found(ctx, class_name, classpath)

    level = next((a.partition("=")[2].upper() for a in program_args if a.startswith("log_level=")), "INFO")
    threshold = _LEVELS.index(level) if level in _LEVELS else 2

    def log(lvl: str, message: str) -> None:
        if _LEVELS.index(lvl) >= threshold:
            stream = ctx.stderr if lvl in ("WARN", "ERROR") else ctx.stdout
            stream.write(f"[server] {lvl}: {message}\n")
            stream.flush()  # a running server's log reaches the host line by line, as from a real process

    if not program_args:
        return _fail(log, "Missing client version")
    client = program_args[0]
    if client != version:
        return _fail(log, f"The server version ({version}) does not match the client ({client})")
    try:
        family = family_for(version)
    except UnsupportedVersion as exc:
        log("ERROR", str(exc))
        return 1
    cleanup = "cleanup=false" not in program_args
    try:
        return run_server(ctx.phone, family, program_args[1:], log, ctx.cancelled)
    finally:
        if cleanup:  # the server's CleanUp process unlinks the jar when the server ends
            try:
                ctx.fs.remove(path)
            except FsError:
                pass


def _fail(log: Callable[[str, str], None], message: str) -> int:
    """What Server.main prints for an IllegalArgumentException from Options.parse, and its exit status."""
    log("ERROR", f"{message}\njava.lang.IllegalArgumentException: {message}\n"
                 "\tat com.genymobile.scrcpy.Options.parse(Options.java:353)\n"
                 "\tat com.genymobile.scrcpy.Server.internalMain(Server.java:238)\n"
                 "\tat com.genymobile.scrcpy.Server.main(Server.java:215)")
    return 1
