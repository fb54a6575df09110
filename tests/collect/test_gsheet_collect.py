"""A Google sheet of form answers collected into a shop: orders, contacts, edits, the CLI, and the
same results as the CSV connector reading the same answers downloaded as CSV."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fixtures_sheets import SERVICE_ACCOUNT, SheetsApi, Spreadsheet, gsheet_account, load_sheet

from banco.inbox.collect.sync import collect
from banco.inbox.shop import Shop


@pytest.fixture
def sheet(sheets_api: SheetsApi) -> Spreadsheet:
    return load_sheet(sheets_api, "ordini")


@pytest.fixture
def home(sheets_api: SheetsApi, sheet: Spreadsheet, write_shop, tmp_path: Path) -> Path:
    key_file = sheets_api.service_account_file(tmp_path / "service-account.json")
    return write_shop(gsheet_account(sheets_api, sheet, key_file))


def rows(shop: Shop, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    return shop.store.all(sql, params or [])


# Collect ---------------------------------------------------------------------------------------
def test_collect_makes_orders_contacts_and_their_first_message(
    sheets_api: SheetsApi, home: Path, open_shop: Callable[[Path], Shop]
) -> None:
    shop = open_shop(home)
    [result] = collect(shop)
    assert result.ok, result.error
    assert (result.counts.new, result.counts.orders) == (4, 4)
    assert len(sheets_api.api_requests()) == 2
    orders = rows(shop, "select ref, title, quantity, deadline, contact_id from orders order by id")
    assert [(o["ref"], o["title"], o["quantity"], o["deadline"]) for o in orders] == [
        ("B-0001", "Tazze personalizzate con iniziali", 6, "2025-12-20"),
        ("B-0002", "Piatto in ceramica", 2, None),
        ("B-0003", "Bomboniere per battesimo", None, None),
        ("B-0004", "Un vaso blu", 1, None),
    ]
    # Giulia answered twice (her email in capitals the second time): one customer, two orders.
    assert orders[0]["contact_id"] == orders[3]["contact_id"]
    assert len({o["contact_id"] for o in orders}) == 3
    handles = rows(
        shop, "select kind, value from handles where contact_id = ? order by id",
        [orders[0]["contact_id"]],
    )  # fmt: skip
    assert [(h["kind"], h["value"]) for h in handles] == [
        ("email", "giulia.bianchi@example.it"),
        ("phone", "0512345678"),
        ("telegram_username", "giulia_b"),
    ]
    [first] = rows(shop, "select * from messages where order_id = 1")
    assert first["channel"] == "form" and first["direction"] == "in"
    assert first["sent_at"] == "2025-01-15T09:23:45+00:00"
    assert "Telefono: 0512345678" in first["text"]
    custom = json.loads(rows(shop, "select custom from orders where ref = 'B-0003'")[0]["custom"])
    assert custom["Entro quando ti serve?"] == "14/06/2025"
    state = rows(shop, "select cursor, source_count from sync_state")[0]
    assert state["source_count"] == 4 and json.loads(state["cursor"])["row"] == 7


def test_each_collect_reads_the_sheet_in_two_requests(
    sheets_api: SheetsApi, sheet: Spreadsheet, home: Path, open_shop: Callable[[Path], Shop]
) -> None:
    shop = open_shop(home)
    for change in (None, lambda: sheet.edit(2, 5, "Tazze"), None, lambda: sheet.delete(3)):
        if change:
            change()
        sheets_api.forget()
        [result] = collect(shop)
        assert result.ok, result.error
        assert len(sheets_api.api_requests()) <= 2
    tokens = sheets_api.sign_ins()
    assert len(tokens) == 1  # one sign-in per collect


def test_an_edited_answer_updates_the_order_and_says_what_changed(
    sheets_api: SheetsApi, sheet: Spreadsheet, home: Path, open_shop: Callable[[Path], Shop]
) -> None:
    shop = open_shop(home)
    collect(shop)
    sheet.edit(2, 6, "8")  # Giulia now wants 8 mugs
    sheet.edit(2, 7, "15/12/2025")
    [result] = collect(shop)
    assert (result.counts.new, result.counts.updated, result.counts.orders) == (0, 1, 0)
    [order] = rows(shop, "select * from orders where ref = 'B-0001'")
    assert (order["quantity"], order["deadline"]) == (8, "2025-12-15")
    [event] = rows(shop, "select * from order_events where kind = 'form_edit'")
    assert json.loads(event["data"]) == {
        "quantity": [6, 8],
        "deadline": ["2025-12-20", "2025-12-15"],
    }
    assert shop.store.scalar("select count(*) from message_revisions") == 1
    [again] = collect(shop)
    assert (again.counts.new, again.counts.updated) == (0, 0)


def test_a_deleted_row_deletes_nothing(
    sheets_api: SheetsApi, sheet: Spreadsheet, home: Path, open_shop: Callable[[Path], Shop]
) -> None:
    shop = open_shop(home)
    collect(shop)
    sheet.delete(2)  # Giulia's first answer, so every row below moves up
    [result] = collect(shop)
    assert result.ok and (result.counts.new, result.counts.updated) == (0, 0)
    assert shop.store.scalar("select count(*) from orders") == 4
    assert shop.store.scalar("select count(*) from messages") == 4
    assert rows(shop, "select source_count from sync_state")[0]["source_count"] == 3


def test_a_new_answer_from_a_known_customer_joins_her(
    sheets_api: SheetsApi, sheet: Spreadsheet, home: Path, open_shop: Callable[[Path], Shop]
) -> None:
    shop = open_shop(home)
    collect(shop)
    sheet.append(["11/02/2025 12.00.00", "Anna V.", "", "", "@AnnaVerdi", "Portauovo"])
    [result] = collect(shop)
    assert (result.counts.new, result.counts.orders) == (1, 1)
    [anna, new] = rows(shop, "select contact_id from orders where ref in ('B-0003', 'B-0005')")
    assert anna["contact_id"] == new["contact_id"]  # the same Telegram username


@pytest.mark.parametrize("status", [429, 503])
def test_quota_or_a_google_outage_is_retried_at_the_next_collect(
    sheets_api: SheetsApi, home: Path, open_shop: Callable[[Path], Shop], status: int
) -> None:
    shop = open_shop(home)
    sheets_api.fail(status)
    [failed] = collect(shop)
    assert failed.error_kind == "will_retry"
    assert "Banco will try again at the next collect" in failed.error
    assert shop.store.scalar("select count(*) from messages") == 0
    [result] = collect(shop)
    assert result.ok and result.counts.new == 4
    assert rows(shop, "select failures from account_state")[0]["failures"] == 0


# The same answers as CSV -----------------------------------------------------------------------
def test_the_csv_download_of_the_same_answers_gives_the_same_orders(
    sheets_api: SheetsApi,
    sheet: Spreadsheet,
    tmp_path: Path,
    open_shop: Callable[[Path], Shop],
) -> None:
    key_file = sheets_api.service_account_file(tmp_path / "service-account.json")
    csv_file = sheet.as_csv(tmp_path / "ordini.csv")
    shops = {}
    for kind, account in {
        "gsheet": gsheet_account(sheets_api, sheet, key_file),
        "csv": f'\n[[accounts]]\nname = "form"\nkind = "csv"\npath = "{csv_file}"\n',
    }.items():
        home = tmp_path / kind
        home.mkdir()
        (home / "banco.toml").write_text(
            '[shop]\ntimezone = "Europe/Rome"\naddresses = ["giulia@shop.example"]\n' + account,
            encoding="utf-8",
        )
        shops[kind] = open_shop(home)
        [result] = collect(shops[kind])
        assert result.ok, result.error

    def snapshot(shop: Shop) -> dict[str, Any]:
        return {
            "orders": rows(
                shop,
                "select ref, status, title, details, quantity, deadline, custom, account, "
                "contact_id from orders order by id",
            ),
            "contacts": rows(shop, "select id, name from contacts order by id"),
            "handles": rows(shop, "select contact_id, kind, value from handles order by id"),
            "messages": rows(
                shop,
                "select external_id, stream, channel, direction, sent_at, sender, subject, "
                "text, raw, order_id, contact_id from messages order by id",
            ),
        }

    gsheet, csv = snapshot(shops["gsheet"]), snapshot(shops["csv"])
    assert len(gsheet["orders"]) == 4 and len(gsheet["messages"]) == 4
    assert gsheet == csv


# Through the command line ------------------------------------------------------------------------
def test_collect_edit_collect_and_show(
    sheets_api: SheetsApi, sheet: Spreadsheet, home: Path, run
) -> None:
    first = run("--home", str(home), "collect")
    assert first.exit_code == 0, first.output
    assert "form: 4 new, 0 updated, 4 new orders" in first.output
    sheet.edit(3, 5, "Due piatti in ceramica, verdi")
    second = run("--home", str(home), "collect")
    assert "form: 0 new, 1 updated, 0 new orders" in second.output
    shown = run("--home", str(home), "orders", "show", "B-0002", "--json")
    assert shown.exit_code == 0, shown.output
    order = json.loads(shown.output)
    assert order["title"] == "Due piatti in ceramica, verdi"
    assert order["contact"]["name"] == "Marco Rossi"
    [edit] = [e for e in order["events"] if e["kind"] == "form_edit"]
    assert json.loads(edit["data"])["title"] == [
        "Piatto in ceramica",
        "Due piatti in ceramica, verdi",
    ]
    [message] = order["conversation"]
    assert message["text"].startswith("Informazioni cronologiche: 16/01/2025 8.05.10\n")
    assert "Cosa desideri ordinare?: Due piatti in ceramica, verdi" in message["text"]


def test_forms_headers_prints_the_mapping_to_paste(home: Path, run) -> None:
    result = run("--home", str(home), "forms", "headers", "form")
    assert result.exit_code == 0, result.output
    assert result.output.rstrip("\n").splitlines() == [
        'mapping = { timestamp = "Informazioni cronologiche", name = "Nome e cognome", '
        'email = "Indirizzo email", phone = "Telefono", telegram = "Username Telegram", '
        'item = "Cosa desideri ordinare?", quantity = "Quantità", deadline = "Data di consegna", '
        'budget = "Budget (€)", notes = "Note", links = "Foto di riferimento" }',
        "# Kept as custom fields of each order:",
        '#   "Note (2)"',
        '#   "Entro quando ti serve?"',
    ]


def test_check_reports_the_sheet(home: Path, run) -> None:
    result = run("--home", str(home), "check")
    assert result.exit_code == 0, result.output
    assert (
        "✓ form: Google sheet 'Ordini Ceramiche Bianchi (risposte)' / 'Risposte del modulo 1': "
        "4 answers" in result.output
    )
    assert "rows: 4 at the source, 0 in Banco  <- 4 not yet collected" in result.output


def test_check_says_to_share_the_sheet_with_the_service_account(
    sheet: Spreadsheet, home: Path, run
) -> None:
    sheet.readers.clear()
    result = run("--home", str(home), "check")
    assert result.exit_code == 1
    assert "✗ form: needs you: The sheet is not shared with Banco's service account " in (
        result.output
    )
    assert f'paste {SERVICE_ACCOUNT}, choose "Viewer"' in result.output
    collected = run("--home", str(home), "collect")
    assert collected.exit_code == 1
    assert (
        "form: failed (needs you): The sheet is not shared with Banco's service account "
        f"{SERVICE_ACCOUNT}." in collected.output
    )


def test_collect_on_quota_says_it_will_retry(sheets_api: SheetsApi, home: Path, run) -> None:
    sheets_api.fail(429)
    result = run("--home", str(home), "collect")
    assert result.exit_code == 1
    assert (
        "form: failed (will retry): Google is limiting requests; Banco will try again at the "
        "next collect" in result.output
    )
