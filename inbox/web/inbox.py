"""Inbox: every message across channels with filters and search; one message; its original
bytes; its HTML, sanitised; attachments by their SHA-256. A message waiting on no order asks, on
the list and on its page, the one-key answer about its sender (``replies.triage``), as the
reply session does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from banco.inbox.i18n.catalogs import gettext as _
from banco.inbox.orders.pipeline import STATUS_WORDS, STATUSES
from banco.inbox.replies.session import waiting_for
from banco.inbox.replies.triage import answer_message, decided_line, message_choices
from banco.inbox.shop import Shop
from banco.inbox.store import queries
from banco.inbox.store.search_index import NoWords
from banco.inbox.web import safety
from banco.inbox.web.context import Ctx, FormProblem, NotFound, page
from banco.inbox.web.paging import Paging

CHANNELS = ("email", "telegram", "form")


@dataclass(frozen=True)
class Filters:
    waiting: bool
    unreadable: bool
    channel: str
    account: str
    status: str


@page
def inbox(ctx: Ctx) -> Response:
    words = ctx.query("q")
    filters = Filters(
        waiting=ctx.query("waiting") == "1",
        unreadable=ctx.query("unreadable") == "1",
        channel=ctx.query("channel") if ctx.query("channel") in CHANNELS else "",
        account=ctx.query("account"),
        status=ctx.query("status") if ctx.query("status") in STATUSES else "",
    )
    results: list[dict[str, Any]] | None = None
    rows: list[dict[str, Any]] = []
    total = 0
    no_words = False
    paging = Paging.of(ctx.request)
    if words:
        try:
            results = queries.search(
                ctx.shop.store, words, limit=paging.size, offset=paging.offset, snippets=True
            )
            total = queries.search_count(ctx.shop.store, words)
        except NoWords:  # only punctuation or emoji: said on the page
            results, no_words = [], True
    else:
        chosen: dict[str, Any] = {
            "waiting": filters.waiting,
            "unreadable": filters.unreadable,
            "channel": filters.channel or None,
            "account": filters.account or None,
            "order_status": filters.status or None,
        }
        rows = queries.list_messages(
            ctx.shop.store, **chosen, limit=paging.size, offset=paging.offset, newest_first=True
        )
        total = queries.count_messages(ctx.shop.store, **chosen)
    return ctx.render(
        "inbox.html",
        title=_("Inbox"),
        words=words,
        results=results,
        no_words=no_words,
        messages=rows,
        total=total,
        paging=paging,
        filters=filters,
        channels=CHANNELS,
        accounts=[a.name for a in ctx.shop.config.accounts],
        statuses=[(s, _(STATUS_WORDS[s])) for s in STATUSES],
        triage=message_choices(ctx.shop, [m["id"] for m in rows if m["waiting"]]),
    )


def _message(shop: Shop, message_id: int) -> dict[str, Any]:
    message = queries.get_message(shop.store, message_id)
    if message is None:
        raise NotFound(_("There is no message {id}.").format(id=message_id))
    return message


def attachments_of(shop: Shop, message_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The attachments of these messages, by message, with whether each can be previewed."""
    found: dict[int, list[dict[str, Any]]] = {}
    if not message_ids:
        return found
    for row in queries.attachments_of(shop.store, message_ids):
        row["image"] = (row["content_type"] or "").lower() in safety.INLINE_IMAGES
        row["stored"] = bool(row["path"] and row["sha256"])
        found.setdefault(row["message_id"], []).append(row)
    return found


def session_key(shop: Shop, message: dict[str, Any]) -> str | None:
    """The reply-session item a waiting message belongs to, if it is in the batch."""
    if not message["waiting"]:
        return None
    on_order = message["order_id"] is not None and not message["new_sender"]
    key = f"o{message['order_id']}" if on_order else f"m{message['id']}"
    waiting = waiting_for(shop, key)
    return (
        key
        if waiting is not None and any(m["id"] == message["id"] for m in waiting.messages)
        else None
    )


@page
def message(ctx: Ctx) -> Response:
    message_id = ctx.request.path_params["message_id"]
    row = _message(ctx.shop, message_id)
    return ctx.render(
        "message.html",
        title=row["subject"] or _("Message {id}").format(id=message_id),
        m=row,
        attachments=attachments_of(ctx.shop, [message_id]).get(message_id, []),
        has_html=row["raw_type"] == "rfc822" and safety.email_html(row["raw"]) is not None,
        session_key=session_key(ctx.shop, row),
        triage=message_choices(ctx.shop, [message_id]).get(message_id, []),
    )


@page
def sender(ctx: Ctx) -> Response:
    """Triage: her one-key answer about the message's sender (order / not an order / never),
    remembered for the sender as in the reply session; back to the list or the message."""
    message_id = ctx.request.path_params["message_id"]
    _message(ctx.shop, message_id)
    asked = message_choices(ctx.shop, [message_id]).get(message_id)
    if not asked:  # answered meanwhile (another page, the session, the chat)
        raise FormProblem(_("this sender has an answer already; the Senders page changes it"))
    choice = next((c for c in asked if c.key == ctx.field("choice")), None)
    if choice is None:
        raise FormProblem(_("pick an answer"))
    decided = answer_message(ctx.shop, message_id, choice)
    return ctx.back(f"/messages/{message_id}", decided_line(decided))


@page
def formatted(ctx: Ctx) -> Response:
    """The email as its sender formatted it: sanitised, remote images only when asked."""
    message_id = ctx.request.path_params["message_id"]
    row = _message(ctx.shop, message_id)
    html = safety.email_html(row["raw"]) if row["raw_type"] == "rfc822" else None
    if html is None:
        raise NotFound(
            _("Message {id} has no formatted version; its text is all there is.").format(
                id=message_id
            )
        )
    images = ctx.query("images") == "1"
    clean = safety.sanitise(html, remote_images=images)
    headers = {"Content-Security-Policy": safety.CSP_REMOTE_IMAGES} if images else None
    return ctx.render(
        "formatted.html",
        title=row["subject"] or _("Message {id}").format(id=message_id),
        m=row,
        body=clean.html,
        blocked=clean.blocked_images,
        images=images,
        headers=headers,
    )


@page
def original(ctx: Ctx) -> Response:
    message_id = ctx.request.path_params["message_id"]
    row = _message(ctx.shop, message_id)
    return safety.original_response(message_id, row["raw"], row["raw_type"])


@page
def attachment(ctx: Ctx) -> Response:
    """A stored attachment, found by its SHA-256 in the store: never by a path from the request."""
    sha = ctx.request.path_params["sha"]
    row = queries.attachment_named(ctx.shop.store, sha)
    path = safety.attachment_path(ctx.shop.store.attachments, sha) if row else None
    if row is None or path is None:
        raise NotFound(_("There is no such file."))
    return safety.file_response(
        path, row["filename"], row["content_type"], download=ctx.query("download") == "1"
    )


routes = [
    Route("/inbox", inbox, name="inbox"),
    Route("/messages/{message_id:int}", message, name="message"),
    Route("/messages/{message_id:int}/formatted", formatted, name="formatted"),
    Route("/messages/{message_id:int}/sender", sender, methods=["POST"]),
    Route("/messages/{message_id:int}/original", original, name="original"),
    Route("/files/{sha:str}", attachment, name="file"),
]
