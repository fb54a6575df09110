"""Orders: the board by status (drag a card, or pick a status and press Move), the list, and one
order with its whole conversation, attachments, tasks, fields, notes, history, its replies not
sent yet and a reply box (send now or at a time), where the maker links a new sender to the
order's customer."""

from __future__ import annotations

import json
import secrets
from typing import Any

from starlette.datastructures import FormData
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from banco.inbox.customers.view import RULE_WORDS, suggested_for
from banco.inbox.i18n.catalogs import gettext as _
from banco.inbox.orders.edits import message_edits
from banco.inbox.orders.facts import pending as pending_facts
from banco.inbox.orders.pipeline import (
    CLOSED,
    PAYMENTS,
    STATUS_WORDS,
    STATUSES,
    add_note,
    add_task,
    find_order,
    link_sender,
    tick_task,
    update_fields,
)
from banco.inbox.orders.status import change_status
from banco.inbox.orders.undo import undo_last
from banco.inbox.replies.language import customer_language, set_language
from banco.inbox.replies.outbox import (
    PENDING,
    OutboxError,
    pending_for_order,
    queue_reply,
    warning_for,
)
from banco.inbox.replies.session import (
    LANGUAGE_NAMES,
    PURPOSE_WORDS,
    PURPOSES,
    purpose_for,
    suggestion_for,
)
from banco.inbox.replies.when import WhenError
from banco.inbox.shop import Shop
from banco.inbox.store import queries
from banco.inbox.store.outbox import has_reply_to
from banco.inbox.store.queries import InboundMessage
from banco.inbox.web.context import Ctx, FormProblem, page, sentence
from banco.inbox.web.facts import facts_view
from banco.inbox.web.inbox import attachments_of
from banco.inbox.web.paging import COLUMN_CARDS, Paging
from banco.inbox.web.sending import hand_over, replyroute, send_time
from banco.inbox.web.values import parse_date, parse_hours_field, parse_price

OPEN = tuple(s for s in STATUSES if s not in CLOSED)
#: Outbox states that mean a message has its answer (or one on the way).
ANSWERED = (*PENDING, "sent")


@page
def orders(ctx: Ctx) -> Response:
    if ctx.query("view") == "list":
        return _order_list(ctx)
    store = ctx.shop.store
    # each column its oldest cards (the longest in that status) and its whole count; the list
    # of its status holds them all
    columns = [
        (
            s,
            _(STATUS_WORDS[s]),
            queries.list_orders(store, status=s, limit=COLUMN_CARDS, past=_past_apart(s)),
        )
        for s in OPEN
    ]
    totals = {s: queries.count_orders(store, status=s, past=_past_apart(s)) for s in STATUSES}
    closed = [(s, _(STATUS_WORDS[s]), totals[s]) for s in CLOSED]
    return ctx.render(
        "board.html",
        title=_("Orders"),
        columns=columns,
        totals=totals,
        closed=closed,
        past=queries.list_orders(  # the latest first: the likeliest to matter again
            store, status="new", limit=COLUMN_CARDS, newest_first=True, past=True
        ),
        past_total=queries.count_orders(store, status="new", past=True),
        statuses=_statuses(),
    )


def _past_apart(status: str) -> bool | None:
    """Whether the board's column of ``status`` leaves out the past conversations a first
    collect imported (``collect.backfill``): "new" does, and shows them folded apart; one she
    moved is in its column."""
    return False if status == "new" else None


def _order_list(ctx: Ctx) -> Response:
    status = ctx.query("status")
    if status not in (*STATUSES, "all"):
        status = ""
    chosen: dict[str, Any] = {
        "status": status if status in STATUSES else None,
        "include_closed": status == "all",
        # the board's "more" links: only (1) or none of (0) the past conversations
        "past": {"1": True, "0": False}.get(ctx.query("past")),
    }
    paging = Paging.of(ctx.request)
    rows = queries.list_orders(
        ctx.shop.store, **chosen, limit=paging.size, offset=paging.offset, newest_first=True
    )
    return ctx.render(
        "orders.html",
        title=_("Orders"),
        orders=rows,
        total=queries.count_orders(ctx.shop.store, **chosen),
        paging=paging,
        status=status,
        past=chosen["past"],
        statuses=_statuses(),
    )


def _statuses() -> list[tuple[str, str]]:
    return [(s, _(STATUS_WORDS[s])) for s in STATUSES]


