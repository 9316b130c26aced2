"""The virtual phone: simulated apps, their renderer, a shell, and an adbd endpoint a real adb server connects to."""

__all__: list[str] = []
