"""The reply session: the batch the routine prepares, one item at a time, with the suggested reply
to send as it is or edited (now, or at a time she writes), another template, skip, snooze, no
reply needed, status and price. Above it, the replies that may have been sent, for the maker to
decide; with an item, the replies to its order written before its messages came.

Skipped items are remembered in the browser's session until "Start again"; everything else is in
the store, so the phone and the computer see the same batch.
"""

from __future__ import annotations

from dataclasses import replace

from starlette.responses import Response
from starlette.routing import Route

from banco.inbox.customers.suggestions import Suggestion
from banco.inbox.customers.view import RULE_WORDS, suggested_for
from banco.inbox.i18n.catalogs import gettext as _
from banco.inbox.orders.history import IN_REPLY_SESSION
from banco.inbox.orders.pipeline import STATUS_WORDS, STATUSES, update_fields
from banco.inbox.orders.senders import SenderError
from banco.inbox.orders.status import change_status
from banco.inbox.replies.language import set_language
from banco.inbox.replies.outbox import OutboxError, uncertain, warning_for
from banco.inbox.replies.session import (
    LANGUAGE_NAMES,
    PURPOSE_WORDS,
    PURPOSES,
    SessionItem,
    answer,
    batch_place,
    load_item,
    no_reply_needed,
    prepare_item,
    snooze,
    suggestion_for,
)
from banco.inbox.replies.triage import answer_sender, decided_line, triage_choices
from banco.inbox.replies.when import WhenError
from banco.inbox.store.orders import find_order
from banco.inbox.store.senders import Answer
from banco.inbox.web.context import Ctx, FormProblem, page, sentence
from banco.inbox.web.facts import proposal_views
from banco.inbox.web.sending import hand_over, replyroute, send_time
from banco.inbox.web.values import parse_price

HOME = "/session"


def _skipped(ctx: Ctx) -> list[str]:
    skipped = ctx.session.get("skipped")
    return [k for k in skipped if isinstance(k, str)] if isinstance(skipped, list) else []


@page
def session(ctx: Ctx) -> Response:
    # only the item shown is read and prepared (its suggestion, its language); the rest counted
    batch = batch_place(ctx.shop, _skipped(ctx), ctx.query("key") or None)
    current, draft = None, None
    if batch.shown is not None:
        current = _with_template(ctx, prepare_item(ctx.shop, batch.shown))
        draft = ctx.session.pop(f"draft:{current.key}", None)
    # The current item's own earlier replies are shown with it, not twice.
    own = {x["id"] for x in current.pending} if current else set()
    return ctx.render(
        "session.html",
        title=_("Reply session"),
        item=current,
        uncertain=[x for x in uncertain(ctx.shop) if x["id"] not in own],
        route=replyroute(ctx.shop, current.latest) if current else None,
        warning=warning_for(ctx.shop, current.latest["id"]) if current else None,
        draft=draft if isinstance(draft, str) else None,
        position=batch.position,
        remaining=batch.remaining,
        total_messages=batch.total_messages,
        skipped=batch.skipped,
        purposes=[(p, _(PURPOSE_WORDS[p])) for p in PURPOSES],
        languages=[(code, _(name)) for code, name in LANGUAGE_NAMES.items()],
        statuses=[(s, _(STATUS_WORDS[s])) for s in STATUSES],
        triage=triage_choices(ctx.shop, current) if current else [],
        proposals=proposal_views(ctx.shop, current.proposals, ctx.f.day) if current else [],
        merges=_merges(ctx, current) if current else [],  # customers
        rules={rule: _(words) for rule, words in RULE_WORDS.items()},
    )


def _merges(ctx: Ctx, item: SessionItem) -> list[Suggestion]:
    """The merges Banco suggests for the item's customer or order."""
    order_ids = [item.order["id"]] if item.order else []
    return suggested_for(ctx.shop.store, (item.contact or {}).get("id"), order_ids)


def _with_template(ctx: Ctx, item: SessionItem) -> SessionItem:
    """The item with the template and language the maker picked, if she picked one."""
    purpose, language = ctx.query("purpose"), ctx.query("lang")
    if purpose not in PURPOSES and language not in LANGUAGE_NAMES:
        return item
    suggestion = suggestion_for(
        ctx.shop,
        purpose if purpose in PURPOSES else item.suggestion.purpose,
        language if language in LANGUAGE_NAMES else item.suggestion.language,
        item.order,
        item.contact,
    )
    return replace(item, suggestion=suggestion)


def _item(ctx: Ctx) -> SessionItem | None:
    return load_item(ctx.shop, ctx.request.path_params["key"])


def _keep_draft(ctx: Ctx, item: SessionItem) -> None:
    """An edited reply survives a status or price change made before sending it."""
    text = ctx.field("text")
    if text and text != ctx.field("suggested"):
        ctx.session[f"draft:{item.key}"] = text


