"""Telegram: customers' chats with the shop's bot, in and out, with no public server needed.

Banco polls the Bot API (getUpdates) instead of taking a webhook, so it works on a laptop behind
any router. The next offset is the page cursor: Banco stores each page and its offset in one
transaction, and only then asks Telegram for the next page with that offset, which is what tells
Telegram the earlier updates can go. A crash before the commit means the same updates come again
and are recognised; nothing is confirmed to Telegram before it is stored.

Telegram keeps unfetched updates for at most 24 hours (``max_quiet_hours``): ``banco check`` warns
when the collect times leave a longer gap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from banco.connectors.registry import imported_on_first_use

from .options import OPTIONS

if TYPE_CHECKING:
    from .connector import TelegramConnector

__all__ = ["OPTIONS", "TelegramConnector"]
__getattr__ = imported_on_first_use(__name__, "TelegramConnector")
