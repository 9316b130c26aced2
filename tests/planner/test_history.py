"""History policy: text history by default, the last K screenshots on request, a hard token budget,
image tokens by the smart_resize rule, and the prefix a request shares with the one before."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from screenpilot.perception import Frame, image_tokens
from screenpilot.planner import (
    BudgetExceeded,
    HistoryPolicy,
    HistoryStep,
    ImagePart,
    ModelRequest,
    TextPart,
    dialect_for,
)

QWEN = dialect_for("qwen2.5-vl", "phone")


def screen(shade: int, size: tuple[int, int] = (1080, 2400)) -> Frame:
    return Frame.from_image(Image.new("RGB", size, (shade, shade, shade)))


def steps(n: int, with_images: bool = True) -> list[HistoryStep]:
    return [HistoryStep(line=f"Tapped item {i}", reply=f"<tool_call>call {i}</tool_call>",
                        image=screen(10 * i) if with_images else None) for i in range(1, n + 1)]


def texts(request: ModelRequest) -> str:
    return "\n".join(p.text for m in request.messages for p in m.content if isinstance(p, TextPart))


def test_default_is_a_text_history_with_only_the_current_screenshot() -> None:
    request = QWEN.messages("Find the weather", steps(3), screen(200))
    assert len(request.images) == 1 and request.images[0].source is not None
    user = request.messages[1]
    assert user.role == "user" and isinstance(user.content[1], ImagePart)
    assert user.content[0].text == (
        "The user query: Find the weather\nTask progress (You have done the following operation on the current "
        "device): Step 1: Tapped item 1; Step 2: Tapped item 2; Step 3: Tapped item 3; \n")
    assert request.image_tokens == image_tokens(2400, 1080) == 3354


def test_last_k_screenshots_ride_along_as_turns() -> None:
    history = steps(5)
    request = QWEN.messages("Find the weather", history, screen(200), policy=HistoryPolicy(screenshots=3))
    roles = [m.role for m in request.messages]
    assert roles == ["system", "user", "assistant", "user", "assistant", "user"]
    assert [p.source for p in request.images] == [history[3].image, history[4].image, request.images[-1].source]
    assert request.messages[2].content[0].text == "<tool_call>call 4</tool_call>"
    assert "Step 3: Tapped item 3; " in texts(request) and "Step 4" not in texts(request)
    assert request.image_tokens == 3 * 3354


def test_steps_saved_as_files_are_read_for_their_size(tmp_path: Path) -> None:
    path = screen(90, (720, 1280)).save(tmp_path / "step1.png")
    history = [HistoryStep("Opened settings", "<tool_call>x</tool_call>", image=path)]
    request = QWEN.messages("t", history, screen(10), policy=HistoryPolicy(screenshots=2))
    first = request.images[0]
    assert first.source == path and tuple(first.size) == (728, 1288) and first.tokens == image_tokens(1280, 720)
    assert first.image().size == (728, 1288)


def test_a_token_budget_drops_old_screenshots_first_then_old_lines() -> None:
    history = steps(12)
    rich = QWEN.messages("Find the weather", history, screen(1), policy=HistoryPolicy(screenshots=4))
    assert len(rich.images) == 4

    budget = rich.total_tokens - 3354  # one screenshot too many
    request = QWEN.messages("Find the weather", history, screen(1),
                            policy=HistoryPolicy(screenshots=4, max_tokens=budget))
    assert len(request.images) == 3 and request.total_tokens <= budget and request.omitted_steps == 0
    assert "Step 10: Tapped item 10" in texts(request)  # the dropped screenshot's step became a line

    text_only = QWEN.messages("Find the weather", history, screen(1))
    tight = text_only.total_tokens - 20  # too tight even for all lines: the oldest go
    request = QWEN.messages("Find the weather", history, screen(1),
                            policy=HistoryPolicy(screenshots=4, max_tokens=tight))
    assert len(request.images) == 1 and request.total_tokens <= tight
    assert request.omitted_steps >= 1
    assert f"Steps 1-{request.omitted_steps}: (omitted); " in texts(request)
    assert "Step 12: Tapped item 12" in texts(request)


def test_a_budget_that_cannot_hold_the_current_screen_says_what_to_change() -> None:
    with pytest.raises(BudgetExceeded) as info:
        QWEN.messages("t", steps(2), screen(1), policy=HistoryPolicy(max_tokens=3000))
    assert "3354" in str(info.value) and "max_pixels" in info.value.hint
    small = dialect_for("qwen2.5-vl", "phone", max_pixels=1280 * 28 * 28)  # the usual cure
    request = small.messages("t", steps(2), screen(1), policy=HistoryPolicy(max_tokens=3000))
    assert request.image_tokens == 1272 and tuple(request.images[0].size) == (672, 1484)


def test_prefix_reuse_counts_what_the_next_request_shares() -> None:
    history = steps(3, with_images=False)
    first = QWEN.messages("Find the weather", history[:2], screen(1))
    again = QWEN.messages("Find the weather", history[:2], screen(1), previous=first)
    assert first.prefix_tokens == 0
    assert again.prefix_tokens == again.total_tokens  # same request: all of it

    nxt = QWEN.messages("Find the weather", history, screen(2), previous=first)
    system_only = QWEN.messages("Other task", [], screen(1))
    system_tokens = system_only.segments[0][2]
    assert system_tokens < nxt.prefix_tokens < nxt.text_tokens  # up to "Step 2: …;", not the new screen

    turns = HistoryPolicy(screenshots=3)
    imgs = steps(3)
    a = QWEN.messages("t", imgs[:2], screen(5), policy=turns)
    b = QWEN.messages("t", imgs, screen(6), policy=turns, previous=a)
    assert b.prefix_tokens < 3354  # the window slid: the first screenshot changed, so little is shared
    c = QWEN.messages("t", imgs[:2], screen(5), policy=HistoryPolicy(screenshots=4))
    d = QWEN.messages("t", imgs, screen(6), policy=HistoryPolicy(screenshots=4), previous=c)
    assert d.prefix_tokens > 2 * 3354  # a window that only grows keeps its screenshots in the cache


def test_policies_are_checked() -> None:
    with pytest.raises(ValueError, match="screenshots must be >= 1"):
        HistoryPolicy(screenshots=0)
    with pytest.raises(ValueError, match="max_tokens"):
        HistoryPolicy(max_tokens=0)


def test_request_records_reference_images_with_the_size_sent(tmp_path: Path) -> None:
    path = screen(90).save(tmp_path / "s.png")
    record = QWEN.messages("t", [], path).to_record()
    image = record["messages"][1]["content"][1]
    assert image == {"type": "image", "image": str(path), "original_size": [1080, 2400], "size": [1092, 2408],
                     "tokens": 3354}
    assert record["space"]["model"] == [1092, 2408]


def test_only_the_screenshots_the_policy_shows_are_read(tmp_path: Path) -> None:
    gone = tmp_path / "deleted.png"  # an old frame that is no longer on disk: it must not be opened
    history = [HistoryStep("Opened settings", "r1", image=gone), HistoryStep("Tapped Wi-Fi", "r2", image=None),
               HistoryStep("Tapped the switch", "r3", image=screen(50))]
    request = QWEN.messages("t", history, screen(1), policy=HistoryPolicy(screenshots=3))
    assert len(request.images) == 2  # the step without a screenshot ends the window of turns
    assert [m.role for m in request.messages] == ["system", "user", "assistant", "user"]
    assert "Step 1: Opened settings; Step 2: Tapped Wi-Fi; " in texts(request)


def test_a_missing_screenshot_file_is_a_clear_error(tmp_path: Path) -> None:
    from screenpilot.errors import ScreenPilotError

    with pytest.raises(ScreenPilotError, match="cannot read the screenshot") as info:
        QWEN.messages("t", [], tmp_path / "nope.png")
    assert "Frame" in info.value.hint
