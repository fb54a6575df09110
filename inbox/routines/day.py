"""The maker's day as five routines the scheduler calls at their slots (and the CLI by hand).

Each routine takes the Shop, does its step, records a row in ``runs`` and returns a short summary
for the log. A routine never raises into the scheduler: a failure is recorded and the next slot
runs as usual.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from banco.inbox.collect.lock import CollectRunning
from banco.inbox.i18n.catalogs import said
from banco.inbox.logs import redact
from banco.inbox.replies import owner_chat
from banco.inbox.shop import Shop
from banco.inbox.store.runs import record_run

log = logging.getLogger("banco")


def collect(shop: Shop, accounts: list[str] | None = None) -> dict[str, Any]:
    """Everything new from every account, then another try for replies waiting to go out, then
    the new messages indexed for search (so that the maker's next search does not wait)."""
    from banco.inbox.collect.sync import collect as collect_accounts
    from banco.inbox.replies.outbox import deliver
    from banco.inbox.store.search_index import catch_up

    results = collect_accounts(shop, accounts)  # records its own run
    owner_chat.process(shop)  # the maker's answers in her Telegram chat with the bot
    sent = deliver(shop)
    return {
        "new": sum(r.counts.new for r in results),
        "orders": sum(r.counts.orders for r in results),
        "failed": [r.account for r in results if not r.ok],
        "replies_sent": sum(d.status == "sent" for d in sent),
        "indexed": catch_up(shop.store),
        "backed_up": daily_backup(shop),
    }


def daily_backup(shop: Shop) -> bool:
    """The store backed up by the first collect of the maker's day (collect is the routine every
    shop schedules). A failure is recorded as a run of its own: the collect itself worked."""
    from banco.inbox.i18n.catalogs import said
    from banco.inbox.store.backup import BackupError, backup, latest

    now = shop.clock.now()
    zone = shop.config.shop.timezone
    last = latest(shop.home)
    if last is not None and last.taken.astimezone(zone).date() >= now.astimezone(zone).date():
        return False
    try:
        backup(shop.store, now)
    except (BackupError, OSError) as e:  # a full or failing disk, a damaged store
        record_run(shop.store, "backup", now, shop.clock.now(), ok=False, error=said(e))
        return False
    return True


def frequent_accounts(shop: Shop) -> list[str]:
    """Accounts whose source forgets what is not fetched soon (Telegram: 24 hours)."""
    return [
        a.name
        for a in shop.config.accounts
        if a.enabled
        and getattr(shop.registry.kinds.get(a.kind), "max_quiet_hours", None) is not None
    ]


def reply(shop: Shop) -> dict[str, Any]:
    """Prepare the reply session; tell the maker on Telegram when there is something to answer."""
    from banco.inbox.replies.outbox import deliver
    from banco.inbox.replies.session import session_batch

    sent = deliver(shop)
    items = session_batch(shop)
    notified = _notify_owner_of_session(shop, items)
    return {
        "waiting": len(items),
        "replies_sent": sum(d.status == "sent" for d in sent),
        "told_owner": notified,
    }


def _notify_owner_of_session(shop: Shop, items: list[Any]) -> bool:
    if not shop.config.shop.owner_chat:
        return False
    return owner_chat.start_session(shop, items)


def owner_poll(shop: Shop) -> None:
    """While a session is open in the maker's Telegram chat, fetch her answers promptly."""
    account = owner_chat.telegram_account(shop)
    if account is not None and owner_chat.active(shop):
        collect(shop, [account])


def each_minute(shop: Shop) -> None:
    """Scheduled replies whose time has come go out; an open session in the maker's Telegram
    chat gets her answers promptly."""
    from banco.inbox.replies.outbox import deliver, due_soon

    if due_soon(shop):
        for sent in deliver(shop, due_only=True):
            log.info("scheduled reply %s: %s", sent.outbox_id, sent.status)
    if shop.config.shop.owner_chat:
        owner_poll(shop)


def status(shop: Shop) -> dict[str, Any]:
    """Every open order checked; stage tasks made; past-client check-ins chosen."""
    from banco.inbox.orders.status import check_orders, suggest_checkins

    now = shop.clock.now()
    states = check_orders(shop, now)
    checkins = suggest_checkins(shop, now)
    return {
        "open_orders": len(states),
        "waiting_for_you": sum(s.waiting_on == "us" for s in states),
        "waiting_for_customers": sum(s.waiting_on == "customer" for s in states),
        "checkins": len(checkins),
    }


def plan(shop: Shop) -> dict[str, Any]:
    """Lay the work out over the coming weeks and rewrite plan.ics."""
    from banco.inbox.routines.ics import plan_ics, write_plan_ics
    from banco.inbox.routines.plan import build_plan

    config = shop.config
    now = shop.clock.now()
    laid_out = build_plan(shop.store, config.plan, config.shop.timezone, now, calendar=True)
    data = plan_ics(laid_out, config.shop.name, config.shop.timezone, lang=config.shop.language)
    write_plan_ics(shop.home, data)
    return {"days": len(laid_out.days), "warnings": len(laid_out.warnings)}


def digest(shop: Shop) -> dict[str, Any]:
    """Build the day's digest and deliver it (email, Telegram, and an HTML file)."""
    from banco.inbox.routines.digest_delivery import deliver_digest

    return deliver_digest(shop)


ROUTINES: dict[str, Callable[[Shop], dict[str, Any]]] = {
    "collect": collect,
    "reply": reply,
    "status": status,
    "plan": plan,
    "digest": digest,
}


@dataclass(frozen=True)
class Outcome:
    """What one run of a routine did, for ``banco run``'s line: its summary, or why not."""

    routine: str
    summary: Mapping[str, Any] | None = None
    #: why it failed, or why it had nothing to do (another collect was running)
    error: str = ""
    skipped: str = ""


def run(shop: Shop, routine: str, tell: Callable[[Outcome], None] | None = None) -> bool:
    """Run one routine and record it. True when it worked; a failure is logged, never raised.
    ``tell`` hears the outcome (``banco run`` says it in a line; the log then keeps its own
    line at INFO, not twice on her terminal)."""
    started = shop.clock.now()
    try:
        summary = ROUTINES[routine](shop)
    except CollectRunning as e:  # another collect is doing this one's work: nothing failed
        log.info("%s skipped: %s", routine, e)
        if tell is not None:
            tell(Outcome(routine, skipped=said(e)))
        return True
    except Exception as e:  # the scheduler must go on to the next slot whatever happens here
        log.log(logging.INFO if tell else logging.ERROR, "%s failed: %s", routine, e)
        log.debug("%s", traceback.format_exc())
        error = redact(f"{type(e).__name__}: {e}")
        record_run(shop.store, routine, started, shop.clock.now(), ok=False, error=error)
        if tell is not None:
            tell(Outcome(routine, error=redact(said(e))))
        return False
    log.info("%s done: %s", routine, summary)
    if routine != "collect":  # collect records its own run, with counts per account
        record_run(shop.store, routine, started, shop.clock.now(), ok=True, counts=summary)
    if tell is not None:
        tell(Outcome(routine, summary))
    return True
