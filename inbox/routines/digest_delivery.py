"""The daily digest, complete, and its delivery: email and Telegram to the maker, an HTML file.

The digest goes to the maker only, never to a customer, so it is sent directly rather than through
the outbox. Whatever happens to the sending, ``digest.html`` in the shop folder is written first.
It is marked as Banco's note (``kind="digest"``, a Message-ID of its own): collected from her
inbox, it is kept on no order and answers nobody.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from banco.connectors import Attachment, Handle, Outgoing, Sender
from banco.inbox.routines.digest import (
    SECTION_ROWS,
    Digest,
    ShownWhenRead,
    add_outbox,
    build_digest,
    render_html,
    render_text,
)
from banco.inbox.shop import Shop
from banco.inbox.store.checkins import current_checkins

HTML_FILE = "digest.html"


def today(shop: Shop) -> date:
    return shop.clock.now().astimezone(shop.config.shop.timezone).date()


def daily_digest(shop: Shop, lang: str | None = None) -> Digest:
    """The core digest plus today's plan, whom the maker waits for, past-client notes (their
    sentences in ``lang``, the maker's language by default) and the replies to decide about."""
    from banco.inbox.orders.status import check_orders, count_orders
    from banco.inbox.routines.plan import build_plan, warning_text

    config = shop.config
    now = shop.clock.now()
    digest = build_digest(
        shop.store, config.shop.name, now, today(shop), due_days=config.digest["due_days"]
    )
    # today's work, and the warnings of the whole plan
    plan = build_plan(shop.store, config.plan, config.shop.timezone, now, days=1)
    for day in plan.days:
        if day.date == today(shop):
            digest.plan_today = [asdict(block) for block in day.blocks]
    said = lang or config.shop.language
    digest.plan_warnings = ShownWhenRead(plan.warnings, lambda w: warning_text(w, said))
    digest.plan_warnings_count = plan.warnings_count
    digest.waiting_on_customers = ShownWhenRead(
        check_orders(shop, now, waiting_on="customer", limit=SECTION_ROWS), asdict
    )
    digest.waiting_on_customers_count = count_orders(shop, waiting_on="customer")
    digest.checkins = current_checkins(shop.store, now - timedelta(days=7))
    add_outbox(digest, shop)
    return digest


def deliver_digest(shop: Shop) -> dict[str, Any]:
    config = shop.config
    digest = daily_digest(shop)
    if digest.empty and config.digest["skip_empty"]:
        return {"skipped": "nothing to say today"}
    lang = config.shop.language
    text = render_text(digest, lang, today(shop))
    html = render_html(digest, lang, today(shop))
    path = _write_html(shop.home, html)
    sent: dict[str, Any] = {"file": str(path)}
    for to, account in _recipients(shop):
        connector = shop.connector(account)
        try:
            assert isinstance(connector, Sender)
            # the maker's own note, not a reply: no outbox state to keep
            connector.send(_message(shop, to, text, html), lambda: None)
            sent[account] = to.value
        except Exception as e:  # one channel failing must not stop the other
            sent[account] = f"failed: {e}"
        finally:
            connector.close()
    failed = [k for k, v in sent.items() if str(v).startswith("failed")]
    if failed:
        raise DigestNotSent(
            f"the digest could not be sent by {', '.join(failed)}: {json.dumps(sent)}"
        )
    return sent


class DigestNotSent(Exception):
    """The digest was written to the shop folder but a channel refused it."""


def _write_html(home: Path, html: str) -> Path:
    path = home / HTML_FILE
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(html)
    os.replace(tmp, path)
    return path


def _recipients(shop: Shop) -> list[tuple[Handle, str]]:
    """(address, account) pairs: the maker's mailbox by the first email account that can send,
    and the maker's own Telegram chat by the first Telegram account."""
    config = shop.config
    found: list[tuple[Handle, str]] = []
    emails = list(config.digest["email_to"]) or list(config.shop.addresses[:1])
    chat = (
        str(config.shop.owner_chat) if config.shop.owner_chat and config.digest["telegram"] else ""
    )
    for channel, targets in (("email", emails), ("telegram", [chat] if chat else [])):
        account = shop.sending_account(channel)
        if account:
            found += [(Handle(channel, target), account) for target in targets]
    return found


def _message(shop: Shop, to: Handle, text: str, html: str) -> Outgoing:
    # imported here: `banco digest` and the Today page build the digest without sending it,
    # and the mail parser (html2text among it) is a tenth of the command's start
    from banco.connectors.email.parse import NOTE_KEY_PREFIX

    title = text.splitlines()[0] if text else shop.config.shop.name
    domain = (shop.config.shop.addresses or ("banco.invalid",))[0].rpartition("@")[2]
    short = text if to.kind == "email" else _short(text)
    return Outgoing(
        outbox_id=0,
        to=to,
        subject=title,
        text=short,
        html=html if to.kind == "email" else None,
        message_key=f"{NOTE_KEY_PREFIX}{uuid.uuid4().hex}@{domain}",
        keep_copy=False,
        kind="digest",
        attachments=[]
        if to.kind == "email"
        else [Attachment(HTML_FILE, "text/html", len(html.encode()), html.encode())],
    )


def _short(text: str, limit: int = 1500) -> str:
    """The digest's first lines, for a chat; the whole of it goes along as a file."""
    return text if len(text) <= limit else text[:limit].rsplit("\n", 1)[0] + "\n…"
