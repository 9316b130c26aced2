"""Scenarios: tasks with setup, programmatic success checks and reference solutions."""

__all__: list[str] = []
