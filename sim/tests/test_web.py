"""The web page (``serve --web``) played by a person in a real browser (headless Chromium through selenium).

What the person notices: the phone's screen is on the page and follows what happens; a click taps, a hold
long-presses, a drag swipes, typing lands in the focused field through the on-screen keys, the page's
buttons are the navigation bar and the hardware buttons. And what a recorder notices: every one of those
appears in the phone's own ``getevent``, in the touchscreen's grid.
"""

from __future__ import annotations

import re
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from screenpilot_sim import PhoneConfig, VirtualPhone, WebPage
from screenpilot_sim.testing import wait_for
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.support.ui import WebDriverWait

W, H = 1080, 2400


@pytest.fixture
def page(chromium: Any) -> Iterator[tuple[Any, VirtualPhone]]:
    phone = VirtualPhone(PhoneConfig(clock="10:30", animation_ms=0))
    with WebPage([phone], port=0) as web:
        chromium.get(web.url())
        WebDriverWait(chromium, 30).until(lambda d: d.execute_script("return document.body.dataset.frame"))
        yield chromium, phone


def settled(driver: Any) -> None:
    """Every event the page sent has been answered."""
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.body.dataset.pending") == "0")


def pointer(driver: Any, x: float, y: float) -> ActionChains:
    """An action chain with the pointer over phone pixel (x, y): the page shows the phone at half size."""
    screen = driver.find_element("id", "screen")
    return ActionChains(driver).move_to_element_with_offset(screen, round(x / 2 - W / 4), round(y / 2 - H / 4))


def box(phone: VirtualPhone, **match: str) -> tuple[float, float]:
    for w in phone.windows():
        for v in w.walk():
            if all(getattr(v, k) == want or (k == "rid" and v.rid.endswith(want)) for k, want in match.items()):
                l, t, r, b = v.box
                return (l + r) / 2, (t + b) / 2
    raise AssertionError(f"no view {match}")


def test_the_page_shows_the_screen_and_a_click_taps_through_the_touchscreen(page: Any) -> None:
    driver, phone = page
    first = driver.execute_script("return document.body.dataset.frame")
    assert driver.find_element("id", "screen").size["width"] == W // 2 + 16  # half size, plus the border
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(phone.shell("getevent -lt")[1].splitlines()))
    reader.start()
    running = wait_for(lambda: [p for p in phone.procs.running() if p.name == "getevent"], what="getevent to run")
    x, y = box(phone, desc="Settings")
    pointer(driver, x, y).click().perform()
    settled(driver)
    assert phone.state().foreground == "com.android.settings"
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.body.dataset.frame") != first)
    phone.shell(f"kill -INT {running[0].pid}")  # as Ctrl+C on `adb shell getevent -lt`
    reader.join(timeout=30)
    touch = [line for line in lines if "/dev/input/event2" in line]
    assert any("BTN_TOUCH" in line and "DOWN" in line for line in touch)
    assert any("BTN_TOUCH" in line and "UP" in line for line in touch)
    xs = [int(m[1], 16) for line in touch if (m := re.search(r"ABS_MT_POSITION_X\s+([0-9a-f]{8})", line))]
    assert xs and abs(xs[0] * W / 4096 - x) <= 3  # the touchscreen's own grid, 0..4095


def test_a_hold_long_presses_and_a_drag_scrolls(page: Any) -> None:
    driver, phone = page
    x, y = box(phone, desc="Clock")
    pointer(driver, x, y).click_and_hold().pause(0.7).release().perform()
    settled(driver)
    assert "App info" in phone.ui_xml() and phone.state().foreground == "com.android.launcher3"
    pointer(driver, 540, 1600).click().perform()  # beside the menu: it closes
    settled(driver)
    phone.shell("am start -n com.android.settings/.Settings")
    before = phone.ui_xml()
    chain = pointer(driver, 540, 1800).click_and_hold()
    for _ in range(6):
        chain = chain.move_by_offset(0, -100).pause(0.02)
    chain.release().perform()
    settled(driver)
    assert phone.ui_xml() != before and phone.state().foreground == "com.android.settings"  # the list moved


def test_typing_taps_the_on_screen_keys_and_the_buttons_are_the_phones(page: Any) -> None:
    driver, phone = page
    phone.shell("am start -n org.screenpilot.notes/.EditorActivity")
    x, y = box(phone, rid="id/note_title_edit")
    pointer(driver, x, y).click().perform()
    settled(driver)
    assert phone.state().ime_shown
    taps_before = sum(1 for e in phone.evdev.since(0)[0] if e.code == 0x14A and e.value == 1)
    ActionChains(driver).send_keys("Hi 5!").perform()
    settled(driver)
    assert phone.state().field("org.screenpilot.notes:id/note_title_edit").text == "Hi 5!"  # type: ignore[union-attr]
    taps = sum(1 for e in phone.evdev.since(0)[0] if e.code == 0x14A and e.value == 1) - taps_before
    assert taps >= 7  # shift, H, i, space, ?123, 5, !: every character is a finger on the keyboard
    ActionChains(driver).send_keys("\ue00c").perform()  # Escape is Back: the keyboard goes
    settled(driver)
    assert not phone.state().ime_shown
    volume = phone.state().setting("system", "volume_music")
    driver.find_element("css selector", "button[data-button=volume_up]").click()
    driver.find_element("css selector", "button[data-button=home]").click()
    settled(driver)
    assert phone.state().setting("system", "volume_music") != volume
    assert phone.state().foreground == "com.android.launcher3"
    keys = [e for e in phone.evdev.since(0)[0] if e.device == "/dev/input/event0"]
    assert [e.value for e in keys if e.code == 115] == [1, 0]  # KEY_VOLUMEUP down and up, from gpio-keys


def test_serve_web_prints_the_page_and_serves_it(phone_process: Any, tmp_path: Path) -> None:
    _proc, ports = phone_process("--web", "--web-port", "0")
    log = tmp_path / f"phone-{ports[0]}.log"
    wait_for(lambda: "web page" in log.read_text(), timeout=30, what="serve to print the web page")
    url = re.search(r"web page for \S+: (http://\S+)", log.read_text())[1]  # type: ignore[index]
    with urllib.request.urlopen(url, timeout=30) as reply:
        assert reply.status == 200 and b"the phone's screen" in reply.read()
    with urllib.request.urlopen(url + "frame", timeout=30) as reply:
        assert reply.headers["Content-Type"] == "image/jpeg" and reply.read(3) == b"\xff\xd8\xff"
