"""The ``maildir`` connector: mail that a mail program (mbsync, offlineimap, getmail, Dovecot)
keeps as one file per message on this computer.

Strictly read-only: nothing is renamed, moved, flagged or deleted, and new/ stays new/. Each
configured folder is one stream; its cursor is ``{"mtime_ns": ..., "name": ...}`` of the last file
handed over, files being taken in (modification time, unique name) order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .options import OPTIONS

if TYPE_CHECKING:
    from .connector import MaildirConnector

__all__ = ["OPTIONS", "MaildirConnector"]


def __getattr__(name: str) -> Any:
    """``MaildirConnector`` is imported on first use: reading banco.toml needs only ``OPTIONS``."""
    if name == "MaildirConnector":
        from .connector import MaildirConnector

        return MaildirConnector
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
