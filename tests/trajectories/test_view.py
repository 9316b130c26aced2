"""The HTML report, opened in a real headless Chromium (Debian's, driven by selenium + chromedriver).

What a person would notice: every step is there with its screenshot and the action drawn on it, the
filmstrip links to the steps, and text a model wrote is shown as text — a ``<script>`` in it neither
runs nor becomes an element. The test saves a screenshot of the page (``$SCREENPILOT_ARTIFACTS``, else
the test's tmp folder) so it can be looked at.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from screenpilot.actions import Drag, LongPress, Size, Swipe, Tap, Terminate, Type
from screenpilot.cli import main
from screenpilot.trajectories import read_episode, render_report, write_report
from screenpilot.trajectories._viewer import overlay_for

from ._builders import Turn, build_episode, element

XSS = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'


@pytest.fixture(scope="module")
def browser(chromium: Any) -> Any:
    """Headless Chromium as root (the testing plugin's ``chromium``: no sandbox, no GPU, a fresh profile)."""
    chromium.set_window_size(1280, 1800)
    return chromium


def _turns() -> list[Turn]:
    return [
        Turn(Tap(point=(135, 525)), thought="Settings is on the home screen " + XSS, summary="Opened Settings.",
             element=element("Settings", (0, 389, 270, 662))),
        Turn(None, raw="I will <script>window.__pwned = 3</script> now", error="no tool call in " + XSS),
        Turn(Swipe(start=(540, 1900), end=(540, 700)), thought="Scroll down to Network."),
        Turn(LongPress(point=(600, 530), duration_ms=1200)),
        Turn(Type(text='</text><script>window.__pwned = 4</script>')),
        Turn(Terminate(status="success"), thought="Wi-Fi is on."),
    ]


@pytest.fixture(scope="module")
def episode_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_episode(tmp_path_factory.mktemp("view") / "ep-xss", _turns(), instruction="Turn on Wi-Fi " + XSS)


def _artifact(tmp_path: Path, name: str) -> Path:
    folder = Path(os.environ.get("SCREENPILOT_ARTIFACTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def test_report_in_chromium_shows_every_step_and_runs_no_script(browser: Any, episode_dir: Path, tmp_path: Path) -> None:
    report = write_report([episode_dir], tmp_path / "report.html")
    browser.get(report.resolve().as_uri())
    steps = browser.find_elements("css selector", "article.step")
    assert len(steps) == 6
    assert len(browser.find_elements("css selector", ".filmstrip a.film")) == 6
    assert [s.get_attribute("data-step") for s in steps] == ["0", "1", "2", "3", "4", "5"]
    # model text is text: no script element, no handler ran, and the words are on the page as written
    assert browser.execute_script("return document.querySelectorAll('script').length") == 0
    assert browser.execute_script("return window.__pwned === undefined")
    assert browser.execute_script("return document.querySelectorAll('img[src=x]').length") == 0
    page = browser.find_element("tag name", "body").text
    assert "Settings is on the home screen <script>window.__pwned = 1</script>" in page
    assert "Turn on Wi-Fi <script>" in browser.find_element("css selector", "h1.instruction").text
    # the action is drawn on each screenshot
    first = steps[0]
    assert len(first.find_elements("css selector", "svg circle.mark")) == 1
    assert first.find_element("css selector", "svg rect.element") is not None
    assert len(steps[2].find_elements("css selector", "svg line.arrow")) == 1
    assert "hold 1200 ms" in steps[3].find_element("css selector", "svg text.label").get_attribute("textContent")
    assert "window.__pwned = 4" in steps[4].find_element("css selector", "svg text.typed").get_attribute("textContent")
    banner = steps[5].find_element("css selector", ".shot .banner")
    assert "terminate" in banner.text
    assert browser.execute_script(  # above the screenshot, not over it
        "return arguments[0].getBoundingClientRect().bottom <= arguments[1].getBoundingClientRect().top",
        banner, steps[5].find_element("css selector", "svg.screen"))
    # a label sits on a dark box that holds it whole: white on dark, readable on a light screen as on a dark one
    label = steps[3].find_element("css selector", "svg text.label")
    box = steps[3].find_element("css selector", "svg rect.label-bg")
    assert browser.execute_script("return getComputedStyle(arguments[0]).fill", box) == "rgba(29, 34, 48, 0.85)"
    assert browser.execute_script("return getComputedStyle(arguments[0]).fill", label) == "rgb(255, 255, 255)"
    assert browser.execute_script(
        "const t = arguments[0].getBBox(), b = arguments[1].getBBox();"
        "return b.x <= t.x && t.x + t.width <= b.x + b.width && b.y <= t.y && t.y + t.height <= b.y + b.height",
        label, box)
    assert "parse" in steps[1].find_element("css selector", ".badge.bad").text
    # the screenshots decoded (a broken data URL would leave a zero-sized image)
    assert browser.execute_script(
        "return Array.from(document.querySelectorAll('.filmstrip img')).every(i => i.complete && i.naturalWidth > 0)")
    # each screenshot is drawn from the one copy of its frame the page holds
    recorded = read_episode(episode_dir).steps
    distinct = {s.frame.path for s in recorded} | {s.frame_after.path for s in recorded if s.frame_after}
    assert browser.execute_script("return document.querySelectorAll('svg.frames image').length") == len(distinct)
    assert browser.execute_script("return document.querySelector('article.step svg.screen use').getBBox().width") == 1080
    shot = _artifact(tmp_path, "report.png")
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000


def test_filmstrip_links_reach_their_step(browser: Any, episode_dir: Path, tmp_path: Path) -> None:
    report = write_report([episode_dir], tmp_path / "report.html")
    browser.get(report.resolve().as_uri())
    links = browser.find_elements("css selector", ".filmstrip a.film")
    target = links[3].get_attribute("href").rpartition("#")[2]
    links[3].click()
    assert browser.execute_script("return location.hash") == f"#{target}"
    assert browser.find_element("id", target).get_attribute("data-step") == "3"


def test_run_dir_report_is_an_index_of_episode_pages(browser: Any, tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    build_episode(runs / "a", _turns()[:1] + [Turn(Terminate(status="success"))], instruction="First task")
    build_episode(runs / "b", [Turn(Tap(point=(5, 5))), Turn(Terminate(status="failure"))], instruction="Second task",
                  outcome="failure")
    build_episode(runs / "c", [Turn(Tap(point=(5, 5)))], instruction="Crashed task", outcome=None)
    report = write_report(runs)  # a folder as a plain str or Path, not a list
    assert report == runs / "report.html"
    browser.get(report.resolve().as_uri())
    rows = browser.find_elements("css selector", "nav.episodes tbody tr")
    assert [r.find_element("css selector", ".outcome").text for r in rows] == ["success", "failure", "unfinished"]
    # the index shows thumbnails of the screens the episodes ended on, not the episodes' frames
    thumbs = browser.find_elements("css selector", "td.thumb img")
    assert len(thumbs) == 3 and browser.execute_script(
        "return Array.from(document.querySelectorAll('td.thumb img')).every(i => i.complete && 0 < i.naturalHeight && "
        "i.naturalHeight <= 200)")
    assert not browser.find_elements("css selector", "article.step")
    assert report.stat().st_size < 60_000
    browser.save_screenshot(str(_artifact(tmp_path, "report-runs.png")))
    # each row opens the episode's own page, which links back
    rows[1].find_element("css selector", "a.episode-link").click()
    assert browser.find_element("css selector", "h1.instruction").text == "Second task"
    assert len(browser.find_elements("css selector", "article.step")) == 2
    browser.find_element("css selector", "header a.back").click()
    assert len(browser.find_elements("css selector", "nav.episodes tbody tr")) == 3
    # viewing again reuses the pages of episodes that did not change, and remakes the one that did
    pages = {p.name: p.stat().st_mtime_ns for p in (runs / "report_files").glob("*.html")}
    assert sorted(pages) == ["a.html", "b.html", "c.html"]
    shutil.rmtree(runs / "c")
    build_episode(runs / "c", [Turn(Tap(point=(5, 5))), Turn(Terminate(status="success"))], instruction="Crashed task")
    write_report([runs])
    again = {p.name: p.stat().st_mtime_ns for p in (runs / "report_files").glob("*.html")}
    assert again["a.html"] == pages["a.html"] and again["b.html"] == pages["b.html"]
    assert again["c.html"] != pages["c.html"]
    assert (runs / "report_files" / "c.html").read_text().count('<article class="step') == 2


def test_overlay_shapes_follow_the_action() -> None:
    from screenpilot.perception import CoordinateSpace
    from screenpilot.trajectories import FrameRef, StepRecord

    size = Size(1080, 2400)
    space = CoordinateSpace.resized(size)
    ref = FrameRef(path="frames/x.png", size=Size(540, 1200), format="png", captured_at=0.0)

    def step(action: Any) -> StepRecord:
        m = space.to_model(action, integral=True)
        return StepRecord(index=0, started_at=0, ended_at=0, frame=ref, model_action=m, device_action=space.to_device(m))

    tap = overlay_for(step(Tap(point=(540, 1200))))
    assert (tap.width, tap.height) == (540, 1200)  # drawn in the frame's pixels
    assert tap.marks[0]["x"] == pytest.approx(270, abs=1) and tap.marks[0]["y"] == pytest.approx(600, abs=1)
    drag = overlay_for(step(Drag(start=(100, 100), end=(900, 2000))))
    assert drag.paths and drag.marks[0]["label"] == "drag"
    assert overlay_for(step(Type(text="hi"))).typed == "hi"
    unparsed = StepRecord(index=0, started_at=0, ended_at=0, frame=ref, error="bad", error_kind="parse")
    assert overlay_for(unparsed).banner == "not executed: parse"


def test_missing_frames_and_cli(episode_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(episode_dir, copy)
    (copy / "frames" / "000000.png").unlink()
    html = render_report([read_episode(copy, check_files=False)])
    assert "frames/000000.png is missing" in html
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in html and "<script>window" not in html
    with pytest.raises(SystemExit) as exit_:
        main(["view", str(episode_dir), "--out", str(tmp_path / "r.html")])
    assert exit_.value.code == 0 and "report:" in capsys.readouterr().out
    assert (tmp_path / "r.html").stat().st_size > 10_000
    with pytest.raises(SystemExit) as exit_:
        main(["view", str(tmp_path / "nothing-here")])
    assert exit_.value.code == 1
