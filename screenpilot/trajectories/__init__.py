"""Trajectories: the crash-safe recorder, the reader, replay, exporters and the HTML report."""

__all__: list[str] = []
