"""``getevent``: the kernel's input events, as a recorder reads them from the phone's own hardware.

``getevent [-t] [-l] [-q] [-c COUNT] [-p] [DEVICE]`` prints the devices it opens, then one line per
event until interrupted (or COUNT events); ``-p`` lists each device's keys and axis ranges instead.
Only the touchscreen and the buttons are here: ``input`` injections never reach the kernel.
"""

from __future__ import annotations

from .._evdev import ABS, DEVICES, EV, KEY, InputDevice
from .._shell import CommandContext
from ._registry import command

__all__: list[str] = []

_USAGE = ("Usage: getevent [-t] [-n] [-s switchmask] [-S] [-v [mask]] [-d] [-p] [-i] [-l] [-q] [-c count] [-r] "
          "[device]\n    -t: show time stamps\n    -l: label event types and names in plain text\n"
          "    -p: show possible events (errs, keys, relative, absolute, etc.)\n    -q: quiet (clear verbosity mask)\n"
          "    -c: print given number of events then exit\n")


def _describe(ctx: CommandContext, n: int, device: InputDevice, labels: bool) -> None:
    ctx.out(f"add device {n}: {device.path}\n  name:     \"{device.name}\"\n  events:\n")
    if device.keys:
        names = [k if labels else f"{KEY[k]:04x}" for k in device.keys]
        ctx.out(f"    KEY ({EV['EV_KEY']:04x}): " + " ".join(f"{k:<21}" if labels else k for k in names).rstrip() + "\n")
    for k, (name, lo, hi) in enumerate(device.axes):
        lead = f"    ABS ({EV['EV_ABS']:04x}): " if k == 0 else " " * 16
        label = f"{name:<22}" if labels else f"{ABS[name]:04x} "
        ctx.out(f"{lead}{label}: value 0, min {lo}, max {hi}, fuzz 0, flat 0, resolution 0\n")
    if device.axes:
        ctx.out("  input props:\n    INPUT_PROP_DIRECT\n")


@command("getevent")
def getevent(ctx: CommandContext) -> int:
    flags: set[str] = set()
    count: int | None = None
    paths: list[str] = []
    args = ctx.argv[1:]
    k = 0
    while k < len(args):
        a = args[k]
        if a == "-c":
            if k + 1 >= len(args) or not args[k + 1].isdigit():
                ctx.err("getevent: option requires an argument -- c\n" + _USAGE)
                return 1
            count = int(args[k + 1])
            k += 2
            continue
        if a.startswith("-") and len(a) > 1:
            for ch in a[1:]:
                if ch not in "tnlqpidrS":
                    ctx.err(f"getevent: invalid option -- {ch}\n{_USAGE}")
                    return 1
                flags.add(ch)
        else:
            paths.append(a)
        k += 1
    devices = [d for d in DEVICES if not paths or d.path in paths]
    if paths and not devices:
        ctx.err(f"could not open {paths[0]}, No such file or directory\n")
        return 1
    labels = "l" in flags
    if "p" in flags:
        for n, d in enumerate(devices, 1):
            _describe(ctx, n, d, labels)
        return 0
    if "q" not in flags:
        for n, d in enumerate(devices, 1):
            ctx.out(f"add device {n}: {d.path}\n  name:     \"{d.name}\"\n")
        ctx.stdout.flush()
    log = ctx.phone.evdev
    wanted = {d.path for d in devices}
    _events, seen = log.since(log.serial)  # only what happens from now on, as reading /dev/input does
    printed = 0
    while not ctx.cancelled.is_set():
        with log.cond:
            log.cond.wait_for(lambda seen=seen: log.serial != seen or ctx.cancelled.is_set(), timeout=0.5)
        new, seen = log.since(seen)
        for ev in new:
            if ev.device not in wanted:
                continue
            ctx.out(ev.line(labels=labels, timestamps="t" in flags, device=len(devices) > 1) + "\n")
            printed += 1
            if count is not None and printed >= count:
                return 0
        if new:
            ctx.stdout.flush()
    return 130
