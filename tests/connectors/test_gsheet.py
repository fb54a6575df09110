"""The ``gsheet`` connector: gspread's real client, over HTTP, against the local Sheets API in
``fixtures_sheets.py`` (only Google's OAuth token endpoint is a stand-in)."""

from __future__ import annotations

import copy
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fixtures_sheets import SERVICE_ACCOUNT, SheetsApi, Spreadsheet, load_sheet

from banco.config import Problem
from banco.config.options import check_options
from banco.connectors.base import Connector, Context, Handle, Page
from banco.connectors.errors import NeedsUser, TryLater
from banco.connectors.gsheet import GsheetConnector
from banco.connectors.gsheet.client import RedirectSession, redirect
from banco.connectors.gsheet.locale import date_order_for, sheet_zone
from banco.connectors.gsheet.problems import LIMITED
from banco.connectors.gsheet.sheet import spreadsheet_key

Make = Callable[..., GsheetConnector]
ITALIAN_STAMPS = [
    "ts:15/01/2025 10.23.45",
    "ts:16/01/2025 8.05.10",
    "ts:03/02/2025 19.40.00",
    "ts:10/02/2025 9.15.00",
]


@pytest.fixture
def key_file(sheets_api: SheetsApi, tmp_path: Path) -> Path:
    return sheets_api.service_account_file(tmp_path / "service-account.json")


@pytest.fixture
def make(sheets_api: SheetsApi, key_file: Path, tmp_path: Path) -> Iterator[Make]:
    """A connector for a sheet on the local server; ``key=None`` leaves a setting out."""
    made: list[GsheetConnector] = []

    def make_(sheet: Spreadsheet | str, **settings: Any) -> GsheetConnector:
        given = {
            "spreadsheet": sheet.url if isinstance(sheet, Spreadsheet) else sheet,
            "credentials": {"file": str(key_file)},
            "api_url": sheets_api.url,
            **settings,
        }
        problems: list[Problem] = []
        values = check_options(
            {k: v for k, v in given.items() if v is not None},
            GsheetConnector.options,
            "",
            tmp_path,
            problems,
        )
        assert problems == []
        context = Context(home=tmp_path, timezone=ZoneInfo("Europe/Rome"))
        made.append(GsheetConnector("order-form", values, context))
        return made[-1]

    yield make_
    for connector in made:
        connector.close()


def ids(pages: list[Page]) -> list[str]:
    return [record.external_id for page in pages for record in page.records]


def stamps(pages: list[Page]) -> list[str]:
    """Each answer's id up to its Timestamp (then comes who answered: see forms/identity.py)."""
    return [external_id.partition("|")[0] for external_id in ids(pages)]


def records(connector: GsheetConnector) -> list[Any]:
    return [record for page in connector.fetch({}) for record in page.records]


def test_is_a_connector(sheets_api: SheetsApi, make: Make) -> None:
    connector = make(load_sheet(sheets_api, "ordini"))
    assert isinstance(connector, Connector)
    assert GsheetConnector.kind == "gsheet"
    assert GsheetConnector.options["date_order"].choices == ("auto", "dmy", "mdy", "ymd")
    assert GsheetConnector.options["credentials"].type == "secret"
    assert GsheetConnector.options["api_url"].default == "https://sheets.googleapis.com"


# Reading ---------------------------------------------------------------------------------------
def test_first_fetch_reads_every_answer_in_two_requests(sheets_api: SheetsApi, make: Make) -> None:
    sheet = load_sheet(sheets_api, "ordini")
    pages = list(make(sheet).fetch({}))
    assert stamps(pages) == ITALIAN_STAMPS  # the blank rows are skipped
    [page] = pages
    assert page.stream == "rows"
    assert page.cursor["row"] == 7 and len(page.cursor["sha256"]) == 64
    assert page.source_count == 4 and page.remaining == 0
    metadata, values = sheets_api.api_requests()
    assert metadata.path == f"/v4/spreadsheets/{sheet.key}"
    assert values.path == f"/v4/spreadsheets/{sheet.key}/values/%27Risposte%20del%20modulo%201%27"
    assert values.query["valueRenderOption"] == ["FORMATTED_VALUE"]
    tokens = sheets_api.sign_ins()
    assert [t.form["grant_type"] for t in tokens] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
    assert metadata.headers["authorization"].startswith("Bearer ya29.test-")


