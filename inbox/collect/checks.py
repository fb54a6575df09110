"""``banco check``: is the config right, can every account be reached, does the store hold it all."""

from __future__ import annotations

import json
from collections.abc import Callable

from banco.config import longest_gap_hours
from banco.inbox.clock import parse_iso
from banco.inbox.collect.sync import classify
from banco.inbox.errors import BUG, NEEDS_YOU
from banco.inbox.shop import Shop
from banco.inbox.store.accounts import account_state, save_details
from banco.inbox.store.copies import stored_count


def run_checks(shop: Shop, echo: Callable[[str], None], fix: bool = False) -> bool:
    """Print what works and what to fix (and fix what can be, with ``fix``).
    True when every enabled account answered."""
    config = shop.config
    echo(f"Config {config.path}: correct, {len(config.accounts)} account(s).")
    list(shop.registry.kinds)  # import every installed kind, so a broken add-on shows here
    for name, reason in shop.registry.broken.items():
        echo(f"  ! the add-on connector {name!r} is installed but broken: {reason}")
    ok = True
    for account in config.accounts:
        if not account.enabled:
            echo(f"- {account.name}: paused (enabled = false)")
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
            what = {NEEDS_YOU: "needs you", BUG: "a bug in Banco"}.get(
                kind, "could not be reached, will retry"
            )
            echo(f"✗ {account.name}: {what}: {message}")
            ok = False
            continue
        echo(f"✓ {account.name}: {result.summary}")
        if result.details:
            details = json.dumps(result.details, ensure_ascii=False)
            save_details(shop.store, account.name, account.kind, details)
        for warning in [*result.warnings, *_quiet_gap(shop, connector)]:
            echo(f"  ! {warning}")
        for line in fixed:
            echo(f"  fixed: {line}")
        for stream, count in result.counts.items():
            stored = stored_count(shop.store, account.name, stream)
            gap = f"  <- {count - stored} not yet collected" if count > stored else ""
            echo(f"  {stream}: {count} at the source, {stored} in Banco{gap}")
        _last_state(shop, account.name, echo)
    if not config.accounts:
        echo("No accounts yet: add an [[accounts]] block to banco.toml.")
    return ok


def _quiet_gap(shop: Shop, connector: object) -> list[str]:
    limit = getattr(connector, "max_quiet_hours", None)
    if limit is None:
        return []
    gap = longest_gap_hours(shop.config.schedule["collect"])
    if gap is not None and gap < limit:  # exactly 24 hours is already too late once
        return []
    said = "there are no collect times" if gap is None else f"collect times leave {gap:g} hours"
    return [
        f"this source keeps messages only {limit} hours and {said} between collects: add"
        " collect times in [schedule], or keep `banco run` going (it collects it every hour)"
    ]


def _last_state(shop: Shop, account: str, echo: Callable[[str], None]) -> None:
    state = account_state(shop.store, account)
    if state is None:
        echo("  never collected yet: run `banco collect`")
        return
    zone = shop.config.shop.timezone
    if state["failures"]:
        echo(f"  the last {state['failures']} collect(s) failed: {state['last_error']}")
    if state["last_success_at"]:
        when = parse_iso(state["last_success_at"]).astimezone(zone).strftime("%Y-%m-%d %H:%M")
        echo(f"  last collected {when}")
