"""What the maker is told after pressing Send: sent, kept in the outbox (and why), or refused."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from banco.config import ConfigError

from ..outbox import Delivery, route
from ..shop import Shop
from .formatting import CHANNEL_WORDS


def delivery_words(shop: Shop, delivery: Delivery) -> tuple[str, str]:
    """(sentence, "ok" or "error") for one reply just handed to its channel."""
    row = shop.store.one(
        "select x.channel, x.to_handle, x.account, c.name from outbox x"
        " left join messages m on m.id = x.reply_to_id"
        " left join contacts c on c.id = m.contact_id where x.id = ?",
        [delivery.outbox_id],
    )
    if row is None:
        return "The reply is gone from the outbox.", "error"
    who = row["name"] or json.loads(row["to_handle"])[1]
    how = CHANNEL_WORDS.get(row["channel"], row["channel"])
    if delivery.status == "sent":
        return f"Sent to {who} by {how}.", "ok"
    if delivery.status == "queued":
        return (
            f"Not sent yet: {delivery.error}. The reply to {who} stays in the outbox and Banco"
            " tries again at the next collect (Accounts shows it).",
            "error",
        )
    if delivery.status == "failed":
        return f"{how.capitalize()} refused the reply to {who}: {delivery.error}", "error"
    return (
        f"Banco cannot tell whether the reply to {who} went out; check the chat, then send it"
        " again or cancel it on the Accounts page.",
        "error",
    )


@dataclass(frozen=True)
class Route:
    """How a reply to a message would go out: the account, the channel, to whom, and whether that
    account can send at all (a Maildir or an order form only reads)."""

    account: str
    channel: str
    to: str
    sends: bool


def replyroute(shop: Shop, message: dict[str, Any]) -> Route:
    """The outbox's own routing (``outbox.route``), to say it before the maker presses Send."""
    row = shop.store.one("select * from messages where id = ?", [message["id"]]) or message
    try:
        found = route(shop, row)
    except ConfigError:  # the account was removed from banco.toml since the message came
        found = None
    if found is None:  # no account can send it: said before Send, refused if sent anyway
        return Route(row["account"], row["channel"], row["sender_handle"] or "", False)
    account, channel, to = found
    return Route(account, channel, to.value, True)


CANNOT_SEND = (
    "No account of yours can send this reply: {account} only reads, and none sends by email or"
    " Telegram to this customer. A reply sent from here waits in the outbox; you can answer from"
    " your mail program instead, then mark it as needing no reply."
)