# One order ----------------------------------------------------------------------------------------
@page
def order(ctx: Ctx) -> Response:
    ref = ctx.request.path_params["ref"]
    detail = queries.order_detail(ctx.shop.store, ref)
    conversation = detail["conversation"]
    target = reply_target(ctx.shop, conversation)
    contact = detail["contact"]
    language = ctx.query("lang")
    if language not in LANGUAGE_NAMES:
        language = customer_language(ctx.shop, contact)
    purpose = ctx.query("purpose")
    if purpose not in PURPOSES:
        purpose = purpose_for(detail, {p.fact for p in pending_facts(ctx.shop, detail["id"])})
    suggestion = suggestion_for(ctx.shop, purpose, language, detail, contact)
    draft = ctx.session.pop(f"draft:{detail['ref']}", None)
    pending = pending_for_order(ctx.shop, detail["id"])
    return ctx.render(
        "order.html",
        title=f"{detail['ref']} {detail['title']}",
        o=detail,
        attachments=attachments_of(ctx.shop, [m["id"] for m in conversation]),
        edits=message_edits(ctx.shop.store, conversation),
        target=target,
        pending=pending,
        before_target=_written_before(ctx.shop, pending, target),
        route=replyroute(ctx.shop, target) if target else None,
        warning=warning_for(ctx.shop, target["id"]) if target else None,
        suggestion=suggestion,
        draft=draft if isinstance(draft, str) else suggestion.text,
        purposes=[(p, _(PURPOSE_WORDS[p])) for p in PURPOSES],
        languages=[(code, _(name)) for code, name in LANGUAGE_NAMES.items()],
        statuses=_statuses(),
        payments=PAYMENTS,
        facts=facts_view(ctx.shop, detail, ctx.f.day),
        nonce=secrets.token_urlsafe(16),
        custom=json.loads(detail["custom"] or "{}"),
        # customers: this order and another that may be one job
        merges=suggested_for(ctx.shop.store, None, [detail["id"]]),
        rules={rule: _(words) for rule, words in RULE_WORDS.items()},
    )


def _written_before(
    shop: Shop, pending: list[dict[str, Any]], target: dict[str, Any] | None
) -> set[int]:
    """The replies in ``pending`` written before the message a reply would answer came in: the
    maker reads that message before they go."""
    if target is None or not pending:
        return set()
    came = queries.collected_at(shop.store, target["id"])
    return {x["id"] for x in pending if came and x["created_at"] < came}


