"""The ``csv`` connector: form answers downloaded as a CSV file."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from banco.config import Problem
from banco.config.options import check_options
from banco.connectors.base import Connector, Context, Page
from banco.connectors.csvfile import CsvConnector
from banco.connectors.errors import NeedsUser

DATA = Path(__file__).parent.parent / "data" / "forms"
HEADER = "Timestamp,Name,Email,What would you like?\n"


@pytest.fixture
def context(tmp_path: Path) -> Context:
    return Context(home=tmp_path, timezone=ZoneInfo("Europe/Rome"))


def connector(context: Context, path: Path | str, **settings: Any) -> CsvConnector:
    problems: list[Problem] = []
    values = check_options(
        {"path": str(path), **settings}, CsvConnector.options, "", context.home, problems
    )
    assert problems == []
    return CsvConnector("order-form", values, context)


def copy(name: str, context: Context) -> Path:
    return Path(shutil.copy(DATA / name, context.home / name))


def answers(count: int) -> str:
    return HEADER + "".join(
        f"1/{day}/2025 10:00:00,Customer {day},c{day}@example.com,Mug {day}\n"
        for day in range(1, count + 1)
    )


def write(context: Context, text: str, name: str = "form.csv") -> Path:
    path = context.home / name
    path.write_text(text, encoding="utf-8")
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ids(pages: list[Page]) -> list[str]:
    return [record.external_id for page in pages for record in page.records]


def stamps(pages: list[Page]) -> list[str]:
    """Each answer's id up to its Timestamp (then comes who answered: see forms/identity.py)."""
    return [external_id.partition("|")[0] for external_id in ids(pages)]


def test_is_a_connector(context: Context) -> None:
    csv_connector = connector(context, copy("italian.csv", context))
    assert isinstance(csv_connector, Connector)
    assert CsvConnector.kind == "csv"
    assert CsvConnector.options["date_order"].choices == ("auto", "dmy", "mdy", "ymd")


# fetch ----------------------------------------------------------------------------------------
def test_first_fetch_yields_every_answer(context: Context) -> None:
    path = copy("italian.csv", context)
    pages = list(connector(context, path).fetch({}))
    assert len(pages) == 1
    assert pages[0].stream == "rows"
    assert pages[0].cursor == {"sha256": sha256(path), "row": 4}
    assert pages[0].remaining == 0
    assert stamps(pages) == [
        "ts:15/01/2025 10:23:45",
        "ts:16/01/2025 08:05:10",
        "ts:03/02/2025 19:40:00",
    ]


