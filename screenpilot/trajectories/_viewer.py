"""The HTML report: self-contained pages a person opens to see what an agent saw, said and did.

One episode is one page. Everything it needs is inside it (screenshots as data URLs, CSS inline) and it
carries no script at all, under a Content-Security-Policy that forbids one: a report is mailed around
and opened from disk, and it shows text a model wrote. Every string from an episode reaches the page
through jinja2's autoescape; the only markup we build ourselves is numbers and base64.

Several episodes (a folder of runs) are an INDEX page (one row per episode with a thumbnail of the
screen it ended on) beside a folder of episode pages (``report_files/<id>.html`` for ``report.html``).
An episode page that is newer than its episode and was made with the same settings is reused, so
viewing a growing folder of runs again costs only the index and the new episodes.

The action is drawn as an SVG layer over the screenshot in device pixels (a point, a swipe arrow, a
drag path, a scroll arrow, the element's bounds, typed text), so it stays sharp at any zoom and the
screenshot itself is never altered. Each frame is embedded once per page (an SVG ``<image>`` that every
place showing it ``<use>``s) and the filmstrip shows thumbnails.
"""

from __future__ import annotations

import base64
import contextlib
import io
import os
import re
import time
import webbrowser
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import escape

from ..actions import Point
from ._discover import EpisodeSources, as_sources, find_episodes, package_version
from ._errors import TrajectoryError
from ._reader import Episode, read_episode
from ._schema import FrameRef, StepRecord

__all__ = ["REPORT_FILE", "render_report", "write_report"]

REPORT_FILE = "report.html"
MAX_IMAGE = 720
"""Longest side, in pixels, of a screenshot as embedded: a phone screen stays readable, a report of
30 steps stays around 1 MB."""
THUMB = 200
"""Longest side of a thumbnail (the filmstrip, the index): sharp at the ~90 px they are shown."""
_PAGE_MARK = re.compile(rb'<meta name="screenpilot-page" content="([^"]*)">')


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
    """Frames as JPEG data URLs, each decoded and encoded once: the screenshot (longest side ``max_side``)
    and its thumbnail. Step i's after-frame is step i+1's frame; the index asks only for thumbnails."""

    def __init__(self, max_side: int, thumb_side: int = THUMB) -> None:
        self.max_side = max_side
        self.thumb_side = thumb_side
        self._full: dict[Path, str | None] = {}
        self._thumb: dict[Path, str | None] = {}

    def url(self, path: Path) -> str | None:
        if path not in self._full:
            picture = self._load(path)
            self._full[path] = None if picture is None else self._jpeg(picture, self.max_side, 82)
            if picture is not None:  # the thumbnail from the already shrunk picture costs little
                self._thumb.setdefault(path, self._jpeg(picture, self.thumb_side, 75))
        return self._full[path]

    def thumb(self, path: Path) -> str | None:
        if path not in self._thumb:
            picture = self._load(path)
            self._thumb[path] = None if picture is None else self._jpeg(picture, self.thumb_side, 75)
        return self._thumb[path]

    @staticmethod
    def _load(path: Path) -> Any:
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(path) as img:
                img.load()
                return img if img.mode == "RGB" else img.convert("RGB")
        except (OSError, UnidentifiedImageError):
            return None

    @staticmethod
    def _jpeg(picture: Any, side: int, quality: int) -> str:
        from PIL import Image

        # shrinks in place (the full size first, then its thumbnail); a 2x box reduction before Lanczos
        # halves the time of a 1080x2400 frame and looks the same at this size
        picture.thumbnail((side, side), Image.Resampling.LANCZOS, reducing_gap=1.5)
        buf = io.BytesIO()
        picture.save(buf, format="JPEG", quality=quality, optimize=True)
        return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


