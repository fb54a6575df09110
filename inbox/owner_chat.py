"""The reply session in the maker's own Telegram chat with the bot (``owner_chat`` in [shop]).

At the reply slot the bot posts "5 messages waiting" and the first of them, with the suggested
reply and buttons: send it, another template, skip, snooze, no reply needed. Whatever the maker
types instead becomes the reply. Her presses and messages arrive with the next Telegram collect
(every minute while a session is open in ``banco run``) and are stored like any message; this
module reads the new ones and acts. Replies go through the outbox like every other reply.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from banco.connectors import Handle, Outgoing, Sender

from .clock import iso
from .outbox import OutboxError, deliver
from .reply_session import (
    SessionItem,
    answer,
    load_item,
    no_reply_needed,
    snooze,
    suggestion_for,
)
from .reply_templates import PURPOSE_WORDS, PURPOSES
from .shop import Shop

PREVIEW = 700  # characters of a customer's message shown in the chat


def telegram_account(shop: Shop) -> str | None:
    for account in shop.config.accounts:
        cls = shop.registry.kinds.get(account.kind)
        if account.enabled and getattr(cls, "channel", None) == "telegram":
            return account.name
    return None


def active(shop: Shop) -> bool:
    return shop.store.scalar("select count(*) from owner_session where current is not null") > 0


def start_session(shop: Shop, items: list[SessionItem]) -> bool:
    """Open a session in the maker's chat with ``items``. False when there is no way to reach it."""
    account = telegram_account(shop)
    if account is None or not items:
        return False
    store = shop.store
    seen = store.scalar("select coalesce(max(id), 0) from messages")
    store.db.execute("delete from owner_session")
    store.insert(
        "owner_session",
        {
            "id": 1,
            "account": account,
            "queue": json.dumps([i.key for i in items[1:]]),
            "current": items[0].key,
            "purpose": items[0].suggestion.purpose,
            "seen_up_to": seen,
            "started_at": iso(shop.clock.now()),
            "sent": 0,
            "snoozed": 0,
        },
    )
    customers = len({(i.contact or {}).get("id") or i.key for i in items})
    waiting = sum(len(i.messages) for i in items)
    _say(
        shop,
        f"{waiting} message{'s' if waiting != 1 else ''} waiting from {customers}"
        f" customer{'s' if customers != 1 else ''}. Here is the first.",
    )
    _show(shop, items[0], items[0].suggestion.purpose, 1, len(items))
    return True


def process(shop: Shop) -> int:
    """Act on what the maker pressed or typed since last time. Returns how many were handled."""
    state = shop.store.one("select * from owner_session where current is not null")
    if state is None:
        return 0
    owner = str(shop.config.shop.owner_chat)
    news = shop.store.all(
        "select id, text, raw, raw_type, external_id from messages where account = ? and id > ?"
        " and conversation = ? and sender_handle = ? order by id",
        [state["account"], state["seen_up_to"], f"chat:{owner}", owner],
    )
    for message in news:
        shop.store.db.execute(
            "update owner_session set seen_up_to = ? where id = 1", [message["id"]]
        )
        _handle(shop, message)
        if not active(shop):
            break
    return len(news)


def _handle(shop: Shop, message: dict[str, Any]) -> None:
    state = shop.store.one("select * from owner_session where id = 1")
    assert state is not None
    item = load_item(shop, state["current"])
    if item is None:  # answered elsewhere meanwhile (the terminal, the web page)
        _next(shop, "That one was answered meanwhile.")
        return
    button = _button(message)
    if button is None:
        text = (message["text"] or "").strip()
        if text and not text.startswith("/"):  # a bot command such as /start is no reply
            _send_reply(shop, item, text)
    elif button == "send":
        suggestion = suggestion_for(
            shop, state["purpose"], item.suggestion.language, item.order, item.contact
        )
        _send_reply(shop, item, suggestion.text)
    elif button.startswith("tpl:") and button[4:] in PURPOSES:
        shop.store.db.execute("update owner_session set purpose = ? where id = 1", [button[4:]])
        _show(shop, item, button[4:])
    elif button == "skip":
        _next(shop, "Skipped.")
    elif button == "snooze":
        until = snooze(shop, item)
        shop.store.db.execute("update owner_session set snoozed = snoozed + 1 where id = 1")
        when = until.astimezone(shop.config.shop.timezone).strftime("%a %H:%M")
        _next(shop, f"Snoozed until {when}.")
    elif button == "noreply":
        no_reply_needed(shop, item)
        _next(shop, "Marked as needing no reply.")


