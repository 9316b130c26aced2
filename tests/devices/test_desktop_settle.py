"""The driver's settle wait (perception.wait_until_settled on its screenshots) waits out a real animation."""

from __future__ import annotations

from screenpilot.actions import Click
from screenpilot.perception import DeviceAction, SettleOptions, frame_difference


def test_settle_waits_until_an_animation_is_over(desktop, tk_probe) -> None:
    probe = tk_probe()
    bx, by = probe.center("animate")
    desktop.execute(DeviceAction(action=Click(point=desktop.monitor.from_root(bx, by)), size=desktop.monitor.size))
    result = desktop.settle(SettleOptions(timeout_s=10, interval_s=0.05, stable_frames=4))
    assert result.settled
    assert result.frames > 4 + 1  # it saw the screen change before it saw it still
    probe.wait_for(lambda e: e["event"] == "animation_done", timeout=2, what="the end of the animation")
    # The frame it settled on shows the end state (the light is black after 8 coloured steps).
    lx, ly, _, _ = probe.widgets["light"]
    pixel = result.frame.image.getpixel((int(desktop.monitor.from_root(lx + 3, ly + 3).x),
                                         int(desktop.monitor.from_root(lx + 3, ly + 3).y)))
    assert pixel == (0, 0, 0)
    assert frame_difference(result.frame, desktop.screenshot()) == 0.0


def test_a_still_screen_settles_quickly_with_the_quiet_period_counted(desktop, tk_probe) -> None:
    tk_probe()
    result = desktop.settle(SettleOptions(timeout_s=10, interval_s=0.05, stable_frames=3))
    assert result.settled and result.frames == 4
    assert result.waited_s >= 3 * 0.05
