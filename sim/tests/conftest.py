"""The virtual phone's own tests use its public pytest plugin: a real adb server, the phone behind it."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("sim-ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("sim-dev", max_examples=100, deadline=None)
if not os.environ.get("HYPOTHESIS_PROFILE"):
    settings.load_profile("sim-ci" if os.environ.get("CI") else "sim-dev")

pytest_plugins = ["screenpilot_sim.testing"]
