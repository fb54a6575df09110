"""Replying: ``session`` (the batch of messages to answer and their suggested replies), ``templates``
and ``language`` (suggested replies in the customer's language), ``outbox`` (a reply leaves at most
once), ``terminal`` and ``owner_chat`` (the session in a terminal and in the maker's Telegram chat),
``when`` (a time the maker types for a scheduled reply). ``defaults/`` holds Banco's templates."""