def test_answers_stay_text_so_phones_keep_their_zero(sheets_api: SheetsApi, make: Make) -> None:
    # The phone cells hold numbers formatted with a leading zero: only the shown text keeps it.
    first, *_ = records(make(load_sheet(sheets_api, "ordini")))
    assert first.sender.handles == [
        Handle("email", "giulia.bianchi@example.it"),
        Handle("phone", "0512345678"),
        Handle("telegram_username", "giulia_b"),
    ]
    assert "Telefono: 0512345678" in first.text
    assert first.order.quantity == 6 and first.order.budget == "80"


def test_italian_headers_duplicates_and_a_renamed_question(
    sheets_api: SheetsApi, make: Make
) -> None:
    connector = make(load_sheet(sheets_api, "ordini"))
    assert connector.headers()[9:] == [
        "Note",
        "Foto di riferimento",
        "Note (2)",
        "Entro quando ti serve?",
    ]
    giulia, marco, anna, again = records(connector)
    assert giulia.sender.name == "Giulia Bianchi"
    assert giulia.subject == "Order form: Tazze personalizzate con iniziali"
    assert giulia.order.deadline == date(2025, 12, 20)
    assert giulia.order.notes.startswith("Regalo per il matrimonio")
    assert giulia.order.links == ["https://drive.google.com/open?id=1AbCdEfGh"]
    # The second "Note" column and the renamed question's column are never lost.
    assert giulia.order.custom == {"Note (2)": "Consegna a Bologna"}
    assert anna.order.custom == {
        "Quantità": "una cinquantina",
        "Entro quando ti serve?": "14/06/2025",
    }
    assert again.order.custom == {"Entro quando ti serve?": "01/03/2025"}
    assert anna.order.links == [
        "https://drive.google.com/open?id=2XyZ",
        "https://drive.google.com/open?id=3Qwe",
    ]
    assert Handle("telegram_username", "annaverdi") in anna.sender.handles
    # Answers Banco cannot read as a date or a number stay as written.
    assert marco.order.quantity == 2 and marco.order.deadline is None
    assert marco.order.custom["Data di consegna"] == "prima di Natale"


def test_timestamps_are_read_in_the_spreadsheets_time_zone(
    sheets_api: SheetsApi, make: Make
) -> None:
    # The shop is in Rome; the sheet's clock is New York's.
    ann, bob = records(make(load_sheet(sheets_api, "orders-us")))
    assert ann.sent_at == datetime(2025, 1, 2, 14, 5, tzinfo=UTC)
    assert bob.sent_at == datetime(2025, 2, 11, 23, 30, tzinfo=UTC)


def test_the_locale_settles_dates_that_read_both_ways(sheets_api: SheetsApi, make: Make) -> None:
    us = load_sheet(sheets_api, "orders-us")
    ann, _ = records(make(us))
    assert ann.order.deadline == date(2025, 3, 4)  # en_US: month first
    rows = [
        ["Informazioni cronologiche", "Cosa desideri ordinare?", "Data di consegna"],
        ["01/02/2025 10.00.00", "Vaso", "03/04/2025"],
    ]
    for locale in ("it_IT", "fr_FR", "en_GB"):
        [vase] = records(make(sheets_api.add(rows, locale=locale)))
        assert vase.sent_at == datetime(2025, 2, 1, 9, 0, tzinfo=UTC), locale
        assert vase.order.deadline == date(2025, 4, 3), locale


def test_a_set_date_order_wins_over_the_locale(sheets_api: SheetsApi, make: Make) -> None:
    ann, _ = records(make(load_sheet(sheets_api, "orders-us"), date_order="dmy"))
    assert ann.sent_at == datetime(2025, 2, 1, 14, 5, tzinfo=UTC)
    assert ann.order.deadline == date(2025, 4, 3)


@pytest.mark.parametrize(
    ("locale", "order"),
    [
        ("it_IT", "dmy"),
        ("fr_FR", "dmy"),
        ("en_GB", "dmy"),
        ("de-DE", "dmy"),
        ("en_US", "mdy"),
        ("en_PH", "mdy"),
        ("ja_JP", "ymd"),
        ("hu_HU", "ymd"),
        ("xx_YY", None),
        ("", None),
    ],
)
def test_date_order_of_a_locale(locale: str, order: str | None) -> None:
    assert date_order_for(locale) == order


