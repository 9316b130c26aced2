"""``pm``: the package manager's shell commands over the phone's installed apps."""

from __future__ import annotations

import io
import zipfile

from .._shell import CommandContext
from .._vfs import FsError
from ._registry import command, java_exception

__all__: list[str] = []

_PM = "com.android.server.pm.PackageManagerShellCommand"


def apk_path(app: object) -> str:
    pkg = getattr(app, "package", "")
    name = getattr(app, "label", pkg).replace(" ", "")
    return (f"/system/priv-app/{name}/{name}.apk" if getattr(app, "system", True)
            else f"/data/app/~~vXz1q2w3e4r5t6y7==/{pkg}-AbCdEf==/base.apk")


@command("pm")
def pm(ctx: CommandContext) -> int:
    args = ctx.argv[1:]
    phone = ctx.phone
    if not args:
        ctx.out("Package manager (package) commands:\n  help\n    Print this help text.\n"
                "  path [--user USER_ID] PACKAGE\n  list packages [-f] [-d] [-e] [-s] [-3] [-i] [-l] [-u] [-U]\n"
                "  clear [--user USER_ID] PACKAGE\n  uninstall [-k] [--user USER_ID] PACKAGE\n")
        return 0
    sub, rest = args[0], args[1:]
    if sub == "list" and rest[:1] in (["packages"], ["package"]):
        opts = [a for a in rest[1:] if a.startswith("-")]
        user = "--user" in rest
        words = [a for a in rest[1:] if not a.startswith("-")]
        if user and words:
            words = words[1:]
        pattern = words[0] if words else ""
        for pkg in sorted(phone.apps):
            app = phone.apps[pkg]
            installed = pkg in phone.installed
            if not installed and "-u" not in opts:
                continue
            if "-3" in opts and app.system or "-s" in opts and not app.system:
                continue
            if pattern and pattern not in pkg:
                continue
            line = "package:"
            if "-f" in opts:
                line += apk_path(app) + "="
            line += pkg
            if "-U" in opts:
                line += f" uid:{10000 + sorted(phone.apps).index(pkg)}"
            if "-i" in opts:
                line += "  installer=null"
            ctx.out(line + "\n")
        return 0
    if sub == "list" and rest[:1] == ["features"]:
        for f in ("android.hardware.touchscreen", "android.hardware.wifi", "android.hardware.bluetooth",
                  "android.software.input_methods", "android.hardware.screen.portrait"):
            ctx.out(f"feature:{f}\n")
        return 0
    if sub == "path":
        pkgs = [a for a in rest if not a.startswith("-")]
        if not pkgs:
            return java_exception(ctx, "path", 'java.lang.IllegalArgumentException: Argument expected after "path"',
                                  [f"{_PM}.runPath(PackageManagerShellCommand.java:584)"])
        pkg = pkgs[-1]
        if pkg not in phone.installed:
            return 1
        ctx.out(f"package:{apk_path(phone.apps[pkg])}\n")
        return 0
    if sub == "clear":
        pkgs = [a for a in rest if not a.startswith("-")]
        if not pkgs:
            ctx.err("Error: no package specified\n")
            return 255
        if phone.clear_data(pkgs[-1]):
            ctx.out("Success\n")
            return 0
        ctx.out("Failed\n")
        return 255
    if sub == "uninstall":
        user = "--user" in rest
        pkgs = [a for a in rest if not a.startswith("-")]
        if user and pkgs:
            pkgs = pkgs[1:]
        if not pkgs:
            ctx.err("Error: package name not specified\n")
            return 1
        pkg = pkgs[-1]
        app = phone.apps.get(pkg)
        if app is None or pkg not in phone.installed:
            ctx.out("Failure [DELETE_FAILED_INTERNAL_ERROR]\n")
            return 1
        if app.system and not user:
            ctx.out("Failure [DELETE_FAILED_INTERNAL_ERROR]\n")
            return 1
        with phone.transaction():
            phone.force_stop(pkg)
            phone.installed.discard(pkg)
            _drop_ime(phone, pkg)
        ctx.out("Success\n")
        return 0
    if sub in ("install-existing",):
        pkgs = [a for a in rest if not a.startswith("-")]
        pkg = pkgs[-1] if pkgs else ""
        if pkg not in phone.apps:
            ctx.out("Failure [INSTALL_FAILED_INVALID_URI]\n")
            return 1
        with phone.transaction():
            phone.installed.add(pkg)
        ctx.out(f"Package {pkg} installed for user: 0\n")
        return 0
    if sub == "install":
        return _install(ctx, rest)
    if sub in ("grant", "revoke"):
        words = [a for a in rest if not a.startswith("-")]
        if "--user" in rest and words:
            words = words[1:]
        if len(words) < 2:
            return java_exception(ctx, sub, f'java.lang.IllegalArgumentException: Argument expected after "{sub}"',
                                  [f"{_PM}.runGrantRevokePermission(PackageManagerShellCommand.java:2626)"])
        pkg, perm = words[0], words[1]
        app = phone.apps.get(pkg)
        where = "com.android.server.pm.permission.PermissionManagerServiceImpl.grantRuntimePermissionInternal"
        if app is None or pkg not in phone.installed:
            return java_exception(ctx, sub, f"java.lang.IllegalArgumentException: Unknown package: {pkg}",
                                  [f"{where}(PermissionManagerServiceImpl.java:1373)"])
        if perm not in app.runtime_permissions:
            return java_exception(ctx, sub, f"java.lang.SecurityException: Package {pkg} has not requested "
                                            f"permission {perm}", [f"{where}(PermissionManagerServiceImpl.java:1403)"])
        phone.set_permission(pkg, perm, sub == "grant")
        return 0
    if sub in ("set-install-location", "trim-caches", "reset-permissions"):
        return 0
    if sub in ("disable-user", "disable", "enable", "default-state"):
        pkgs = [a for a in rest if not a.startswith("-")]
        if sub == "disable-user" and "--user" in rest:
            pkgs = pkgs[1:]
        state = {"disable-user": "disabled-user", "disable": "disabled", "enable": "enabled",
                 "default-state": "default"}[sub]
        if pkgs:
            ctx.out(f"Package {pkgs[-1]} new state: {state}\n")
        return 0
    if sub == "resolve-activity":
        pkgs = [a for a in rest if not a.startswith("-") and not a.startswith("android.intent")]
        pkg = pkgs[-1] if pkgs else ""
        app = phone.apps.get(pkg)
        if app is None or pkg not in phone.installed or not app.launchable:
            ctx.out("No activity found\n")
            return 0
        short = app.short_class(app.main_activity)
        if "--brief" in rest:
            ctx.out(f"priority=0 preferredOrder=0 match=0x108000 specificIndex=-1 isDefault=false\n{pkg}/{short}\n")
        else:
            ctx.out(f"  ActivityInfo:\n    name={app.main_activity}\n    packageName={pkg}\n")
        return 0
    if sub == "dump":
        from ._system import dumpsys_package

        return dumpsys_package(ctx, rest[-1] if rest else "")
    if sub in ("help", "-h"):
        ctx.argv = ["pm"]
        return pm(ctx)
    ctx.err(f"Unknown command: {sub}\n")
    return 255


