"""The `banco` command: ``main`` (the group and ``main``), ``app`` (what every command shares), one
module per command group (``shop``, ``messages``, ``outbox``, ``orders``, ``routines``), ``show``
(an order as printed), ``demo``."""
