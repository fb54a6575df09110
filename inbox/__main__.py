"""``python -m banco.inbox`` is the ``banco`` command (the service unit uses it)."""

from .cli import main

main()
