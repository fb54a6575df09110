"""One error tree: every failure is said as what happens next (needs you, will retry, wrong
input), the same way by the command, the web page and the collect; a bug is said as a bug."""

from __future__ import annotations

import json

import pytest
from listsource import ListConnector

from banco.config import SecretError
from banco.connectors import NeedsUser, Registry, Rejected, TryLater
from banco.inbox.collect.sync import collect
from banco.inbox.errors import BUG, NEEDS_YOU, WILL_RETRY, WRONG_INPUT, kind_of
from banco.inbox.i18n.money import AmountError
from banco.inbox.replies.outbox import OutboxError
from banco.inbox.replies.when import WhenError
from banco.inbox.store.database import StoreError
from banco.inbox.store.orders import OrderError


@pytest.fixture
def registry(registry: Registry) -> Registry:
    return Registry(kinds={**registry.kinds, "list": ListConnector})  # type: ignore[dict-item]


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (NeedsUser("x"), NEEDS_YOU),
        (SecretError("x"), NEEDS_YOU),
        (StoreError("x"), NEEDS_YOU),
        (TryLater("x"), WILL_RETRY),
        (TimeoutError(), WILL_RETRY),
        (ConnectionRefusedError(), WILL_RETRY),
        (Rejected("x"), WRONG_INPUT),
        (OrderError("x"), WRONG_INPUT),
        (OutboxError("x"), WRONG_INPUT),
        (WhenError("x"), WRONG_INPUT),
        (AmountError("x"), WRONG_INPUT),
        (RuntimeError("boom"), BUG),
        (KeyError("x"), BUG),
    ],
)
def test_every_error_is_one_kind(error: BaseException, kind: str) -> None:
    assert kind_of(error) == kind


def test_a_bug_while_collecting_is_said_as_a_bug(write_shop, open_shop, run) -> None:
    home = write_shop(
        '\n[[accounts]]\nname = "mail"\nkind = "list"\npath = "items.json"\nfail = "crash"\n'
    )
    (home / "items.json").write_text(json.dumps([]))
    [result] = collect(open_shop(home))
    assert result.error_kind == BUG
    assert "Banco hit a bug reading this account (RuntimeError: boom)" in result.error
    assert "please report it" in result.error and "will try again" not in result.error
    said = run("--home", str(home), "collect")
    assert "mail: failed (a bug in Banco)" in said.output


def test_a_wrong_input_is_one_plain_line_and_a_bug_is_a_bug(write_shop, run) -> None:
    home = write_shop("")
    wrong = run("--home", str(home), "orders", "show", "B-0099")
    assert (
        wrong.exit_code == 1
        and wrong.output == 'Error: no order "B-0099"; `banco orders` lists them\n'
    )