@pytest.mark.parametrize(
    ("name", "zone"),
    [
        ("Europe/Rome", "Europe/Rome"),
        ("GMT+01:00", "Etc/GMT-1"),
        ("GMT-05:00", "Etc/GMT+5"),
        ("GMT", "GMT"),
        ("Mars/Olympus", None),
        ("", None),
    ],
)
def test_time_zone_of_a_sheet(name: str, zone: str | None) -> None:
    found = sheet_zone(name)
    assert (found.key if found else None) == zone


@pytest.mark.parametrize(
    ("url", "sent_to"),
    [
        (
            "https://sheets.googleapis.com/v4/spreadsheets/K/values/%27A%27?x=1",
            "http://127.0.0.1:8080/v4/spreadsheets/K/values/%27A%27?x=1",
        ),
        ("https://oauth2.googleapis.com/token", "http://127.0.0.1:8080/token"),
        (
            "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/a@b/x",
            "http://127.0.0.1:8080/v1/projects/-/serviceAccounts/a@b/x",
        ),
        ("https://example.com/token", "https://example.com/token"),
        ("http://sheets.googleapis.com/v4", "http://sheets.googleapis.com/v4"),
    ],
)
def test_google_addresses_go_to_the_api_url(url: str, sent_to: str) -> None:
    assert redirect(url, "http://127.0.0.1:8080/") == sent_to
    assert redirect(url, "https://sheets.googleapis.com") == url


def test_the_redirect_survives_google_auths_copies_of_the_session() -> None:
    # google-auth deep-copies the token session for its background look-ups.
    copied = copy.deepcopy(RedirectSession("http://127.0.0.1:8080"))
    assert copied.api_url == "http://127.0.0.1:8080"
    copied.close()


# Cursors, edits and deletions ------------------------------------------------------------------
def test_unchanged_sheet_yields_nothing(sheets_api: SheetsApi, make: Make) -> None:
    connector = make(load_sheet(sheets_api, "ordini"))
    last = list(connector.fetch({}))[-1]
    sheets_api.forget()
    assert list(connector.fetch({"rows": last.cursor})) == []
    assert len(sheets_api.api_requests()) == 2


def test_an_edited_row_comes_back_under_the_same_id(sheets_api: SheetsApi, make: Make) -> None:
    sheet = load_sheet(sheets_api, "ordini")
    connector = make(sheet)
    before = list(connector.fetch({}))[-1]
    sheet.edit(3, 5, "Due piatti in ceramica")  # Marco changes what he orders
    after = list(connector.fetch({"rows": before.cursor}))
    assert ids(after) == ids([before])
    assert after[-1].cursor["sha256"] != before.cursor["sha256"]
    assert after[-1].records[1].subject == "Order form: Due piatti in ceramica"
    unedited = [0, 2, 3]
    assert [after[-1].records[n].raw for n in unedited] == [before.records[n].raw for n in unedited]


def test_a_new_answer_is_read_after_the_others(sheets_api: SheetsApi, make: Make) -> None:
    sheet = load_sheet(sheets_api, "ordini")
    connector = make(sheet)
    before = list(connector.fetch({}))[-1]
    sheet.append(["11/02/2025 12.00.00", "Sara Neri", "sara@example.it", "", "", "Ciotola"])
    after = list(connector.fetch({"rows": before.cursor}))
    assert stamps(after) == [*ITALIAN_STAMPS, "ts:11/02/2025 12.00.00"]
    assert after[-1].source_count == 5 and after[-1].cursor["row"] == 8


def test_a_deleted_row_leaves_the_others_identical(sheets_api: SheetsApi, make: Make) -> None:
    sheet = load_sheet(sheets_api, "ordini")
    connector = make(sheet)
    before = records(connector)
    sheet.delete(2)  # the first answer, so every later row moves up
    assert records(connector) == before[1:]


