"""The ``imap`` connector: a mailbox on a mail server, read over IMAP; replies sent over SMTP.

Reading never changes the mailbox: folders are opened read-only (EXAMINE) and bodies fetched with
``BODY.PEEK``, so no message is marked as read, moved or deleted. Each folder in ``folders`` is a
stream of incoming mail, and ``sent_folder`` a stream of the maker's own replies. A message's
external id is ``FOLDER/UIDVALIDITY/UID``, and each folder's cursor is described in ``cursor``.

A message larger than ``max_message_mb`` is kept as its headers, listed as too large with its size.
A message that cannot be parsed is kept as received and listed as unreadable. Each page carries
the number of messages the folder holds in the synced window, so the digest shows a gap.

Modules: ``options`` (the account's keys: all that reading banco.toml imports), ``connector``
(``ImapConnector``, imported on first use), ``settings`` (what the keys say), ``client`` (session
and error translation), ``folders`` (one folder's sync), ``cursor`` (where it stands),
``messages`` (batched fetching), ``session`` (reconnecting to a folder), ``helper`` (a long read
in a helper process while the store saves), ``keys`` (keys for mail without a Message-ID),
``compose`` (a reply as an email), ``smtp`` (sending), ``sent`` (the Sent folder after sending),
``tokens`` (the access tokens of an account with ``auth``), ``signin`` (``banco auth`` for Google
and Microsoft).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from banco.connectors.registry import imported_on_first_use

from .options import OPTIONS

if TYPE_CHECKING:
    from .connector import ImapConnector

__all__ = ["OPTIONS", "ImapConnector"]
__getattr__ = imported_on_first_use(__name__, "ImapConnector")
