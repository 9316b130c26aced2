"""``screenpilot annotate``: per-step instructions for an episode, in a sidecar file a person edits."""

from __future__ import annotations

from typing import Annotated

import typer

from ._app import app, say


def _did(step: object) -> str:
    """What a step did, in one line, for the person filling in its instruction."""
    s: object = step
    action = getattr(getattr(s, "device_action", None), "action", None)
    element = getattr(s, "element", None)
    what = getattr(s, "call", None) or (action.action if action is not None else "no action")
    if action is not None:
        fields = {k: (list(v) if isinstance(v, tuple) else v) for k, v in action.model_dump().items() if k != "action"}
        what = f"{action.action} " + ", ".join(f"{k}={v!r}" for k, v in fields.items())
    label = element.label if element is not None else ""
    who = getattr(s, "actor", "model")
    return f"{what}" + (f" on {label!r}" if label else "") + f" ({who})"


@app.command("annotate")
def annotate_cmd(
    episode: Annotated[str, typer.Argument(metavar="EPISODE", help="The episode folder.")],
    set_: Annotated[list[str] | None, typer.Option("--set", metavar="INDEX=TEXT", help="Set the instruction of "
                                                   "step INDEX (from 0) without an editor (repeatable).")] = None,
) -> None:
    """Write per-step instructions for an episode, in a file a person edits.

    Creates EPISODE/annotations.yaml (one entry per step: what it did, and an instruction to fill in), or checks
    the one there. Exports with per-step instruction fields (androidcontrol, odyssey, the chat formats' metadata)
    use them.
    """
    from ..trajectories import ANNOTATIONS_FILE, read_annotations, read_episode, write_annotations

    ep = read_episode(episode, check_files=False)
    written = read_annotations(ep.folder)  # a malformed sidecar stops here with one line
    known = {s.index for s in ep.steps}
    for item in set_ or []:
        index, sep, text = item.partition("=")
        if not sep or not index.strip().isdigit():
            raise typer.BadParameter(f"{item!r}: write INDEX=TEXT, e.g. --set '0=Open the Notes app'", param_hint="--set")
        if int(index) not in known:
            raise typer.BadParameter(f"the episode has no step {index.strip()} (steps 0 to {len(ep.steps) - 1})",
                                     param_hint="--set")
        written[int(index)] = text.strip()
    path = ep.folder / ANNOTATIONS_FILE
    if set_ or not path.exists():
        entries = [{"index": s.index, "did": _did(s), "instruction": written.get(s.index) or s.instruction or ""}
                   for s in ep.steps]
        write_annotations(ep.folder, ep.meta.id, ep.meta.instruction, entries)
    filled = sum(1 for s in ep.steps if written.get(s.index) or s.instruction)
    say(f"{filled} of {len(ep.steps)} steps have an instruction; edit {path} to write the others")
