"""``python -m banco.inbox`` is the ``banco`` command (the service unit uses it)."""

from banco.inbox.cli.main import main

main()
