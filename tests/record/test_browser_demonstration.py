"""A person in a real browser (headless Chromium through selenium) on the virtual phone's web page, recorded.

The page turns the person's mouse and keyboard into the phone's own touchscreen; the recorder reads the
phone as it would read a real one (``getevent -lt`` through a real adb server). A long press, taps, a
swipe, typing and Back must come out as the steps the person made, at the right pixels and elements, and
the recording must replay on a freshly reset phone to the same end.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from screenpilot_sim import WebPage
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.support.ui import WebDriverWait

from screenpilot.actions import LongPress, Swipe, SystemButton, Tap, Type
from screenpilot.trajectories import read_episode, replay

from .conftest import center, view_box

W, H = 1080, 2400


def _near(point: Any, expected: tuple[float, float], tolerance: float = 3.0) -> bool:
    return abs(point.x - expected[0]) <= tolerance and abs(point.y - expected[1]) <= tolerance


def test_a_person_in_a_browser_is_recorded_and_the_recording_replays_on_a_fresh_phone(
        adb_device: Any, recording: Any, phone_driver: Any, chromium: Any, tmp_path: Path) -> None:
    phone = adb_device.phone
    with WebPage([phone], port=0) as web:
        chromium.get(web.url())
        WebDriverWait(chromium, 30).until(lambda d: d.execute_script("return document.body.dataset.frame"))
        screen = chromium.find_element("id", "screen")

        def at(x: float, y: float) -> ActionChains:
            return ActionChains(chromium).move_to_element_with_offset(screen, round(x / 2 - W / 4), round(y / 2 - H / 4))

        def answered() -> None:
            WebDriverWait(chromium, 30).until(lambda d: d.execute_script("return document.body.dataset.pending") == "0")

        rec = recording("Write a note called Tea", typing_pause_s=1.0)
        rec.ready(0)
        clock = center(view_box(phone, desc="Clock"))
        at(*clock).click_and_hold().pause(0.7).release().perform()  # a long press
        answered()
        rec.ready(1)
        at(540, 1600).click().perform()  # beside the menu: it closes
        rec.ready(2)
        notes = center(view_box(phone, desc="Notes"))
        at(*notes).click().perform()
        rec.ready(3)
        chain = at(540, 1700).click_and_hold()
        for _ in range(5):
            chain = chain.move_by_offset(0, -60).pause(0.03)
        chain.release().perform()  # a swipe up the list
        rec.ready(4)
        new = center(view_box(phone, desc="New note"))
        at(*new).click().perform()
        rec.ready(5)
        title = center(view_box(phone, rid="id/note_title_edit"))
        at(*title).click().perform()
        rec.ready(6)
        ActionChains(chromium).send_keys("Tea").perform()  # typed on the person's keyboard: taps on the phone's keys
        answered()
        rec.ready(7)
        save = center(view_box(phone, desc="Save"))
        at(*save).click().perform()
        rec.ready(8)
        chromium.find_element("css selector", "button[data-button=back]").click()
        answered()
        rec.ready(9)
        result = rec.stop()

    steps = read_episode(result.folder).steps
    actions = [s.device_action.action for s in steps]  # type: ignore[union-attr]
    assert [a.action for a in actions] == ["long_press", "tap", "tap", "swipe", "tap", "tap", "type", "tap",
                                           "system_button"], actions
    assert isinstance(actions[0], LongPress) and _near(actions[0].point, clock) and actions[0].duration_ms >= 600
    assert steps[0].element is not None and steps[0].element.label == "Clock"
    assert isinstance(actions[2], Tap) and _near(actions[2].point, notes) and steps[2].element.label == "Notes"  # type: ignore[union-attr]
    swipe = actions[3]
    assert isinstance(swipe, Swipe) and _near(swipe.start, (540, 1700)) and _near(swipe.end, (540, 1100), 6)
    assert isinstance(actions[4], Tap) and steps[4].element.label == "New note"  # type: ignore[union-attr]
    assert isinstance(actions[5], Tap) and steps[5].element.resource_id.endswith("note_title_edit")  # type: ignore[union-attr]
    assert actions[6] == Type(text="Tea")
    assert isinstance(actions[7], Tap) and _near(actions[7].point, save) and steps[7].element.label == "Save"  # type: ignore[union-attr]
    assert actions[8] == SystemButton(button="back")
    assert {s.actor for s in steps} == {"person"}
    ended = (phone.shell("ls /sdcard/Documents/Notes")[1], phone.state().foreground)
    assert "Tea.txt" in ended[0]

    phone.reset()
    report = replay(result.folder, phone_driver, tmp_path / "replays", device_spec="sim")
    assert report.outcome == "success" and not report.diverged, report.detail
    assert (phone.shell("ls /sdcard/Documents/Notes")[1], phone.state().foreground) == ended
