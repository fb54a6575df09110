"""A shop whose maker works the reply session from her own Telegram chat (``owner_chat``), and
what the local Bot API server saw Banco send to that chat."""

from __future__ import annotations

OWNER = 4242
HEADER = f"""
[shop]
name = "Bottega"
owner = "Giulia"
addresses = ["giulia@shop.example"]
timezone = "Europe/Rome"
languages = ["en"]
owner_chat = {OWNER}

[schedule]
reply = ["09:00", "17:00"]
"""


def to(api, chat_id: int) -> list[dict]:
    """What Banco sent to ``chat_id``, in order."""
    return [m for m in api.sent if m["chat_id"] == chat_id]


def labels(card: dict) -> list[str]:
    """The callback data of a message's buttons, row by row (none when it has no buttons)."""
    if not card.get("buttons"):
        return []
    return [b["callback_data"] for row in card["buttons"]["inline_keyboard"] for b in row]