def _install(ctx: CommandContext, args: list[str]) -> int:
    """``pm install [-r -t -g] (-S SIZE | PATH)``: the APK streamed on stdin (what ``adb install`` does)
    or a file on the phone. Only APKs of apps the phone knows are recognized (by the package name in
    their manifest, ADBKeyBoard above all); anything else fails to parse, as a broken APK does."""
    phone = ctx.phone
    size: int | None = None
    paths = []
    k = 0
    while k < len(args):
        a = args[k]
        if a == "-S" and k + 1 < len(args):
            if not args[k + 1].isdigit():
                ctx.err(f"Error: invalid size {args[k + 1]}\n")
                return 1
            size = int(args[k + 1])
            k += 2
            continue
        if a in ("--user", "-i", "--install-location", "--originating-uri", "--referrer", "--abi") and k + 1 < len(args):
            k += 2
            continue
        if not a.startswith("-"):
            paths.append(a)
        k += 1
    if size is not None:
        data = ctx.stdin.read(size)
        if len(data) < size:
            ctx.out(f"Failure [INSTALL_FAILED_INTERNAL_ERROR: Failed to read {size} bytes, got {len(data)}]\n")
            return 1
    elif paths:
        try:
            data = ctx.fs.read(ctx.path(paths[-1]))
        except FsError:
            ctx.err(f"Error: Unable to open file: {paths[-1]}\nConsider using a file under /data/local/tmp/\n")
            return 1
    else:
        ctx.err("Error: APK content must be streamed\n")
        return 1
    package = _package_of(data, phone.apps)
    if package is None:
        tmp = f"/data/app/vmdl{abs(hash(data)) % 1000000}.tmp/base.apk"
        ctx.out(f"Failure [INSTALL_PARSE_FAILED_NOT_APK: Failed to parse {tmp}: Failed to load asset path {tmp}]\n")
        return 1
    with phone.transaction():
        phone.installed.add(package)
    ctx.out("Success\n")
    return 0


def _package_of(apk: bytes, apps: dict[str, object]) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(apk)) as z:
            manifest = z.read("AndroidManifest.xml")
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
        return None
    for package in apps:
        if package.encode("utf-16-le") in manifest or package.encode() in manifest:
            return package
    return None


def _drop_ime(phone: object, package: str) -> None:
    settings = phone.settings
    secure = settings["secure"]
    enabled = [i for i in secure.get("enabled_input_methods", "").split(":") if i and not i.startswith(package + "/")]
    secure["enabled_input_methods"] = ":".join(enabled)
    if secure.get("default_input_method", "").startswith(package + "/"):
        from .._apps.keyboard import LATIN_IME

        secure["default_input_method"] = LATIN_IME
