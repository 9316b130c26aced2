"""The agent loop: a LangGraph graph from screenshot to action to record, with persistence."""

__all__: list[str] = []