def test_pages_hold_at_most_page_size_and_resume(
    sheets_api: SheetsApi, make: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(GsheetConnector, "PAGE_SIZE", 2)
    connector = make(load_sheet(sheets_api, "ordini"))
    pages = list(connector.fetch({}))
    assert [len(page.records) for page in pages] == [2, 2]
    assert [page.cursor["row"] for page in pages] == [3, 7]
    assert [page.remaining for page in pages] == [2, 0]
    assert {page.source_count for page in pages} == {4}
    resumed = list(connector.fetch({"rows": pages[0].cursor}))
    assert stamps(resumed) == ITALIAN_STAMPS[2:]


def test_a_sheet_with_blank_rows_only_moves_the_cursor(sheets_api: SheetsApi, make: Make) -> None:
    # Google leaves out blank rows at the end, not those in between.
    sheet = sheets_api.add([["Timestamp", "Name"], [], ["", " "], ["", "", ""]])
    [page] = make(sheet).fetch({})
    assert page.records == [] and page.cursor["row"] == 3 and page.source_count == 0


# Which sheet, which tab --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "written",
    [
        "https://docs.google.com/spreadsheets/d/1AbC_d-9/edit#gid=0",
        "https://docs.google.com/spreadsheets/d/1AbC_d-9/edit?usp=sharing",
        "https://docs.google.com/spreadsheets/u/1/d/1AbC_d-9/edit",
        "https://docs.google.com/spreadsheet/ccc?key=1AbC_d-9&usp=drive_web",
        "  1AbC_d-9 ",
    ],
)
def test_spreadsheet_address_or_key(written: str) -> None:
    assert spreadsheet_key("order-form", written) == "1AbC_d-9"


@pytest.mark.parametrize(
    ("written", "words"),
    [
        ("https://docs.google.com/forms/d/e/1FAIpQL/viewform", 'click "View in Sheets"'),
        ("https://forms.gle/AbCdEf", 'click "View in Sheets"'),
        ("my order sheet", "copied from your browser's address bar"),
    ],
)
def test_a_spreadsheet_that_is_not_one(
    sheets_api: SheetsApi, make: Make, written: str, words: str
) -> None:
    with pytest.raises(NeedsUser, match=words):
        make(written).check()
    assert sheets_api.sign_ins() == [] and sheets_api.api_requests() == []


def test_the_plain_key_works_too(sheets_api: SheetsApi, make: Make) -> None:
    sheet = load_sheet(sheets_api, "ordini")
    assert make(sheet.key).check().counts == {"rows": 4}


def test_a_worksheet_by_name(sheets_api: SheetsApi, make: Make) -> None:
    rows = [["Timestamp", "Name"], ["1/15/2025 10:00:00", "Ann"]]
    sheet = sheets_api.add(rows, tab="Form Responses 1", more_tabs=["Prices"])
    sheet.tabs.insert(0, sheet.tabs.pop())  # the maker moved "Prices" first
    assert make(sheet, worksheet="Form Responses 1").check().counts == {"rows": 1}
    assert make(sheet, worksheet=" form responses 1").check().counts == {"rows": 1}
    with pytest.raises(NeedsUser, match='The first row of "Prices"'):
        make(sheet).check()  # the first tab, which is empty


def test_a_missing_worksheet_lists_the_ones_there_are(sheets_api: SheetsApi, make: Make) -> None:
    sheet = sheets_api.add([["Timestamp"]], tab="Risposte del modulo 1", more_tabs=["Prezzi"])
    with pytest.raises(NeedsUser) as caught:
        make(sheet, worksheet="Risposte").check()
    assert str(caught.value) == (
        'The spreadsheet "Ordini (risposte)" has no worksheet named "Risposte"; its worksheets '
        'are: "Risposte del modulo 1", "Prezzi". Set worksheet of "order-form" in banco.toml to '
        "one of them, or remove it to read the first."
    )


def test_an_empty_sheet_needs_its_questions(sheets_api: SheetsApi, make: Make) -> None:
    with pytest.raises(NeedsUser, match="Banco needs the form's questions there"):
        make(sheets_api.add([])).check()


# What Google refuses -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "words"),
    [
        (429, LIMITED),
        (500, "Google Sheets is not answering properly (error 500); Banco will try again"),
        (503, "Google Sheets is not answering properly (error 503); Banco will try again"),
    ],
)
def test_quota_and_server_errors_will_be_retried(
    sheets_api: SheetsApi, make: Make, status: int, words: str
) -> None:
    connector = make(load_sheet(sheets_api, "ordini"))
    sheets_api.fail(status)
    with pytest.raises(TryLater) as caught:
        list(connector.fetch({}))
    assert str(caught.value).startswith(words)
    assert stamps(list(connector.fetch({}))) == ITALIAN_STAMPS  # the next collect works