def _gone(ctx: Ctx) -> Response:
    return ctx.back(HOME, _("That one was answered meanwhile, so nothing more was done."))


@page
def send(ctx: Ctx) -> Response:
    item = _item(ctx)
    if item is None:
        return _gone(ctx)
    language = ctx.field("lang")
    contact_id = (item.contact or {}).get("id")
    if language != item.suggestion.language and language in LANGUAGE_NAMES and contact_id:
        set_language(ctx.shop, contact_id, language)  # remembered for this customer
    text = ctx.field("text")
    try:
        send_at = send_time(ctx.shop, bool(ctx.field("schedule")), ctx.field("send_at"))
        outbox_id = answer(ctx.shop, item, text, send_at, confirmed=_confirmed(ctx))
    except (WhenError, OutboxError) as e:  # nothing queued: her text waits on the page
        ctx.session[f"draft:{item.key}"] = text
        return ctx.back(f"{HOME}?key={item.key}", sentence(e), "error")
    return ctx.back(HOME, *hand_over(ctx.shop, outbox_id, send_at))


def _confirmed(ctx: Ctx) -> bool:
    """Whether she pressed "Send anyway" under the warning that the reply reaches nobody."""
    return ctx.field("confirmed") == "1"


@page
def skip(ctx: Ctx) -> Response:
    key = ctx.request.path_params["key"]
    ctx.session["skipped"] = [*_skipped(ctx), key]
    return ctx.back(HOME, _("Skipped: it stays waiting."))


@page
def put_off(ctx: Ctx) -> Response:
    item = _item(ctx)
    if item is None:
        return _gone(ctx)
    until = snooze(ctx.shop, item)
    return ctx.back(HOME, _("Snoozed until {when}.").format(when=ctx.f.when(until)))


@page
def no_reply(ctx: Ctx) -> Response:
    item = _item(ctx)
    if item is None:
        return _gone(ctx)
    no_reply_needed(ctx.shop, item)
    return ctx.back(HOME, _("Marked as needing no reply."))


@page
def status(ctx: Ctx) -> Response:
    item = _item(ctx)
    if item is None:
        return _gone(ctx)
    if item.order is None:
        raise FormProblem(_("this message has no order, so it has no status"))
    wanted = ctx.field("status")
    if wanted not in STATUSES:
        raise FormProblem(_("pick a status"))
    _keep_draft(ctx, item)
    moved = change_status(ctx.shop, item.order["ref"], wanted, IN_REPLY_SESSION)
    return ctx.back(
        f"{HOME}?key={item.key}",
        _("{ref} is now {status}.").format(ref=moved["ref"], status=_(STATUS_WORDS[wanted])),
    )


@page
def price(ctx: Ctx) -> Response:
    item = _item(ctx)
    if item is None:
        return _gone(ctx)
    if item.order is None:
        raise FormProblem(_("this message has no order to put a price on"))
    amount = parse_price(ctx.field("price"), ctx.shop)
    _keep_draft(ctx, item)
    update_fields(
        ctx.shop.store,
        item.order["ref"],
        {"price": amount},
        ctx.shop.clock.now(),
        IN_REPLY_SESSION,
    )
    return ctx.back(
        f"{HOME}?key={item.key}", _("{ref}: price saved.").format(ref=item.order["ref"])
    )


@page
def sender(ctx: Ctx) -> Response:
    """Triage: her one-key answer about the item's sender (order / not an order / never)."""
    item = _item(ctx)
    if item is None:
        return _gone(ctx)
    choice = next((c for c in triage_choices(ctx.shop, item) if c.key == ctx.field("choice")), None)
    if choice is None:
        raise FormProblem(_("pick an answer"))
    try:
        decided = answer_sender(ctx.shop, item, choice)
    except SenderError as e:
        raise FormProblem(sentence(e)) from None
    back = HOME  # "never": on to the next item
    if decided.opened:  # the same messages, now on their order
        back = f"{HOME}?key=o{find_order(ctx.shop.store, decided.opened[0])['id']}"
    elif decided.answer is Answer.NOT_ORDER:  # still to answer
        back = f"{HOME}?key={item.key}"
    return ctx.back(back, decided_line(decided))


@page
def restart(ctx: Ctx) -> Response:
    ctx.session.pop("skipped", None)
    return ctx.back(HOME, _("Starting again from the oldest message."))


routes = [
    Route("/session", session, name="session"),
    Route("/session/restart", restart, methods=["POST"]),
    Route("/session/{key:str}/send", send, methods=["POST"]),
    Route("/session/{key:str}/skip", skip, methods=["POST"]),
    Route("/session/{key:str}/snooze", put_off, methods=["POST"]),
    Route("/session/{key:str}/no-reply", no_reply, methods=["POST"]),
    Route("/session/{key:str}/status", status, methods=["POST"]),
    Route("/session/{key:str}/price", price, methods=["POST"]),
    Route("/session/{key:str}/sender", sender, methods=["POST"]),
]