def reply_target(shop: Shop, conversation: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The message a reply from the order page answers: the customer's last one that can be
    answered (read, with an address or chat to answer, not an automatic reply, not from a new
    sender the maker has not linked to the customer)."""
    for message in reversed(conversation):
        if (
            message["direction"] == "in"
            and message["sender_handle"]
            and message["status"] == "ok"
            and not message["auto"]  # never an out-of-office or a bounce
            and not message["new_sender"]
        ):
            return message
    return None


# Changes ------------------------------------------------------------------------------------------
@page
def move(ctx: Ctx) -> Response:
    ref = ctx.request.path_params["ref"]
    status = ctx.field("status")
    if status not in STATUSES:
        raise FormProblem(_("pick a status to move the order to"))
    moved = change_status(ctx.shop, ref, status, ctx.field("note"))
    words = _("{ref} is now {status}.").format(ref=moved["ref"], status=_(STATUS_WORDS[status]))
    if ctx.wants_json:
        return JSONResponse({"ok": True, "ref": moved["ref"], "status": status, "message": words})
    return ctx.back(f"/orders/{moved['ref']}", words)


@page
def fields(ctx: Ctx) -> Response:
    ref = ctx.request.path_params["ref"]
    form = ctx.form or FormData()
    changes: dict[str, Any] = {}
    if "deadline" in form:
        changes["deadline"] = parse_date(ctx.field("deadline"))
    if "estimated_hours" in form:
        changes["estimated_hours"] = parse_hours_field(ctx.field("estimated_hours"), ctx.shop)
    if "price" in form:
        changes["price"] = parse_price(ctx.field("price"), ctx.shop)
    if ctx.field("payment"):
        changes["payment"] = ctx.field("payment")
    saved = update_fields(ctx.shop.store, ref, changes, ctx.shop.clock.now())
    return ctx.back(f"/orders/{saved['ref']}", _("{ref} saved.").format(ref=saved["ref"]))


@page
def new_task(ctx: Ctx) -> Response:
    ref = ctx.request.path_params["ref"]
    title = ctx.field("title")
    if not title:
        raise FormProblem(_("write what the task is"))
    add_task(ctx.shop.store, ref, title, ctx.shop.clock.now(), parse_date(ctx.field("due")))
    return ctx.back(f"/orders/{ref}", _("Task added: {title}").format(title=title))


@page
def task_done(ctx: Ctx) -> Response:
    task_id = ctx.request.path_params["task_id"]
    if tick_task(ctx.shop.store, task_id, ctx.shop.clock.now()) is None:
        return ctx.back("/orders", _("That task was already done."))
    return ctx.back("/orders", _("Task done."))


@page
def note(ctx: Ctx) -> Response:
    ref = ctx.request.path_params["ref"]
    text = ctx.field("text")
    if not text:
        raise FormProblem(_("the note is empty"))
    add_note(ctx.shop.store, ref, text, ctx.shop.clock.now())
    return ctx.back(f"/orders/{ref}", _("Note added."))


@page
def reply(ctx: Ctx) -> Response:
    """Send a reply from the order page, on the channel of the message it answers."""
    ref = ctx.request.path_params["ref"]
    detail = find_order(ctx.shop.store, ref)
    home = f"/orders/{detail['ref']}"
    text = ctx.field("text")
    answers = ctx.field("reply_to")
    row = queries.inbound_on_order(
        ctx.shop.store, int(answers) if answers.isdigit() else 0, detail["id"]
    )
    if row is None:
        raise FormProblem(_("this order has no message from the customer to answer"))
    if not ctx.web.use_nonce(ctx.field("nonce")):
        return ctx.back(home, _("This reply was already sent; it is not sent twice."))
    if ctx.field("was_waiting") == "1" and _answered(ctx.shop, row):
        ctx.session[f"draft:{detail['ref']}"] = text
        return ctx.back(
            home,
            _("This message was answered meanwhile, so nothing was sent. Your text is kept below."),
            "error",
        )
    language = ctx.field("lang")
    if language in LANGUAGE_NAMES and row["contact_id"] is not None:
        set_language(ctx.shop, row["contact_id"], language)
    try:
        send_at = send_time(ctx.shop, bool(ctx.field("schedule")), ctx.field("send_at"))
        confirmed = ctx.field("confirmed") == "1"  # "Send anyway", under the warning
        outbox_id = queue_reply(ctx.shop, row["id"], text, send_at=send_at, confirmed=confirmed)
    except (WhenError, OutboxError) as e:  # nothing queued: her text waits on the page
        ctx.session[f"draft:{detail['ref']}"] = text
        return ctx.back(home, sentence(e), "error")
    return ctx.back(home, *hand_over(ctx.shop, outbox_id, send_at))


@page
def undo(ctx: Ctx) -> Response:
    """Undo the last change to the order, said in her words."""
    undone = undo_last(ctx.shop.store, ctx.request.path_params["ref"], ctx.shop.clock.now())
    change = ctx.f.event(undone.event).change
    return ctx.back(f"/orders/{undone.ref}", _("Undone: {change}").format(change=change))


@page
def link(ctx: Ctx) -> Response:
    """The maker confirms that the new sender of a message on this order is its customer."""
    order = find_order(ctx.shop.store, ctx.request.path_params["ref"])
    message = ctx.field("message")
    message_id = int(message) if message.isdigit() else 0
    if not queries.is_on_order(ctx.shop.store, message_id, order["id"]):
        raise FormProblem(_("that message is not on this order"))
    linked = link_sender(ctx.shop.store, message_id, ctx.shop.clock.now())
    return ctx.back(
        f"/orders/{linked.ref}",
        _("{sender} is now {customer}, the customer.").format(
            sender=linked.sender, customer=linked.customer
        ),
    )


def _answered(shop: Shop, message: InboundMessage) -> bool:
    return not message["waiting"] or has_reply_to(shop.store, message["id"], ANSWERED)


routes = [
    Route("/orders", orders, name="orders"),
    Route("/orders/{ref:str}", order, name="order"),
    Route("/orders/{ref:str}/status", move, methods=["POST"]),
    Route("/orders/{ref:str}/fields", fields, methods=["POST"]),
    Route("/orders/{ref:str}/tasks", new_task, methods=["POST"]),
    Route("/orders/{ref:str}/notes", note, methods=["POST"]),
    Route("/orders/{ref:str}/reply", reply, methods=["POST"]),
    Route("/orders/{ref:str}/link", link, methods=["POST"]),
    Route("/orders/{ref:str}/undo", undo, methods=["POST"]),
    Route("/tasks/{task_id:int}/done", task_done, methods=["POST"]),
]