def test_quota_on_the_second_read(sheets_api: SheetsApi, make: Make) -> None:
    connector = make(load_sheet(sheets_api, "ordini"))
    sheets_api.fail(429, on="/values/")
    with pytest.raises(TryLater, match="limiting requests"):
        list(connector.fetch({}))
    assert len(sheets_api.api_requests()) == 2  # no retry now: Banco waits for the next collect


def test_a_sheet_not_shared_names_the_service_account(sheets_api: SheetsApi, make: Make) -> None:
    sheet = load_sheet(sheets_api, "ordini")
    sheet.readers.clear()
    with pytest.raises(NeedsUser) as caught:
        make(sheet).check()
    assert str(caught.value) == (
        f"The sheet is not shared with Banco's service account {SERVICE_ACCOUNT}. Open the "
        f'sheet in Google Sheets, click "Share", paste {SERVICE_ACCOUNT}, choose "Viewer", '
        'untick "Notify people", click "Share", then run `banco check`.'
    )


def test_the_sheets_api_turned_off(sheets_api: SheetsApi, make: Make) -> None:
    link = (
        "https://console.developers.google.com/apis/api/sheets.googleapis.com/overview?project=42"
    )
    sheets_api.fail(
        403,
        message=f"Google Sheets API has not been used in project 42 before or it is disabled. "
        f"Enable it by visiting {link} then retry.",
        reason="SERVICE_DISABLED",
    )
    with pytest.raises(NeedsUser) as caught:
        make(load_sheet(sheets_api, "ordini")).check()
    assert "The Google Sheets API is turned off" in str(caught.value)
    assert f"Turn it on at {link} (click" in str(caught.value)


def test_no_such_spreadsheet(make: Make) -> None:
    with pytest.raises(NeedsUser) as caught:
        make("1NoSuchSheet").check()
    assert str(caught.value).startswith(
        'Google has no spreadsheet "1NoSuchSheet" (the spreadsheet of "order-form" in banco.toml)'
    )


def test_an_excel_file_in_drive(sheets_api: SheetsApi, make: Make) -> None:
    sheets_api.fail(400, message="This operation is not supported for this document")
    with pytest.raises(NeedsUser, match='"Save as Google Sheets"'):
        make(load_sheet(sheets_api, "ordini")).check()


