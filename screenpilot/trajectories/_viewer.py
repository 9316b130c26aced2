"""The HTML report: one self-contained file a person opens to see what an agent saw, said and did.

Everything the page needs is inside it (screenshots as data URLs, CSS inline) and it carries no
script at all, under a Content-Security-Policy that forbids one: a report is mailed around and opened
from disk, and it shows text a model wrote. Every string from an episode reaches the page through
jinja2's autoescape; the only markup we build ourselves is numbers and base64.

The action is drawn as an SVG layer over the screenshot in device pixels (a point, a swipe arrow, a
drag path, a scroll arrow, the element's bounds, typed text), so it stays sharp at any zoom and the
screenshot itself is never altered.
"""

from __future__ import annotations

import base64
import io
import time
import webbrowser
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from ..actions import Point
from ._discover import EpisodeSources, as_sources, find_episodes, package_version
from ._reader import Episode, read_episode
from ._schema import StepRecord

__all__ = ["REPORT_FILE", "render_report", "write_report"]

REPORT_FILE = "report.html"
MAX_IMAGE = 720
"""Longest side, in pixels, of a screenshot as embedded: a phone screen stays readable, a report of
30 steps stays around 2 MB."""


@cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("screenpilot.trajectories", "templates"),
        autoescape=True,  # every model-provided string is escaped; nothing is marked safe
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


# ---- images -------------------------------------------------------------------------------------


class _Images:
    """Frames as JPEG data URLs, each encoded once (step i's after-frame is step i+1's frame)."""

    def __init__(self, max_side: int) -> None:
        self.max_side = max_side
        self._cache: dict[Path, str | None] = {}

    def url(self, path: Path) -> str | None:
        if path not in self._cache:
            self._cache[path] = self._encode(path)
        return self._cache[path]

    def _encode(self, path: Path) -> str | None:
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(path) as img:
                img.load()
                picture = img.convert("RGB")
        except (OSError, UnidentifiedImageError):
            return None
        picture.thumbnail((self.max_side, self.max_side), Image.Resampling.LANCZOS)
        buf = io.BytesIO()
        picture.save(buf, format="JPEG", quality=82, optimize=True)
        return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


# ---- the action as shapes -----------------------------------------------------------------------


@dataclass
class Overlay:
    """What to draw over one screenshot, in the frame's device pixels."""

    width: int
    height: int
    marks: list[dict[str, Any]] = field(default_factory=list)  # point marks: x, y, r, label
    arrows: list[dict[str, Any]] = field(default_factory=list)  # x1, y1, x2, y2
    paths: list[dict[str, Any]] = field(default_factory=list)  # points "x,y x,y ..."
    rects: list[dict[str, Any]] = field(default_factory=list)  # x, y, w, h
    banner: str = ""  # a label for actions without a place (key, open_app, terminate …)
    typed: str = ""  # text typed, drawn at the focused element or the bottom

    @property
    def unit(self) -> float:
        """One drawing unit: about 1% of the shorter side, so marks look alike on any screen."""
        return max(2.0, min(self.width, self.height) / 100)


def _scaled(point: Point, sx: float, sy: float) -> tuple[float, float]:
    return round(point.x * sx, 1), round(point.y * sy, 1)


def overlay_for(step: StepRecord) -> Overlay:
    """The marks for a step's action: device pixels when it was mapped, else nothing placed."""
    size = step.frame.size
    ov = Overlay(size.width, size.height)
    if step.element is not None:
        b = step.element.bounds
        ov.rects.append({"x": b.left, "y": b.top, "w": max(1, b.right - b.left), "h": max(1, b.bottom - b.top)})
    device = step.device_action
    action = device.action if device is not None else (step.model_action.action if step.model_action else None)
    if action is None:
        if step.error_kind:
            ov.banner = f"not executed: {step.error_kind}"
        return ov
    if device is None:  # not mapped (e.g. off screen): the numbers are in the model's space; do not place them
        ov.banner = action.action + (f" (not executed: {step.error_kind})" if step.error_kind else "")
        return ov
    sx, sy = size.width / device.size.width, size.height / device.size.height
    name = action.action
    point = getattr(action, "point", None)
    start, end = getattr(action, "start", None), getattr(action, "end", None)
    if name in ("tap", "click", "long_press", "move") and point is not None:
        x, y = _scaled(point, sx, sy)
        label = {"tap": "tap", "move": "move"}.get(name, "")
        if name == "long_press":
            label = f"hold {action.duration_ms} ms"  # type: ignore[attr-defined]
        elif name == "click":
            count = {1: "", 2: "double ", 3: "triple "}[action.count]  # type: ignore[attr-defined]
            label = f"{count}{action.button} click"  # type: ignore[attr-defined]
        ov.marks.append({"x": x, "y": y, "label": label, "kind": name})
    elif name == "swipe" and start is not None and end is not None:
        (x1, y1), (x2, y2) = _scaled(start, sx, sy), _scaled(end, sx, sy)
        ov.marks.append({"x": x1, "y": y1, "label": "", "kind": "start"})
        ov.arrows.append({"x1": x1, "y1": y1, "x2": x2, "y2": y2})
    elif name == "drag" and start is not None and end is not None:
        (x1, y1), (x2, y2) = _scaled(start, sx, sy), _scaled(end, sx, sy)
        ov.marks.append({"x": x1, "y": y1, "label": "drag", "kind": "start"})
        ov.paths.append({"points": f"{x1},{y1} {x2},{y2}", "x2": x2, "y2": y2})
    elif name == "scroll":
        px, py = _scaled(point, sx, sy) if point is not None else (size.width / 2, size.height / 2)
        dx, dy = action.dx, action.dy  # type: ignore[attr-defined]
        reach = min(size.width, size.height) * 0.06
        ov.marks.append({"x": px, "y": py, "label": f"scroll {dx:+d},{dy:+d}", "kind": "scroll"})
        ov.arrows.append({"x1": px, "y1": py, "x2": round(px + reach * max(-3, min(3, dx)), 1),
                          "y2": round(py + reach * max(-3, min(3, dy)), 1)})
    elif name == "type":
        ov.typed = action.text  # type: ignore[attr-defined]
    else:
        ov.banner = _describe(action.model_dump())
    return ov


