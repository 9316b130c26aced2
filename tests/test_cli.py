"""The command line as a user meets it: help, working verbs, and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "screenpilot.cli", *args], capture_output=True, text=True, timeout=60, check=False)


def test_help_lists_the_verbs() -> None:
    result = cli("--help")
    assert result.returncode == 0
    for verb in ("run", "actions", "resize"):
        assert verb in result.stdout


def test_version() -> None:
    from screenpilot import __version__

    assert cli("--version").stdout.strip() == f"screenpilot {__version__}"


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["resize", "abc"], 2, "is not a size"),
        (["resize", "1080x2400", "--factor", "0"], 2, "--factor"),
        (["bogus"], 2, "No such command"),
        (["actions", "check", "{"], 2, "not JSON"),
        (["actions", "check", '{"action": "tap", "point": [1, 2]}', "--kind", "tablet"], 2, "--kind"),
        (["actions", "check", '{"action": "tap"}'], 1, "'point' is required"),
        (["actions", "check", '{"action": "tap", "point": [2000, 5]}'], 1, "outside the 1080x2400 screen"),
        (["resize", "9000x10"], 1, "aspect ratio"),
        (["run", "Turn on Wi-Fi", "--device", "phone"], 2, "not a device"),
        (["run", "Turn on Wi-Fi", "--yes", "--no-input"], 2, "contradict"),
        (["run"], 2, "give a TASK"),
        (["sim", "serve", "--size", "12x"], 2, "WIDTHxHEIGHT"),  # the sim's own command line, mounted
        (["sim", "serve", "--clock", "25:99"], 2, "write HH:MM"),
    ],
)
def test_bad_input_is_one_line_without_traceback(args: list[str], code: int, words: str) -> None:
    result = cli(*args)
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("screenpilot: error:") and words in lines[0]
    assert "Traceback" not in result.stderr


def test_resize_prints_the_model_image() -> None:
    assert "1092x2408 (3354 image tokens" in cli("resize", "1080x2400").stdout


def test_check_maps_qwen_coordinates_to_device_pixels() -> None:
    result = cli("actions", "check", '{"action": "tap", "point": [935, 406]}', "--space", "qwen2.5")
    assert result.returncode == 0, result.stderr
    assert '"point":[925.0,405.0]' in result.stdout.replace(" ", "")


def test_schema_prints_json_tool_schemas() -> None:
    result = cli("actions", "schema", "--tool", "--kind", "phone")
    doc = json.loads(result.stdout)
    assert doc["function"]["name"] == "mobile_use"
    assert "tap" in doc["function"]["parameters"]["properties"]["action"]["enum"]
