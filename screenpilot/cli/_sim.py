"""``screenpilot sim``: the virtual phone's own command line (screenpilot-sim), mounted as it is."""

from __future__ import annotations

from screenpilot_sim import cli as sim_cli

from ._app import app

__all__ = ["SimError"]

SimError = sim_cli.SimError
app.add_typer(sim_cli.app, name="sim")
