"""What can go wrong in a connector, split by what happens next.

    ConnectorError              anything a connector raises on purpose
    ├── NeedsUser               the maker must act: wrong password, missing file, bad setting.
    │                           Banco stops retrying this account and says what to do.
    ├── TryLater                the service is down, slow or rate-limiting. The next collect retries.
    ├── Rejected                the channel refused this one reply for good (the customer blocked the
    │                           bot, the address does not exist). Shown as failed, never retried.
    ├── MayHaveBeenSent         the bytes of a reply left and the channel's answer never came (a
    │                           timeout, a dropped connection): it may have reached the customer.
    │                           Never retried by itself; the maker decides.
    └── BadRecord               one record cannot be read. It is stored raw as unreadable and the
                                others go on (connectors turn it into a record with
                                ``unreadable_record``; it never ends a fetch).

Every message is a plain sentence for a maker, not a programmer: say what happened and what to do.
Write it as a template and its values, never as an f-string, so the inbox can say it in her
language (``banco.config.sentence``)::

    raise NeedsUser("The mail server {host} refused the login ({said}).", host=host, said=reply)
"""

from __future__ import annotations

from typing import Any

from banco.config.sentence import Sentence


class ConnectorError(Exception):
    """Base of every error a connector raises on purpose. ``sentence`` is its text for the maker
    (``str(error)`` in English)."""

    def __init__(self, text: str = "", /, **values: Any) -> None:
        self.sentence = Sentence(text, **values)
        super().__init__(self.sentence)


class NeedsUser(ConnectorError):
    """The account cannot work until the maker changes something (credentials, path, sharing)."""


class TryLater(ConnectorError):
    """A passing failure (network, server, rate limit); the next collect tries again."""


class Rejected(ConnectorError):
    """The channel will never take this reply; the maker sees it as failed."""


class MayHaveBeenSent(ConnectorError):
    """A reply was handed over and nothing certain came back: the maker looks, then decides."""


class BadRecord(ConnectorError):
    """One record could not be read; it is kept raw and shown as unreadable."""