def _describe(action: dict[str, Any]) -> str:
    name = action.get("action", "?")
    rest = ", ".join(f"{k}={v}" for k, v in action.items() if k != "action")
    return f"{name}({rest})" if rest else name


# ---- view models --------------------------------------------------------------------------------


def _clock(at: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at)) if at else "—"


def _step_view(episode: Episode, step: StepRecord, images: _Images, anchor: str) -> dict[str, Any]:
    timings = {k: v for k, v in step.timings.model_dump().items() if isinstance(v, (int, float)) and v}
    replay = (step.model_extra or {}).get("replay")
    if isinstance(replay, dict):  # written by replay; keys a crash or an older writer left out read as empty
        replay = {"source_step": 0, "divergence": None, "where": "", "target": "", "element": None, **replay}
    result = step.result
    return {
        "index": step.index,
        "anchor": f"{anchor}-s{step.index}",
        "image": images.url(episode.path(step.frame)),
        "after": images.url(episode.path(step.frame_after)) if step.frame_after else None,
        "frame": step.frame,
        "overlay": overlay_for(step),
        "action": step.call or (_describe(step.device_action.action.model_dump()) if step.device_action else ""),
        "name": (step.device_action or step.model_action).action.action if (step.device_action or step.model_action) else "no action",
        "model_action": step.model_action.action.model_dump_json() if step.model_action else None,
        "model_space": _space(step),
        "device_action": step.device_action.action.model_dump_json() if step.device_action else None,
        "element": step.element.label if step.element else None,
        "thought": step.thought,
        "summary": step.summary,
        "raw": step.raw_output,
        "notes": list(step.parse_notes),
        "error": step.error,
        "error_kind": step.error_kind,
        "executed": step.executed,
        "ok": result.ok if result else None,
        "detail": result.detail if result else "",
        "commands": list(result.commands) if result else [],
        "text_after": result.text_after if result else None,
        "confirmation": step.confirmation,
        "timings": timings,
        "total_s": step.timings.total_s,
        "usage": step.usage,
        "replay": replay if isinstance(replay, dict) else None,
    }


def _space(step: StepRecord) -> str:
    if step.model_action is None:
        return ""
    s = step.model_action.space
    if s.convention == "relative":
        return f"relative 0..{s.model.width} grid over {s.device}"
    return f"absolute pixels of the {s.model} image sent for a {s.device} screen"


def _episode_view(episode: Episode, images: _Images, anchor: str) -> dict[str, Any]:
    meta = episode.meta
    duration = (meta.ended_at - meta.started_at) if meta.ended_at else None
    device = meta.device
    replay = meta.config.get("replay") if isinstance(meta.config, dict) else None
    return {
        "anchor": anchor,
        "id": meta.id,
        "folder": str(episode.folder),
        "instruction": meta.instruction,
        "outcome": meta.outcome or "unfinished",
        "decided_by": meta.decided_by or "",
        "detail": meta.outcome_detail,
        "answer": meta.answer,
        "model": meta.model,
        "dialect": meta.dialect,
        "source": meta.source,
        "device": f"{device.kind} {device.model or device.serial} {device.logical_size}"
                  + (f", rotation {device.rotation}" if device.rotation else "") + (f", {device.os}" if device.os else ""),
        "started": _clock(meta.started_at),
        "duration": f"{duration:.1f} s" if duration is not None else "—",
        "tokens": meta.tokens,
        "notes": list(episode.notes),
        "replay": replay if isinstance(replay, dict) else None,
        "steps": [_step_view(episode, s, images, anchor) for s in episode.steps],
    }


def render_report(episodes: Sequence[Episode], *, max_image: int = MAX_IMAGE, title: str | None = None) -> str:
    """The report's HTML for already-read episodes."""
    images = _Images(max_image)
    views = [_episode_view(e, images, f"e{k}") for k, e in enumerate(episodes)]
    if title is None:
        title = episodes[0].meta.instruction if len(episodes) == 1 else f"{len(episodes)} episodes"
    return _env().get_template("report.html.j2").render(
        title=title, episodes=views, version=package_version(), generated=_clock(time.time()),
    )


def write_report(
    sources: EpisodeSources,
    out: Path | str | None = None,
    *,
    max_image: int = MAX_IMAGE,
    open_browser: bool = False,
) -> Path:
    """Write the report of the episodes under ``sources`` (episode folders or folders of runs).

    Without ``out`` it goes to ``<episode>/report.html`` for one episode, else ``<folder>/report.html``
    of the first source. Episodes a crash cut short are shown with what they hold.
    """
    sources = as_sources(sources)
    folders = find_episodes(sources)
    episodes = [read_episode(f, check_files=False) for f in folders]
    if out is None:
        out = (folders[0] if len(folders) == 1 else Path(sources[0])) / REPORT_FILE
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    html = render_report(episodes, max_image=max_image)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out)
    if open_browser:
        webbrowser.open(out.resolve().as_uri())
    return out

