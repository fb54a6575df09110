"""``banco check``: is the config right, is the store whole (SQLite's own checks), can every
account be reached, does the store hold it all."""

from __future__ import annotations

import json
from collections.abc import Callable

from babel.dates import format_datetime

from banco.config import longest_gap_hours
from banco.inbox.clock import parse_iso
from banco.inbox.collect.failures import classify
from banco.inbox.errors import BUG, NEEDS_YOU
from banco.inbox.i18n.catalogs import _, current_language, ngettext, said
from banco.inbox.i18n.money import locale_of
from banco.inbox.shop import Shop
from banco.inbox.store.accounts import account_state, save_details
from banco.inbox.store.copies import stored_count
from banco.inbox.store.database import damage, damaged


def run_checks(shop: Shop, echo: Callable[[str], None], fix: bool = False) -> bool:
    """Print what works and what to fix (and fix what can be, with ``fix``).
    True when every enabled account answered."""
    config = shop.config
    count = len(config.accounts)
    echo(
        ngettext(
            "Config {path}: correct, {n} account.", "Config {path}: correct, {n} accounts.", count
        ).format(path=config.path, n=count)
    )
    list(shop.registry.kinds)  # import every installed kind, so a broken add-on shows here
    for name, reason in shop.registry.broken.items():
        echo(
            _("  ! the add-on connector {name!r} is installed but broken: {reason}").format(
                name=name, reason=reason
            )
        )
    _check_store(shop, echo)
    ok = True
    for account in config.accounts:
        if not account.enabled:
            echo(_("- {account}: paused (enabled = false)").format(account=account.name))
            continue
        try:
            connector = shop.connector(account.name)
            try:
                result = connector.check()
                fixer = getattr(connector, "fix", None)
                fixed = fixer() if fix and result.warnings and fixer else []
            finally:
                connector.close()
        except Exception as e:  # reported in words; check never stops at the first broken account
            kind, message = classify(e)
            what = {NEEDS_YOU: _("needs you"), BUG: _("a bug in Banco")}.get(
                kind, _("could not be reached, will retry")
            )
            echo(
                _("✗ {account}: {what}: {problem}").format(
                    account=account.name, what=what, problem=message
                )
            )
            ok = False
            continue
        echo(_("✓ {account}: {summary}").format(account=account.name, summary=said(result.summary)))
        if result.details and shop.store.writable:
            details = json.dumps(result.details, ensure_ascii=False)
            save_details(shop.store, account.name, account.kind, details)
        for warning in [*result.warnings, *_quiet_gap(shop, connector)]:
            echo(_("  ! {warning}").format(warning=said(warning)))
        for line in fixed:
            echo(_("  fixed: {what}").format(what=said(line)))
        for stream, count in result.counts.items():
            stored = stored_count(shop.store, account.name, stream)
            echo(
                _("  {stream}: {count} at the source, {stored} in Banco").format(
                    stream=stream, count=count, stored=stored
                )
                + (
                    _("  <- {n} not yet collected").format(n=count - stored)
                    if count > stored
                    else ""
                )
            )
        _last_state(shop, account.name, echo)
    if not config.accounts:
        echo(_("No accounts yet: add an [[accounts]] block to banco.toml."))
    return ok


def _check_store(shop: Shop, echo: Callable[[str], None]) -> None:
    """Say that the store is whole (SQLite's own checks), and whether it can be written. Raises
    StoreError, which says what to do, when it cannot be opened or is damaged."""
    if damage(shop.store):
        raise damaged(shop.home)
    echo(_("✓ store {path}: no damage found").format(path=shop.store.path))
    if shop.store.refused:  # a full disk, a read-only folder: it can be read, not written
        echo(_("  ! {warning}").format(warning=said(shop.store.refused)))


def _quiet_gap(shop: Shop, connector: object) -> list[str]:
    limit = getattr(connector, "max_quiet_hours", None)
    if limit is None:
        return []
    gap = longest_gap_hours(shop.config.schedule["collect"])
    if gap is not None and gap < limit:  # exactly 24 hours is already too late once
        return []
    if gap is None:
        times = _("there are no collect times")
    else:
        times = ngettext(
            "collect times leave {n} hour", "collect times leave {n} hours", round(gap)
        ).format(n=f"{gap:g}")
    return [
        _(
            "this source keeps messages only {limit} hours and {times} between collects: add"
            " collect times in [schedule], or keep `banco run` going (it collects it every hour)"
        ).format(limit=limit, times=times)
    ]


def _last_state(shop: Shop, account: str, echo: Callable[[str], None]) -> None:
    state = account_state(shop.store, account)
    if state is None:
        echo(_("  never collected yet: run `banco collect`"))
        return
    zone = shop.config.shop.timezone
    failures = state["failures"]
    if failures:
        if failures == 1:
            failed = _("  the last collect failed: {problem}")
        else:
            failed = _("  the last {n} collects failed: {problem}")
        echo(failed.format(n=failures, problem=state["last_error"]))
    if state["last_success_at"]:
        moment = parse_iso(state["last_success_at"]).astimezone(zone)
        when = format_datetime(moment, "d MMM y HH:mm", locale=locale_of(current_language()))
        echo(_("  last collected {when}").format(when=when))
