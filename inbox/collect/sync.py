"""Collect: every enabled account, page by page, each page and its cursor in one transaction.

One failing account never stops the others. Its state (last success, last error, how many failures
in a row, and whether it needs the maker or will retry by itself) is kept in ``account_state``.
A full disk or a damaged store is no account's failure: it stops the collect (``StoreError``).
A collect already running stops this one before it starts (``lock``).
An account's first large collect files history, not news (``backfill``).
Killing the process at any point loses nothing: the next collect starts from the last saved cursor
and the store ignores what it already holds.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from datetime import datetime

from banco.inbox.clock import iso
from banco.inbox.collect import backfill
from banco.inbox.collect.failures import classify
from banco.inbox.collect.ingest import Counts, Ingest
from banco.inbox.collect.lock import collecting
from banco.inbox.i18n.catalogs import speaking
from banco.inbox.logs import redact
from banco.inbox.shop import Shop
from banco.inbox.store import accounts, messages
from banco.inbox.store.accounts import CollectOutcome, failures_in_a_row, save_collect_outcome
from banco.inbox.store.checkpoint import Checkpointer
from banco.inbox.store.database import store_error
from banco.inbox.store.runs import record_run

#: A fetch expecting at least this many more records, and at least as many as the store holds,
#: is a long run (a first collect): see ``Store.long_run``.
LONG_RUN = 1_000

#: progress(account, records done so far, records still expected or None)
Progress = Callable[[str, int, int | None], None]


@dataclass
class AccountResult:
    account: str
    counts: Counts = field(default_factory=Counts)
    error: str = ""
    error_kind: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def collect(
    shop: Shop, accounts: list[str] | None = None, progress: Progress | None = None
) -> list[AccountResult]:
    """Collect ``accounts`` (every enabled one by default). What goes wrong is recorded in the
    shop's language, so the Accounts page, the digest and `banco collect` read it in hers."""
    with speaking(shop.config.shop.language), collecting(shop):
        return _collect(shop, accounts, progress)


def _collect(
    shop: Shop, accounts: list[str] | None, progress: Progress | None
) -> list[AccountResult]:
    names = accounts or [a.name for a in shop.config.accounts if a.enabled]
    for name in names:
        shop.config.account(name)  # an unknown name is a config error, before anything runs
    started = shop.clock.now()
    results = [_collect_account(shop, name, progress) for name in names]
    record_run(
        shop.store,
        "collect",
        started,
        shop.clock.now(),
        ok=all(r.ok for r in results),
        counts={r.account: asdict(r.counts) for r in results},
        error="\n".join(f"{r.account}: {r.error}" for r in results if not r.ok) or None,
        account=",".join(names) if accounts else None,
    )
    return results


def _collect_account(shop: Shop, name: str, progress: Progress | None) -> AccountResult:
    result = AccountResult(name)
    store = shop.store
    attempt = shop.clock.now()
    try:
        connector = shop.connector(name)
        try:
            ingest = Ingest(
                store,
                name,
                attempt,
                order_prefix=shop.config.shop.order_prefix,
                owner=shop.owner_handles,
            )
            done = 0
            checkpoints: Checkpointer | None = None
            with ExitStack() as long_run:
                for page in connector.fetch(accounts.cursors(store, name)):
                    if done == 0:
                        expected = len(page.records) + (page.remaining or 0)
                        ingest.backfill = backfill.is_backfill(store, name, expected)
                    if done == 0 and _is_long_run(shop, page.remaining):
                        checkpoints = long_run.enter_context(store.long_run())
                    ingest.now = shop.clock.now()
                    result.counts.add(ingest.save_page(page))
                    if checkpoints:
                        checkpoints.filed()
                    done += len(page.records)
                    if progress:
                        progress(name, done, page.remaining)
            # read whole (also when a stopped first collect had filed its last page): which of
            # its conversations still wait for her
            if ingest.backfill or backfill.is_backfill(store, name, 0):
                backfill.settle(store, name, shop.clock.now())
        finally:
            connector.close()
    except Exception as e:  # every failure is recorded for this account; the others go on
        if (refused := store_error(e, shop.home)) is not None:
            raise refused from None  # the disk or the store, not the account: the collect stops
        result.error_kind, said_error = classify(e)
        result.error = redact(said_error)  # what is shown and stored holds no secret
    _record_state(shop, name, attempt, result)
    return result


def _is_long_run(shop: Shop, remaining: int | None) -> bool:
    if remaining is None or remaining < LONG_RUN:
        return False
    return remaining >= messages.highest_id(shop.store)


def _record_state(shop: Shop, name: str, attempt: datetime, result: AccountResult) -> None:
    outcome: CollectOutcome = {
        "account": name,
        "kind": shop.config.account(name).kind,
        "last_attempt_at": iso(attempt),
        "failures": 0 if result.ok else failures_in_a_row(shop.store, name) + 1,
        "last_error": result.error or None,
        "error_kind": result.error_kind or None,
    }
    if result.ok:
        outcome["last_success_at"] = iso(shop.clock.now())
    save_collect_outcome(shop.store, outcome)