class _Frames:
    """The frames of one page, each embedded once: the first place that shows a frame defines it, every
    later place refers to it by id (``<use href="#id">``)."""

    def __init__(self, images: _Images, prefix: str) -> None:
        self.images = images
        self.prefix = prefix
        self.ids: dict[Path, str] = {}
        self.defined: list[dict[str, Any]] = []

    def ref(self, path: Path, ref: FrameRef) -> dict[str, Any] | None:
        """``{id, width, height}`` of a frame in device pixels, or None when it cannot be read."""
        if path not in self.ids:
            url = self.images.url(path)
            if url is None:
                return None
            self.ids[path] = f"{self.prefix}f{len(self.ids)}"
            self.defined.append({"id": self.ids[path], "href": url, "width": ref.size.width, "height": ref.size.height})
        return {"id": self.ids[path], "width": ref.size.width, "height": ref.size.height}


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

    def labels(self) -> list[dict[str, Any]]:
        """Each mark's label with the dark box it sits on (readable on a light screen as on a dark one),
        placed beside the mark, on its left when the mark is near the right edge, and inside the screen."""
        u = self.unit
        size = u * 3.5
        out = []
        for m in self.marks:
            if not m["label"]:
                continue
            width = len(m["label"]) * size * 0.62 + u * 2  # a monospace character is ~0.6 em wide
            left = m["x"] - u * 5 - width if m["x"] > self.width * 0.6 else m["x"] + u * 5
            left = max(0.0, min(left, self.width - width))
            top = max(0.0, min(m["y"] - u * 3 - size, self.height - size - u * 1.5))
            out.append({"text": m["label"], "x": round(left, 1), "y": round(top, 1), "w": round(width, 1),
                        "h": round(size + u * 1.5, 1), "tx": round(left + u, 1), "ty": round(top + size, 1),
                        "size": round(size, 1)})
        return out


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


def _step_view(episode: Episode, step: StepRecord, frames: _Frames, anchor: str) -> dict[str, Any]:
    timings = {k: v for k, v in step.timings.model_dump().items() if isinstance(v, (int, float)) and v}
    replay = (step.model_extra or {}).get("replay")
    if isinstance(replay, dict):  # written by replay; keys a crash or an older writer left out read as empty
        replay = {"source_step": 0, "divergence": None, "where": "", "target": "", "element": None, **replay}
    result = step.result
    return {
        "index": step.index,
        "anchor": f"{anchor}-s{step.index}",
        "image": frames.ref(episode.path(step.frame), step.frame),
        "thumb": frames.images.thumb(episode.path(step.frame)),
        "after": frames.ref(episode.path(step.frame_after), step.frame_after) if step.frame_after else None,
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
    view = _summary_view(episode, anchor)
    frames = _Frames(images, f"{anchor}-")
    view["steps"] = [_step_view(episode, s, frames, anchor) for s in episode.steps]
    view["frames"] = frames.defined
    return view


def _summary_view(episode: Episode, anchor: str) -> dict[str, Any]:
    """What both the episode's page and its row of the index show."""
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
        "step_count": len(episode.steps),
    }


def _last_screen(episode: Episode) -> Path | None:
    """The screen an episode ended on: the last step's after-frame, else its frame."""
    if not episode.steps:
        return None
    last = episode.steps[-1]
    return episode.path(last.frame_after or last.frame)


def _as_episodes(episodes: Episode | Sequence[Episode] | EpisodeSources) -> list[Episode]:
    if isinstance(episodes, Episode):
        return [episodes]
    if isinstance(episodes, (str, os.PathLike)):
        episodes = [episodes]
    items = list(episodes)
    if all(isinstance(e, Episode) for e in items):
        return items  # type: ignore[return-value]
    if any(isinstance(e, Episode) for e in items):
        raise TypeError("give episodes (read_episode) or folders, not both")
    return [read_episode(f, check_files=False) for f in find_episodes(items)]  # type: ignore[arg-type]


def render_report(episodes: Episode | Sequence[Episode] | EpisodeSources, *, max_image: int = MAX_IMAGE,
                  title: str | None = None, index: dict[str, Any] | None = None) -> str:
    """The page of one episode, or of several on one page, as HTML. ``episodes``: Episode objects, or
    episode folders / folders of runs (str or Path, one or a list). ``index``: ``{"href", "count"}`` of
    the index page this one belongs to (a link back to it)."""
    return _page(_as_episodes(episodes), _Images(max_image), title=title, index=index)


def _page(episodes: list[Episode], images: _Images, *, title: str | None = None,
          index: dict[str, Any] | None = None) -> str:
    views = [_episode_view(e, images, f"e{k}") for k, e in enumerate(episodes)]
    if title is None:
        title = episodes[0].meta.instruction if len(episodes) == 1 else f"{len(episodes)} episodes"
    return _env().get_template("report.html.j2").render(
        title=title, episodes=views, version=package_version(), generated=_clock(time.time()), index=index,
        mark=_mark(episodes[0], images.max_side) if len(episodes) == 1 else "",
    )


