"""Accounts: each account's state in words and what to do about it; collect now; replies not sent
yet or gone wrong, to send (again), mark sent or cancel. The reply routes here serve the session
and order pages too, back to the page in ``next``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from banco.inbox.errors import BUG, NEEDS_YOU
from banco.inbox.i18n.catalogs import gettext as _
from banco.inbox.replies.outbox import OutboxError, decide, deliver
from banco.inbox.routines import day as routines
from banco.inbox.shop import Shop
from banco.inbox.store.accounts import account_states
from banco.inbox.store.outbox import replies_in, reply_state, unschedule
from banco.inbox.store.runs import latest_run
from banco.inbox.web.context import Ctx, page
from banco.inbox.web.formatting import Formats
from banco.inbox.web.sending import delivery_words

#: Outbox states the maker should see: not gone yet, or gone wrong.
OUTBOX_SHOWN = ("queued", "claimed", "handing_over", "failed", "may_have_been_sent")


@dataclass
class AccountView:
    name: str
    kind: str
    enabled: bool
    state: str  # ok, needs_you, will_retry, never, paused
    words: str
    todo: str
    last_success_at: str | None
    last_attempt_at: str | None
    last_error: str | None
    failures: int
    sends: bool


def account_views(shop: Shop) -> list[AccountView]:
    states = account_states(shop.store)
    views = []
    for account in shop.config.accounts:
        row: Mapping[str, Any] = states.get(account.name) or {}
        failures = row.get("failures") or 0
        if not account.enabled:
            state, words = "paused", _("paused")
            todo = _(
                "Banco does not collect it. To start again, set enabled = true in its"
                " [[accounts]] block ({name})."
            ).format(name=account.name)
        elif failures and row.get("error_kind") == NEEDS_YOU:
            state, words = "needs_you", _("needs you")
            todo = _(
                "Fix what the error says (often the password or a file named in banco.toml),"
                " then press Collect now or run `banco check`."
            )
        elif failures and row.get("error_kind") == BUG:
            state, words = "bug", _("a bug in Banco")
            todo = _(
                "Banco tries again at the next collect, but a bug will not pass by itself:"
                " please report it with the error above."
            )
        elif failures:
            state, words = "will_retry", _("will retry by itself")
            todo = _(
                "Nothing for now: Banco tries again at the next collect. If it keeps failing,"
                " run `banco check`."
            )
        elif not row.get("last_success_at"):
            state, words = "never", _("not collected yet")
            todo = _("Press Collect now (or wait for the next collect in your schedule).")
        else:
            state, words, todo = "ok", _("working"), _("Nothing to do.")
        views.append(
            AccountView(
                name=account.name,
                kind=account.kind,
                enabled=account.enabled,
                state=state,
                words=words,
                todo=todo,
                last_success_at=row.get("last_success_at"),
                last_attempt_at=row.get("last_attempt_at"),
                last_error=row.get("last_error"),
                failures=failures,
                sends=shop.can_send(account.name),
            )
        )
    return views


def outbox_problems(shop: Shop) -> list[dict[str, Any]]:
    """Replies not gone yet or gone wrong, oldest first, with whom they are for."""
    rows = replies_in(shop.store, OUTBOX_SHOWN)
    for row in rows:
        row["to"] = Formats.recipient(row)
    return rows


@page
def accounts(ctx: Ctx) -> Response:
    last_collect = latest_run(ctx.shop.store, "collect")
    return ctx.render(
        "accounts.html",
        title=_("Accounts"),
        accounts=account_views(ctx.shop),
        outbox=outbox_problems(ctx.shop),
        last_collect=last_collect,
    )


@page
def collect_now(ctx: Ctx) -> Response:
    """Collect every account now, then try the replies waiting in the outbox again."""
    done = routines.collect(ctx.shop)
    said = (
        f"Collected: {done['new']} new message{'' if done['new'] == 1 else 's'},"
        f" {done['orders']} new order{'' if done['orders'] == 1 else 's'}"
        + (
            f", {done['replies_sent']} repl{'y' if done['replies_sent'] == 1 else 'ies'} sent"
            if done["replies_sent"]
            else ""
        )
        + "."
    )
    if done["failed"]:
        return ctx.back(
            "/accounts", f"{said} {', '.join(done['failed'])} did not work: see below.", "error"
        )
    return ctx.back("/accounts", said)


@page
def outbox_resend(ctx: Ctx) -> Response:
    outbox_id = ctx.request.path_params["outbox_id"]
    row = reply_state(ctx.shop.store, outbox_id)
    if row is not None and row["status"] in ("failed", "may_have_been_sent"):
        decide(ctx.shop, outbox_id, "resend")  # the maker checked: it did not go out
    elif row is not None and row["status"] == "queued":  # "send now", a scheduled one too
        unschedule(ctx.shop.store, outbox_id)
    results = deliver(ctx.shop, [outbox_id])
    if not results:
        return ctx.back("/accounts", _("That reply is no longer waiting in the outbox."), "error")
    return ctx.back("/accounts", *delivery_words(ctx.shop, results[0]))


@page
def outbox_cancel(ctx: Ctx) -> Response:
    try:
        decide(ctx.shop, ctx.request.path_params["outbox_id"], "cancel")
    except OutboxError as e:
        return ctx.back("/accounts", _("Not cancelled: {problem}.").format(problem=e), "error")
    return ctx.back("/accounts", _("Cancelled: that reply will not be sent."))


@page
def outbox_mark_sent(ctx: Ctx) -> Response:
    """The maker saw the reply in the chat or her Sent folder: it went out."""
    try:
        decide(ctx.shop, ctx.request.path_params["outbox_id"], "mark_sent")
    except OutboxError as e:
        return ctx.back("/accounts", _("Not changed: {problem}.").format(problem=e), "error")
    return ctx.back("/accounts", _("Marked sent: Banco will not send it again."))


routes = [
    Route("/accounts", accounts, name="accounts"),
    Route("/collect", collect_now, methods=["POST"], name="collect"),
    Route("/outbox/{outbox_id:int}/resend", outbox_resend, methods=["POST"]),
    Route("/outbox/{outbox_id:int}/cancel", outbox_cancel, methods=["POST"]),
    Route("/outbox/{outbox_id:int}/mark-sent", outbox_mark_sent, methods=["POST"]),
]
