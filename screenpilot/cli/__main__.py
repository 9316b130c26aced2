"""``python -m screenpilot.cli``: the same as the ``screenpilot`` command."""

from . import main

if __name__ == "__main__":
    main()