def test_a_deleted_service_account_key(sheets_api: SheetsApi, make: Make) -> None:
    sheets_api.revoked_keys.add(SERVICE_ACCOUNT)
    with pytest.raises(NeedsUser) as caught:
        make(load_sheet(sheets_api, "ordini")).check()
    assert str(caught.value).startswith(
        'Google refused the service account key in the credentials of "order-form" '
        "(Invalid JWT Signature.)."
    )
    assert sheets_api.api_requests() == []


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("not json at all {", "are not a Google key file (they are not JSON)"),
        ('{"type": "service_account", "client_email": "x@y"}', "an incomplete service account key"),
        ('{"installed": {"client_id": "1.apps"}}', "are an OAuth client, not a service account"),
        ('{"type": "external_account"}', "are not a service account key"),
        ("[1, 2]", "are not a Google key file"),
    ],
)
def test_bad_credentials_name_the_key(
    sheets_api: SheetsApi, make: Make, tmp_path: Path, content: str, words: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(NeedsUser) as caught:
        make(load_sheet(sheets_api, "ordini"), credentials={"file": str(bad)}).check()
    assert 'credentials of "order-form"' in str(caught.value) and words in str(caught.value)
    assert sheets_api.sign_ins() == [] and sheets_api.api_requests() == []


def test_missing_credentials_file(sheets_api: SheetsApi, make: Make, tmp_path: Path) -> None:
    with pytest.raises(NeedsUser, match='Banco cannot read the credentials of "order-form"'):
        make(load_sheet(sheets_api, "ordini"), credentials={"file": "nowhere.json"}).check()


def test_credentials_from_a_variable_holding_the_key_or_its_path(
    sheets_api: SheetsApi, make: Make, key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sheet = load_sheet(sheets_api, "ordini")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
    monkeypatch.setenv("SHEET_KEY_JSON", key_file.read_text(encoding="utf-8"))
    for variable in ("GOOGLE_APPLICATION_CREDENTIALS", "SHEET_KEY_JSON"):
        connector = make(sheet, credentials={"env": variable})
        assert connector.check().counts == {"rows": 4}


def test_no_credentials_and_no_sign_in(sheets_api: SheetsApi, make: Make) -> None:
    with pytest.raises(NeedsUser) as caught:
        make(load_sheet(sheets_api, "ordini"), credentials=None).check()
    assert "run `banco auth order-form` once" in str(caught.value)
    assert 'credentials = {file = "service-account.json"}' in str(caught.value)


def test_google_out_of_reach_will_be_retried(sheets_api: SheetsApi, make: Make) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    with pytest.raises(TryLater, match="Banco could not reach Google"):
        make(load_sheet(sheets_api, "ordini"), api_url=closed).check()


def test_google_too_slow_will_be_retried(sheets_api: SheetsApi, make: Make) -> None:
    connector = make(load_sheet(sheets_api, "ordini"), timeout_seconds=0.5)
    sheets_api.hang()
    with pytest.raises(TryLater, match="Google took too long to answer"):
        connector.check()


# (a timeout_seconds of 0 is refused when banco.toml loads: tests/config/test_config_values.py)
@pytest.mark.parametrize(
    ("setting", "words"),
    [
        ({"api_url": "localhost-sheets"}, 'The api_url of "order-form" in banco.toml is not a web'),
    ],
)
def test_settings_that_cannot_work(
    sheets_api: SheetsApi, make: Make, setting: dict[str, Any], words: str
) -> None:
    with pytest.raises(NeedsUser, match=words):
        make(load_sheet(sheets_api, "ordini"), **setting).check()


# check and headers -----------------------------------------------------------------------------
def test_check_summarises_the_sheet(sheets_api: SheetsApi, make: Make) -> None:
    result = make(load_sheet(sheets_api, "ordini")).check()
    assert result.summary == (
        "Google sheet 'Ordini Ceramiche Bianchi (risposte)' / 'Risposte del modulo 1': 4 answers,"
        " columns mapped: timestamp, name, email, phone, telegram, item, quantity, deadline, "
        "budget, notes, links"
    )
    assert result.counts == {"rows": 4}
    assert result.warnings == []


def test_check_warnings(sheets_api: SheetsApi, make: Make) -> None:
    sheet = sheets_api.add([["Name", "What would you like?"], ["Ann", "Mug"]], time_zone="Mars")
    result = make(sheet).check()
    assert result.summary.endswith(": 1 answer, columns mapped: name, item")
    assert result.warnings == [
        "no column for the customer's email or phone: orders will have no way to reach them",
        "no Timestamp column: Banco tells answers apart by the customer's name and email, and a "
        "customer's second answer by all its answers, so editing one of those in the sheet makes "
        "it a new order",
        "the spreadsheet's time zone (Mars) is not one Banco knows, so Timestamps are read in "
        'the shop\'s (Europe/Rome); set it in the sheet: "File", "Settings", "Time zone"',
    ]


def test_a_mapping_written_by_hand(sheets_api: SheetsApi, make: Make) -> None:
    sheet = load_sheet(sheets_api, "ordini")
    mapping = {"timestamp": "Informazioni cronologiche", "name": "Nome e cognome",
               "deadline": "Entro quando ti serve?", "notes": "Note (2)"}  # fmt: skip
    giulia, _, anna, _ = records(make(sheet, mapping=mapping))
    assert anna.order.deadline == date(2025, 6, 14)
    assert giulia.order.notes == "Consegna a Bologna"
    assert giulia.sender.handles == []  # the email column is not mapped: kept as a field
    assert giulia.order.custom["Indirizzo email"] == "giulia.bianchi@example.it"


def test_a_mapping_that_does_not_fit(sheets_api: SheetsApi, make: Make) -> None:
    sheet = load_sheet(sheets_api, "ordini")
    with pytest.raises(NeedsUser) as caught:
        make(sheet, mapping={"emial": "Indirizzo email", "name": "Nome"}).check()
    message = str(caught.value)
    assert message.startswith("The mapping of order-form in banco.toml does not fit its Google")
    assert 'name = "Nome": the sheet has no such column; did you mean "Nome e cognome"?' in message
    assert message.endswith("Run `banco forms headers order-form` to see the columns.")


def test_headers_are_unique_names(sheets_api: SheetsApi, make: Make) -> None:
    sheet = sheets_api.add([["Timestamp", "Name", "", "Name", "Email"]])
    assert make(sheet).headers() == ["Timestamp", "Name", "Column C", "Name (2)", "Email"]
