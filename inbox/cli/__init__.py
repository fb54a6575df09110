"""The `banco` command: ``main`` (the commands), ``show`` (an order as printed), ``demo``."""
