"""The ``maildir`` connector: mail that a mail program (mbsync, offlineimap, getmail, Dovecot)
keeps as one file per message on this computer.

Strictly read-only: nothing is renamed, moved, flagged or deleted, and new/ stays new/. Each
configured folder is one stream; its cursor is ``{"mtime_ns": ..., "name": ...}`` of the last file
handed over, files being taken in (modification time, unique name) order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from banco.connectors.registry import imported_on_first_use

from .options import OPTIONS

if TYPE_CHECKING:
    from .connector import MaildirConnector

__all__ = ["OPTIONS", "MaildirConnector"]
__getattr__ = imported_on_first_use(__name__, "MaildirConnector")
