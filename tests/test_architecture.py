"""The house rules: one-way imports, no import-time side effects, and pinned public names."""

from __future__ import annotations

import importlib
import os
import pkgutil
import shutil
import subprocess
import sys

import pytest

import screenpilot

ROOMS = ["actions", "perception", "devices", "planner", "agent", "trajectories", "scenarios"]


def test_rooms_import_one_way() -> None:
    exe = shutil.which("lint-imports")
    assert exe, "import-linter is part of the test extra"
    result = subprocess.run([exe], capture_output=True, text=True, cwd=os.path.dirname(os.path.dirname(__file__)))
    assert result.returncode == 0, result.stdout + result.stderr


def test_importing_everything_needs_no_display_and_loads_no_heavy_library() -> None:
    code = (
        "import importlib, pkgutil, sys, screenpilot\n"
        "for m in pkgutil.walk_packages(screenpilot.__path__, 'screenpilot.'):\n"
        "    importlib.import_module(m.name)\n"
        "heavy = [n for n in ('pyautogui', 'torch', 'transformers', 'Xlib', 'mss.linux') if n in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY"}}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"imported at import time: {result.stdout}"


# Every package's public names, as a sorted literal (as httpx pins its API): adding, removing or renaming
# a public name is a deliberate change made here too, never a side effect.
PUBLIC_API: dict[str, list[str]] = {
    "screenpilot": [
        "InfraFault", "ModelFault", "OutcomeUnknown", "ScreenPilotError", "Stopped", "__version__",
        "evaluate", "export", "read_episode", "replay", "run", "write_report"
    ],
    "screenpilot.actions": [
        "ANDROID_KEYCODES", "Action", "ActionError", "Answer", "BaseAction", "Bounds", "Click",
        "DEFAULT_SENSITIVE_LABELS", "DESKTOP_ACTIONS", "DESKTOP_KEYS", "DesktopAction", "DeviceKind",
        "Drag", "Element", "Hotkey", "Key", "LongPress", "MAX_TEXT", "Move", "OpenApp", "PHONE_ACTIONS",
        "PhoneAction", "Point", "Policy", "SECRET_PLACEHOLDER", "Screen", "Scroll", "SecretText",
        "Size", "Swipe", "SystemButton", "Tap", "Terminate", "Type", "Verdict", "Wait",
        "action_adapter", "action_class", "action_schema", "normalize_desktop_key",
        "normalize_phone_key", "parse_action", "placeholder", "points_of", "secret_names",
        "tool_parameters", "tool_schema", "validate"
    ],
    "screenpilot.agent": [
        "Budgets", "CHECKPOINT_FILE", "ConfirmMode", "ConfirmRequest", "ENV_PREFIX", "Event",
        "HandBack", "NODES", "PersonAction", "PersonChannel", "PruningSqliteSaver", "RunContext",
        "RunResult", "SecretError", "Secrets", "Takeover", "asks_for_help", "build_graph",
        "open_checkpointer", "person_fields", "person_step", "run", "secret_names"
    ],
    "screenpilot.cli": [
        "app", "main"
    ],
    "screenpilot.devices": [
        "AccessibilityUnavailable", "ActionOutcomeUnknown", "ActionResult", "AgentStopped",
        "AndroidDevice", "BadDeviceSpec", "CaptureFailed", "DEVICE_KINDS", "DEVICE_SPECS",
        "DesktopDevice", "Device", "DeviceError", "DeviceInfo", "DeviceKindEntry", "DeviceNotFound",
        "DeviceOffline", "DeviceState", "DeviceTimeout", "DeviceUnauthorized", "DisplayUnavailable",
        "KillSwitch", "Monitor", "OpenedDevice", "ServerUnavailable", "UnsupportedAction",
        "device_help", "open_device", "parse_device_spec"
    ],
    "screenpilot.devices.android": [
        "AndroidDevice", "Backoff", "BlankScreen", "CaptureMode", "CommandFailed", "ScreenChanged",
        "ShellResult"
    ],
    "screenpilot.devices.desktop": [
        "ALL_MONITORS", "AccessibilityUnavailable", "AccessibleNode", "AgentStopped", "DEFAULT_HOTKEY",
        "DesktopDevice", "KillSwitch", "Monitor", "PrivateDisplay", "TypingMethod", "default_stop_file"
    ],
    "screenpilot.fleet": [
        "AttemptReport", "BadDeviceList", "COLLECTION_FILE", "CollectOptions", "CollectResult", "Collector",
        "DeviceSlot", "DeviceWorker", "Durations", "FleetError", "FreeTask", "MANIFEST_FILE", "Manifest",
        "ManifestRecord", "ModelService", "POOL_FORMS", "RemoteBackend", "SIM_PROFILES", "SUMMARY_FILE",
        "WorkItem", "WorkerOptions", "build_work", "collect", "pack_folder", "parse_pool", "pool_resources",
        "portable_request", "read_task_file", "resource_for", "summarize", "unpack_folder"
    ],
    "screenpilot.perception": [
        "Convention", "CoordinateSpace", "DeviceAction", "Frame", "FrameFormat", "MAX_RATIO",
        "ModelAction", "QWEN25_FACTOR", "QWEN3_FACTOR", "SettleOptions", "SettleResult",
        "frame_difference", "image_tokens", "parse_uiautomator", "settle_screen", "smart_resize",
        "wait_until_settled"
    ],
    "screenpilot.planner": [
        "BACKENDS", "Backend", "BackendError", "BackendKind", "BudgetExceeded", "Completion",
        "DEFAULT_DIALECT", "DIALECTS", "Dialect", "DialectEntry", "HistoryPolicy", "HistoryStep",
        "ImagePart", "LatencyBackend", "Message", "ModelNotFound", "ModelRequest", "ParseError", "Plan", "Qwen25VL",
        "Qwen3VL", "ReplayBackend", "SPEC_FORMS", "ScriptExhausted", "ScriptedBackend", "TextPart",
        "TokenCounter", "UITars10", "UITars15", "backend_from_spec", "backend_help", "dialect_for",
        "dialect_help", "estimate_tokens", "parse_backend_spec", "read_raw_outputs", "render",
        "resolve_dialect", "split_latency_spec"
    ],
    "screenpilot.record": [
        "AxisRange", "ChannelBase", "DEFAULT_LONG_PRESS_MS", "DEFAULT_TYPING_PAUSE_S", "DOUBLE_CLICK_S",
        "Demonstration", "DesktopChannel", "GestureRules", "GeteventStream", "InputDevice", "KeyPress",
        "PanelMap", "PhoneChannel", "PhoneScreen", "RawEvent", "RecordResult", "Stroke",
        "TOUCH_SLOP_DP", "TouchTracker", "XRecordStream", "classify", "key_action", "nav_button",
        "open_channel", "parse_devices", "parse_event_line", "parse_insets", "record", "touchscreen",
        "typing_actions"
    ],
    "screenpilot.scenarios": [
        "CHECK_ON_REAL_PHONE", "Check", "CheckResult", "DesktopProbe", "Ending", "EvalReport", "Expect",
        "Focus", "GroundingError", "Move", "PARAM_FORMS", "PhoneProbe", "Probe", "Program", "REFERENCE",
        "RESULTS_FILE", "ReferenceBackend", "Scenario", "ScenarioError", "ScenarioResult",
        "ScenarioSpec", "Selector", "SetupFailed", "SetupStep", "ShellOutput", "SolutionPlayer",
        "SolutionStep", "Target", "UiNode", "builtin_scenarios", "choose_scenarios", "describe_step",
        "evaluate", "evaluate_check", "evaluate_checks", "evaluate_on", "load_scenario_file",
        "load_scenarios", "open_target", "parse_rows", "probe_for", "run_scenario", "run_steps",
        "sample_params", "select_scenarios", "spec_from_dict"
    ],
    "screenpilot.trajectories": [
        "ANNOTATIONS_FILE", "ActionJournal", "BackgroundWriter", "Confirmation", "DEFAULT_THRESHOLD",
        "DecidedBy", "Divergence", "EPISODE_FILE", "EXPORT_FORMATS", "Episode", "EpisodeMeta",
        "Executed", "ExportFormat", "ExportOptionError", "ExportOptions", "ExportReport", "FRAMES_DIR",
        "FrameRef", "JOURNAL_FILE", "JournalEntry", "JsonlAppender", "LLAMAFACTORY_MAX_PIXELS",
        "Observed", "Outcome", "REPORT_FILE", "Recorder", "RecordingError", "Redactor", "ReplayOptions",
        "ReplayReport", "ReplayStep", "RequestRecord", "SCHEMA_VERSION", "STEPS_FILE", "SettleRecord",
        "Settled", "Source", "StepRecord", "StepTimings", "TokenUsage", "TrajectoryError", "UI_DIR",
        "UNKNOWN_OUTCOME", "atomic_write", "element_divergence", "execute", "export", "find_episodes",
        "history_entry", "history_line", "load_meta", "match_element", "observe", "ran_as_recorded",
        "read_annotations", "read_episode", "read_jsonl", "redact_value", "render_report", "replay",
        "replayable", "screen_divergence", "settle", "write_annotations", "write_report"
    ],
    "screenpilot_sim": [
        "AdbServer", "AdbdEndpoint", "AdminClient", "AuthState", "CommandLine", "Faults", "FieldState",
        "PhoneClock", "PhoneConfig", "PhoneState", "ServedPhone", "ShellRecords", "SimError",
        "Substitution", "SyntaxFailure", "TaskState", "TimingProfile", "UnknownCommand", "VirtualPhone",
        "WebPage", "find_adb", "free_port", "port_plan", "profile_named", "read_manifest", "serve",
        "served_phone", "start_phones", "wait_until"
    ],
}


@pytest.mark.parametrize("package", sorted(PUBLIC_API))
def test_public_names_are_pinned(package: str) -> None:
    module = importlib.import_module(package)
    assert sorted(module.__all__) == PUBLIC_API[package], "update PUBLIC_API in tests/test_architecture.py"
    for name in module.__all__:
        assert hasattr(module, name), f"{package}.__all__ names {name!r}, which it lacks"


def test_every_package_pins_its_public_names() -> None:
    packages = {"screenpilot", "screenpilot_sim"} | {
        info.name for info in pkgutil.walk_packages(screenpilot.__path__, "screenpilot.") if info.ispkg}
    assert packages == set(PUBLIC_API), "a new package must list its public names in PUBLIC_API"


def test_every_module_imports() -> None:
    for info in pkgutil.walk_packages(screenpilot.__path__, "screenpilot."):
        importlib.import_module(info.name)