def _mark(episode: Episode, max_image: int) -> str:
    """What an episode page is made from: a page with the same mark, newer than its episode, is reused."""
    return f"{episode.meta.id} max-image={max_image} version={package_version()}"


def render_index(entries: Sequence[dict[str, Any]], *, title: str) -> str:
    """The index page: one row per episode (``_summary_view`` plus ``href`` to its page and ``thumb``)."""
    counts: dict[str, int] = {}
    for e in entries:
        counts[e["outcome"]] = counts.get(e["outcome"], 0) + 1
    return _env().get_template("index.html.j2").render(
        title=title, entries=entries, counts=sorted(counts.items(), key=lambda kv: -kv[1]),
        version=package_version(), generated=_clock(time.time()),
    )


def write_report(
    sources: EpisodeSources,
    out: Path | str | None = None,
    *,
    max_image: int = MAX_IMAGE,
    open_browser: bool = False,
) -> Path:
    """Write the report of the episodes under ``sources`` (an episode folder or a folder of runs, str or
    Path, or a list of them); returns the page to open.

    One episode: one page, by default ``<episode>/report.html``. Several: ``out`` (by default
    ``<first source>/report.html``) is an index of them, and each episode's page is written beside it in
    ``<out stem>_files/`` (reused when it is newer than its episode). Episodes a crash cut short are shown
    with what they hold.
    """
    roots = as_sources(sources)
    folders = find_episodes(roots)
    if out is None:
        out = (folders[0] if len(folders) == 1 else Path(roots[0])) / REPORT_FILE
    out = Path(out)
    if out.is_dir():
        raise TrajectoryError(f"{out} is a folder", hint=f"give the file to write, e.g. {out / REPORT_FILE}")
    if len(folders) == 1:
        _write(out, render_report([read_episode(folders[0], check_files=False)], max_image=max_image))
    else:
        _write_index(folders, out, max_image)
    if open_browser:
        webbrowser.open(out.resolve().as_uri())
    return out


def _write_index(folders: Sequence[Path], out: Path, max_image: int) -> None:
    pages = out.with_name(out.stem + "_files")
    entries: list[dict[str, Any]] = []
    names: set[str] = set()
    back = {"href": quote(os.path.relpath(out, pages)), "count": len(folders)}
    for k, folder in enumerate(folders):
        episode = read_episode(folder, check_files=False)
        name = _page_name(episode.meta.id, names)
        page = pages / name
        images = _Images(max_image)  # one episode's frames at a time: memory stays that of one page
        if not _up_to_date(page, folder, _mark(episode, max_image)):
            _write(page, _page([episode], images, index=back))
        last = _last_screen(episode)
        entries.append({**_summary_view(episode, f"i{k}"), "href": quote(os.path.relpath(page, out.parent)),
                        "thumb": images.thumb(last) if last is not None else None})
    for stale in pages.glob("*.html"):  # pages of episodes no longer in the folder (ours only: they carry the mark)
        if stale.name not in names and _marked(stale):
            with contextlib.suppress(OSError):
                stale.unlink()
    _write(out, render_index(entries, title=f"{len(folders)} episodes"))


def _page_name(episode_id: str, taken: set[str]) -> str:
    stem = re.sub(r"[^\w.-]+", "-", episode_id).strip("-.") or "episode"
    name, n = f"{stem}.html", 1
    while name in taken:
        n += 1
        name = f"{stem}-{n}.html"
    taken.add(name)
    return name


def _marked(page: Path) -> bytes | None:
    """The mark an episode page was made with (its episode, image size and version), or None."""
    try:
        with page.open("rb") as f:
            found = _PAGE_MARK.search(f.read(4096))
    except OSError:
        return None
    return found.group(1) if found else None


def _up_to_date(page: Path, folder: Path, mark: str) -> bool:
    """The page was made with these settings, after the episode last changed."""
    if _marked(page) != escape(mark).encode():
        return False
    made = page.stat().st_mtime
    return all(not f.exists() or f.stat().st_mtime < made for f in (folder / "episode.json", folder / "steps.jsonl"))


def _write(path: Path, html: str) -> None:
    """Write a page whole or not at all; a failure is one TrajectoryError, and nothing (no temporary file)
    is left behind by it or by Ctrl-C."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(html, encoding="utf-8")
        tmp.replace(path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise TrajectoryError(f"cannot write {path}: {exc.strerror or exc}", hint="choose another --out") from None
        raise
