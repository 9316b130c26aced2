"""The planner: model dialects (prompts, parsers, coordinate conventions) and model backends."""

__all__: list[str] = []