def test_pages_hold_at_most_page_size_records(
    context: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(CsvConnector, "PAGE_SIZE", 2)
    path = write(context, answers(5))
    csv_connector = connector(context, path)
    pages = list(csv_connector.fetch({}))
    assert [len(page.records) for page in pages] == [2, 2, 1]
    assert [page.cursor["row"] for page in pages] == [3, 5, 6]
    assert [page.remaining for page in pages] == [3, 1, 0]
    assert {page.cursor["sha256"] for page in pages} == {sha256(path)}


def test_unchanged_file_yields_nothing(context: Context) -> None:
    csv_connector = connector(context, write(context, answers(3)))
    last = list(csv_connector.fetch({}))[-1]
    assert list(csv_connector.fetch({"rows": last.cursor})) == []


def test_interrupted_fetch_resumes_after_the_saved_row(
    context: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(CsvConnector, "PAGE_SIZE", 2)
    csv_connector = connector(context, write(context, answers(5)))
    first = next(iter(csv_connector.fetch({})))
    resumed = list(csv_connector.fetch({"rows": first.cursor}))
    assert stamps(resumed) == [
        "ts:1/3/2025 10:00:00",
        "ts:1/4/2025 10:00:00",
        "ts:1/5/2025 10:00:00",
    ]
    assert resumed[-1].cursor["row"] == 6


def test_changed_file_yields_every_row_again(context: Context) -> None:
    path = write(context, answers(2))
    csv_connector = connector(context, path)
    old = list(csv_connector.fetch({}))[-1].cursor
    path.write_text(answers(3), encoding="utf-8")
    pages = list(csv_connector.fetch({"rows": old}))
    assert len(ids(pages)) == 3
    assert pages[-1].cursor == {"sha256": sha256(path), "row": 4}


def test_edited_row_comes_back_under_the_same_id(context: Context) -> None:
    path = write(context, answers(2))
    csv_connector = connector(context, path)
    before = list(csv_connector.fetch({}))[-1]
    path.write_text(answers(2).replace("Mug 2", "Two mugs"), encoding="utf-8")
    after = list(csv_connector.fetch({"rows": before.cursor}))[-1]
    assert [r.external_id for r in after.records] == [r.external_id for r in before.records]
    assert after.records[1].subject == "Order form: Two mugs"


def test_deleted_row_keeps_the_others_identical(context: Context) -> None:
    path = write(context, answers(3))
    csv_connector = connector(context, path)
    before = list(csv_connector.fetch({}))[-1].records
    lines = answers(3).splitlines(keepends=True)
    path.write_text(lines[0] + "".join(lines[2:]), encoding="utf-8")
    after = list(csv_connector.fetch({}))[-1].records
    assert after == before[1:]


def test_file_of_blank_rows_still_moves_the_cursor(context: Context) -> None:
    path = write(context, HEADER + ",,,\n,,,\n")
    [page] = connector(context, path).fetch({})
    assert page.records == []
    assert page.cursor == {"sha256": sha256(path), "row": 3}


def test_semicolons_and_bom(context: Context) -> None:
    csv_connector = connector(context, copy("french.csv", context))
    assert csv_connector.headers()[:2] == ["Horodateur", "Prénom"]
    first = list(csv_connector.fetch({}))[0].records[0]
    assert first.sender is not None and first.sender.name == "Camille Martin"
    assert first.order is not None and first.order.notes == "Livraison à Lyon; merci !"


def test_quoted_multiline_cells_and_crlf(context: Context) -> None:
    text = HEADER + '1/15/2025 10:00:00,Ann,ann@example.com,"Two mugs:\r\none red, one blue"\r\n'
    path = context.home / "form.csv"
    path.write_bytes(text.replace("\n", "\r\n").replace("\r\r\n", "\r\n").encode())
    [page] = connector(context, path).fetch({})
    assert page.records[0].order is not None
    assert page.records[0].order.details == "Two mugs:\none red, one blue"


def test_cp1252_file_is_read_and_reported(context: Context) -> None:
    path = context.home / "excel.csv"
    path.write_bytes((DATA / "french.csv").read_text(encoding="utf-8-sig").encode("cp1252"))
    csv_connector = connector(context, path)
    result = csv_connector.check()
    assert any("cp1252" in warning for warning in result.warnings)
    record = list(csv_connector.fetch({}))[0].records[1]
    assert record.sender is not None and record.sender.name == "Léa Dubois"


def test_configured_mapping_is_used(context: Context) -> None:
    path = copy("messy.csv", context)
    csv_connector = connector(context, path, mapping={"name": "Name (2)", "notes": "Column D"})
    first = list(csv_connector.fetch({}))[0].records[0]
    assert first.sender is not None and first.sender.name == "Ann Smith"
    assert first.sender.handles == []
    assert first.order is not None and first.order.notes == "walk-in"


def test_configured_date_order(context: Context) -> None:
    path = write(context, "Timestamp,Item\n01/02/2025 10:00:00,Mug\n")
    [mdy] = connector(context, path, date_order="mdy").fetch({})
    [dmy] = connector(context, path).fetch({})
    assert mdy.records[0].sent_at is not None and mdy.records[0].sent_at.month == 1
    assert dmy.records[0].sent_at is not None and dmy.records[0].sent_at.month == 2


def test_relative_path_is_read_from_the_shop_folder(context: Context) -> None:
    copy("english.csv", context)
    csv_connector = CsvConnector("order-form", {"path": "english.csv"}, context)
    assert csv_connector.path == context.home / "english.csv"
    assert len(ids(list(csv_connector.fetch({})))) == 2


def test_headers_are_unique_names(context: Context) -> None:
    csv_connector = connector(context, copy("messy.csv", context))
    assert csv_connector.headers() == [
        "Timestamp",
        "Name",
        "Email",
        "Column D",
        "Name (2)",
        "What would you like?",
        "Colour",
        "Favourite colours",
    ]


# check ----------------------------------------------------------------------------------------
def test_check_summarises_the_file(context: Context) -> None:
    path = copy("italian.csv", context)
    result = connector(context, path).check()
    assert result.summary == (
        f"CSV {path}: 3 answers, columns mapped: timestamp, name, email, phone, item, "
        "quantity, deadline, budget, notes, links"
    )
    assert result.counts == {"rows": 3}
    assert result.warnings == []


def test_check_warns_when_customers_cannot_be_reached(context: Context) -> None:
    path = write(context, "Timestamp,Name,What would you like?\n1/15/2025 10:00:00,Ann,Mug\n")
    result = connector(context, path).check()
    assert result.summary == f"CSV {path}: 1 answer, columns mapped: timestamp, name, item"
    assert result.warnings == [
        "no column for the customer's email or phone: orders will have no way to reach them"
    ]


def test_check_warns_without_a_timestamp(context: Context) -> None:
    path = write(context, "Name,Email\nAnn,ann@example.com\n")
    [warning] = connector(context, path).check().warnings
    assert "no Timestamp column" in warning


def test_check_missing_file(context: Context) -> None:
    with pytest.raises(NeedsUser) as caught:
        connector(context, context.home / "nowhere.csv").check()
    message = str(caught.value)
    assert message.startswith(f"There is no file at {context.home / 'nowhere.csv'}.")
    assert '"Download responses (.csv)"' in message
    assert 'change the path of "order-form" in banco.toml' in message


def test_check_folder_instead_of_file(context: Context) -> None:
    with pytest.raises(NeedsUser, match="is a folder"):
        connector(context, context.home).check()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "has no header row"),
        (b"\n\n", "has no header row"),
        (b" , ,\nx,y\n", "has no header row"),
        (b"PK\x03\x04\x00\x00binary", "is not a CSV file"),
        (b"<!DOCTYPE html><html></html>", "is not a CSV file"),
        (b"\x81\x8d\x8f\x90\x9d", "is not a text CSV file"),
    ],
)
def test_check_unusable_file(context: Context, content: bytes, words: str) -> None:
    path = context.home / "form.csv"
    path.write_bytes(content)
    with pytest.raises(NeedsUser, match=words):
        connector(context, path).check()


def test_check_unknown_encoding(context: Context) -> None:
    with pytest.raises(NeedsUser, match='encoding "klingon"'):
        connector(context, write(context, answers(1)), encoding="klingon").check()


def test_check_bad_mapping_lists_every_problem(context: Context) -> None:
    path = copy("italian.csv", context)
    csv_connector = connector(context, path, mapping={"emial": "Indirizzo email", "name": "Nome"})
    with pytest.raises(NeedsUser) as caught:
        csv_connector.check()
    message = str(caught.value)
    assert message.startswith(f"The mapping of order-form in banco.toml does not fit {path}: ")
    assert '"emial" is not one of Banco\'s fields; did you mean "email"?' in message
    assert 'name = "Nome": the sheet has no such column; did you mean "Nome e cognome"?' in message
    assert message.endswith("Run `banco forms headers order-form` to see the columns.")
    with pytest.raises(NeedsUser):
        list(csv_connector.fetch({}))
