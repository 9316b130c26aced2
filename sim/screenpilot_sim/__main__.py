"""``python -m screenpilot_sim``: the same as the ``screenpilot-sim`` command."""

from .cli import main

if __name__ == "__main__":
    main()
