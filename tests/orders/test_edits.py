"""An edited Telegram message or form answer shows what changed: on the order (`banco orders
show` and the order page) and in the reply session (the terminal and the page), before and after
in plain words. An email's new reading (`banco messages reprocess`) is no edit and shows none."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fixtures_sheets import SheetsApi, Spreadsheet, gsheet_account, load_sheet
from fixtures_telegram import BotApi
from fixtures_web import web_server  # noqa: F401 (fixture)
from hypothesis import given
from hypothesis import strategies as st

from banco.inbox.collect.sync import collect
from banco.inbox.replies.session import prepare_session
from banco.inbox.replies.terminal import item_lines
from banco.inbox.shop import Shop
from banco.inbox.web import RunningServer

ANNA = {"id": 1001, "is_bot": False, "first_name": "Anna", "last_name": "Bianchi"}


def collected(shop: Shop) -> None:
    for result in collect(shop):
        assert result.ok, result.error


def page_text(server: RunningServer, path: str) -> str:
    """The page's words, one line per tag's text."""
    html = httpx.get(server.url + path).text
    return re.sub(r"\s*<[^>]+>\s*", "\n", html)


def session_lines(shop: Shop) -> list[str]:
    [item] = prepare_session(shop)
    return [line.strip() for line in item_lines(shop, item, 1, 1)]


def test_a_telegram_edit_shows_the_text_before_and_after(
    tg_shop,
    bot_api: BotApi,
    run,
    web_server: Callable[..., RunningServer],  # noqa: F811
) -> None:
    shop, home = tg_shop()
    sent = bot_api.message(ANNA, "How much for 6 blue mugs by Christmas?")
    collected(shop)
    bot_api.edit(sent, "How much for 8 blue mugs by Christmas?")
    collected(shop)

    shown = run("--home", str(home), "orders", "show", "B-0001").output
    assert re.search(
        r"How much for 8 blue mugs by Christmas\?\n"
        r"Edited by the customer, [^\n]+:\n"
        r"  before: How much for 6 blue mugs by Christmas\?\n"
        r"  after: How much for 8 blue mugs by Christmas\?",
        shown,
    ), shown
    lines = session_lines(shop)
    edited = lines.index(next(line for line in lines if line.startswith("Edited by")))
    assert lines[edited + 1 : edited + 3] == [
        "before: How much for 6 blue mugs by Christmas?",
        "after: How much for 8 blue mugs by Christmas?",
    ]
    server = web_server(home)
    for path in ("/orders/B-0001", "/session"):
        text = page_text(server, path)
        assert "before: How much for 6 blue mugs by Christmas?" in text, path
        assert "after: How much for 8 blue mugs by Christmas?" in text, path


@pytest.fixture
def sheet(sheets_api: SheetsApi) -> Spreadsheet:
    return load_sheet(sheets_api, "ordini")


def test_a_changed_form_answer_shows_the_answers_that_changed(
    sheets_api: SheetsApi,
    sheet: Spreadsheet,
    write_shop,
    open_shop: Callable[[Path], Shop],
    tmp_path: Path,
    run,
    web_server: Callable[..., RunningServer],  # noqa: F811
) -> None:
    key_file = sheets_api.service_account_file(tmp_path / "service-account.json")
    home = write_shop(gsheet_account(sheets_api, sheet, key_file))
    shop = open_shop(home)
    collected(shop)
    sheet.edit(2, 6, "8")  # Giulia now wants 8 mugs
    collected(shop)

    shown = run("--home", str(home), "orders", "show", "B-0001").output
    [edit] = [part for part in shown.split("\n---") if "Edited by the customer" in part]
    changed = edit.split("Edited by the customer")[1].splitlines()[1:]
    assert changed == ["  Quantità: 6 → 8"], edit
    text = page_text(web_server(home), "/orders/B-0001")
    assert "Quantità: 6 → 8" in text


def test_an_emails_new_reading_is_no_edit(write_shop, open_shop) -> None:
    """An email's earlier version is Banco's own earlier reading of its bytes, not the sender's."""
    from banco.inbox.orders.edits import message_edits

    shop = open_shop(write_shop())
    rows: list[dict[str, Any]] = []
    for channel in ("email", "telegram"):
        message_id = shop.store.insert(
            "messages",
            {
                "account": "a",
                "external_id": channel,
                "channel": channel,
                "direction": "in",
                "text": "Hello again",
                "sent_at": "2026-11-20T09:00:00+00:00",
                "collected_at": "2026-11-20T09:00:00+00:00",
            },
        )
        shop.store.insert(
            "message_revisions",
            {"message_id": message_id, "replaced_at": "2026-11-20T10:00:00+00:00", "text": "Hello"},
        )
        rows.append({"id": message_id, "text": "Hello again"})
    edits = message_edits(shop.store, rows)
    assert list(edits) == [rows[1]["id"]]
    [edit] = edits[rows[1]["id"]]
    assert edit.changes == ["before: Hello", "after: Hello again"]


@given(st.text(), st.text())
def test_any_two_texts_say_what_changed_or_nothing(before: str, after: str) -> None:
    """Whatever a customer writes, and however she edits it: lines, never an error, and none
    when the words are the same."""
    from banco.inbox.orders.edits import changes

    said = changes(before, after)
    assert all(isinstance(line, str) and line.strip() for line in said)
    if before.strip() == after.strip():
        assert said == []
    elif ":" not in before + after:  # free text: said before and after, whole
        assert said == [f"before: {before.strip() or '—'}", f"after: {after.strip() or '—'}"]


def test_form_answers_say_each_answer_that_changed() -> None:
    from banco.inbox.orders.edits import changes

    before = "Name: Giulia\nQuantity: 6\nNotes: blue glaze\nwith initials"
    after = "Name: Giulia\nQuantity: 8\nNotes: blue glaze\nwith initials G & M\nPhone: 051 123"
    assert changes(before, after) == [
        "Quantity: 6 → 8",
        "Notes: blue glaze with initials → blue glaze with initials G & M",
        "Phone: — → 051 123",
    ]
