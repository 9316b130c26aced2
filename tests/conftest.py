"""Shared fixtures. Later issues add the virtual phone + real adb server, Xvfb, and the tiny Qwen2.5-VL."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

# Each area keeps its fixtures in its own module: the virtual phone + a real adb server (android),
# Xvfb + a Tk test app (desktop), the tiny offline Qwen2.5-VL checkpoint (models).
pytest_plugins = ["screenpilot_sim.testing", "tests.fixtures.desktop", "tests.fixtures.models"]