def _button(message: dict[str, Any]) -> str | None:
    """The data of a button press (stored as its raw update), or None for typed text."""
    if not message["external_id"].startswith("button:"):
        return None
    data = json.loads(message["raw"]).get("callback_query", {}).get("data")
    return str(data) if data else ""


def _send_reply(shop: Shop, item: SessionItem, text: str) -> None:
    try:
        outbox_id = answer(shop, item, text)
    except OutboxError as e:
        _say(shop, f"Not sent: {e}. Type the reply again, or use the buttons.")
        return
    [result] = deliver(shop, [outbox_id])
    shop.store.db.execute("update owner_session set sent = sent + 1 where id = 1")
    name = (item.contact or {}).get("name") or item.latest["sender"] or "the customer"
    words = {
        "sent": f"Sent to {name} by {item.latest['channel']}.",
        "queued": f"Kept in the outbox for {name}: {result.error}",
        "failed": f"{name} could not be reached: {result.error}",
    }
    _next(shop, words.get(result.status, f"Reply {result.status.replace('_', ' ')}."))


def _next(shop: Shop, note: str) -> None:
    state = shop.store.one("select * from owner_session where id = 1")
    assert state is not None
    queue = json.loads(state["queue"])
    while queue:
        key = queue.pop(0)
        item = load_item(shop, key)
        if item is not None:
            shop.store.db.execute(
                "update owner_session set current = ?, purpose = ?, queue = ? where id = 1",
                [key, item.suggestion.purpose, json.dumps(queue)],
            )
            _say(shop, note)
            _show(shop, item, item.suggestion.purpose)
            return
    shop.store.db.execute("update owner_session set current = null, queue = '[]' where id = 1")
    _say(shop, f"{note}\nThat was the last one: {state['sent']} sent, {state['snoozed']} snoozed.")


def _show(shop: Shop, item: SessionItem, purpose: str, number: int = 0, total: int = 0) -> None:
    suggestion = suggestion_for(shop, purpose, item.suggestion.language, item.order, item.contact)
    order = item.order
    head = f"{order['ref']} · {order['title']}" if order else "No order yet"
    name = (item.contact or {}).get("name") or item.latest["sender"] or "?"
    waiting = "\n\n".join(f"«{_cut(m['text'] or m['subject'] or '')}»" for m in item.messages)
    lines = [
        f"{number} of {total}\n" if number else "",
        f"{head}\n{name} via {item.latest['channel']}:\n\n{waiting}\n\n",
        f"Suggested reply ({PURPOSE_WORDS[purpose]}):\n\n{suggestion.text}\n\n",
        "Send it, pick another, or just type your own reply here.",
    ]
    others = [p for p in PURPOSES if p != purpose]
    buttons = (
        (("✓ Send this reply", "send"),),
        *(
            tuple((PURPOSE_WORDS[p], f"tpl:{p}") for p in others[i : i + 2])
            for i in range(0, len(others), 2)
        ),
        (("Skip", "skip"), ("Snooze", "snooze"), ("No reply needed", "noreply")),
    )
    _say(shop, "".join(lines), buttons)


def _cut(text: str) -> str:
    text = text.strip()
    return text if len(text) <= PREVIEW else text[:PREVIEW].rsplit(" ", 1)[0] + "…"


def _say(shop: Shop, text: str, buttons: tuple[tuple[tuple[str, str], ...], ...] = ()) -> None:
    """A message from the bot to the maker. Not a customer message: it is not stored."""
    account = telegram_account(shop)
    assert account is not None
    connector = shop.connector(account)
    try:
        assert isinstance(connector, Sender)
        connector.send(
            Outgoing(
                outbox_id=0,
                to=Handle("telegram", str(shop.config.shop.owner_chat)),
                subject="",
                text=text,
                message_key=f"banco.owner.{uuid.uuid4().hex}",
                buttons=buttons,
            )
        )
    finally:
        connector.close()
