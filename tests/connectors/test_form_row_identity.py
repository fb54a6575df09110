"""A form answer stays the same order whatever happens to the other rows: rows deleted, duplicated or
sharing a Timestamp, answers edited, in each language Google Forms writes the sheet in, read from
the local Sheets server and as the CSV Google Forms downloads; also in a shop whose answers an
earlier Banco stored under the ids it gave rows then."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fixtures_sheets import SheetsApi, Spreadsheet, gsheet_account

from banco.connectors.forms import numbered_records
from banco.inbox.collect.ingest import Counts
from banco.inbox.collect.sync import collect
from banco.inbox.shop import Shop

#: The Timestamp header Google Forms writes in each language, with a form's first questions.
LANGUAGES = {
    "en": ["Timestamp", "Name", "Email address", "What would you like?", "Quantity"],
    "it": ["Informazioni cronologiche", "Nome e cognome", "Indirizzo email", "Cosa desideri?",
           "Quantità"],
    "fr": ["Horodateur", "Nom complet", "Adresse e-mail", "Article", "Quantité"],
    "es": ["Marca temporal", "Nombre", "Dirección de correo electrónico", "Producto", "Cantidad"],
    "de": ["Zeitstempel", "Name", "E-Mail-Adresse", "Artikel", "Anzahl"],
    "pt": ["Carimbo de data/hora", "Nome", "Endereço de e-mail", "Produto", "Quantidade"],
    "nl": ["Tijdstempel", "Naam", "E-mailadres", "Product", "Aantal"],
}  # fmt: skip
FIRST, SECOND, THIRD = "15/01/2025 10:23:45", "16/01/2025 08:05:10", "03/02/2025 19:40:00"
SPAM = [FIRST, "Spam Bot", "spam@example.net", "cheap pills", "1"]
ANNA = [FIRST, "Anna Rossi", "anna@example.it", "Mug", "2"]  # the same second as the spam
BRUNO = [SECOND, "Bruno Bianchi", "bruno@example.it", "Plate", "1"]
CARLA = [THIRD, "Carla Verdi", "carla@example.it", "Vase", "3"]
KINDS = ["gsheet", "csv"]
#: how Banco up to this version knew SPAM, ANNA, BRUNO and CARLA's rows: by their Timestamp
EARLIER_IDS = [f"ts:{FIRST}", f"ts:{FIRST}#2", f"ts:{SECOND}", f"ts:{THIRD}"]
ROME = ZoneInfo("Europe/Rome")


@dataclass
class Form:
    """A response sheet on the local Sheets server, and a shop collecting it."""

    sheet: Spreadsheet
    shop: Shop
    csv: Path | None  # the download a csv account reads, written again before each collect

    def collect(self) -> Counts:
        if self.csv is not None:
            self.sheet.as_csv(self.csv)
        [result] = collect(self.shop)
        assert result.ok, result.error
        return result.counts

    def answers(self) -> dict[str, str]:
        """Each order's form answer as the maker reads it: ref -> text."""
        rows = self.shop.store.all(
            "select o.ref, m.text from orders o join messages m on m.order_id = o.id order by o.id"
        )
        return {row["ref"]: row["text"] for row in rows}

    def ids(self) -> dict[str, str]:
        """Each order's stored answer id: ref -> external_id."""
        rows = self.shop.store.all(
            "select o.ref, m.external_id from orders o join messages m on m.order_id = o.id"
        )
        return {row["ref"]: row["external_id"] for row in rows}

    def store_ids(self, ids: list[str]) -> None:
        """Give the orders' stored answers, in order, the ids an earlier Banco gave them."""
        refs = list(self.answers())
        for ref, external_id in zip(refs, ids, strict=True):
            self.shop.store.conn.execute(
                "update messages set external_id = ? where order_id ="
                " (select id from orders where ref = ?)",
                [external_id, ref],
            )
        self.shop.store.conn.commit()


OpenForm = Callable[..., Form]


@pytest.fixture
def open_form(
    sheets_api: SheetsApi,
    write_shop: Callable[[str], Path],
    open_shop: Callable[[Path], Shop],
    tmp_path: Path,
) -> OpenForm:
    """``open_form(kind, rows, extra="")``: the rows on the server, a shop reading them by a
    ``kind`` account ("gsheet", or "csv" for the sheet downloaded), ``extra`` in its block."""

    def open_(kind: str, rows: list[list[str]], extra: str = "") -> Form:
        sheet = sheets_api.add(rows)
        path: Path | None = None
        if kind == "gsheet":
            key_file = sheets_api.service_account_file(tmp_path / "service-account.json")
            account = gsheet_account(sheets_api, sheet, key_file, extra)
        else:
            path = sheet.as_csv(tmp_path / "answers.csv")
            account = f'\n[[accounts]]\nname = "form"\nkind = "csv"\npath = "{path}"\n{extra}'
        return Form(sheet, open_shop(write_shop(account)), path)

    return open_


def who_is(answers: dict[str, str]) -> dict[str, str]:
    """ref -> the customer whose answer the order holds."""
    names = ("Spam Bot", "Anna Rossi", "Bruno Bianchi", "Carla Verdi")
    return {ref: next(name for name in names if name in text) for ref, text in answers.items()}


# Rows deleted, duplicated, sharing a Timestamp, edited ------------------------------------------
@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("kind", KINDS)
def test_deleting_and_duplicating_rows_moves_no_answer_to_another_order(
    open_form: OpenForm, kind: str, language: str
) -> None:
    headers = LANGUAGES[language]
    form = open_form(kind, [headers, SPAM, ANNA, BRUNO, BRUNO, CARLA])
    counts = form.collect()
    assert (counts.new, counts.orders) == (5, 5)  # Bruno sent the form twice: two answers
    before = form.answers()
    assert list(who_is(before).values()) == [
        "Spam Bot", "Anna Rossi", "Bruno Bianchi", "Bruno Bianchi", "Carla Verdi",
    ]  # fmt: skip

    form.sheet.delete(2)  # the spam, in the same second as Anna's answer just below it
    counts = form.collect()
    assert (counts.new, counts.updated) == (0, 0)
    assert form.answers() == before

    form.sheet.delete(3)  # the first of Bruno's two identical answers
    counts = form.collect()
    assert (counts.new, counts.updated) == (0, 0)
    assert form.answers() == before

    form.sheet.append(list(ANNA))  # Anna's row copied below the others
    counts = form.collect()
    assert (counts.new, counts.updated, counts.orders) == (1, 0, 1)
    after = form.answers()
    assert {ref: after[ref] for ref in before} == before
    [copy] = set(after) - set(before)
    assert who_is(after)[copy] == "Anna Rossi"

    form.sheet.edit(4, 4, "5")  # Carla now wants five vases: rows 2-5 are Anna, Bruno, Carla, Anna
    counts = form.collect()
    assert (counts.new, counts.updated) == (0, 1)
    edited = form.answers()
    [carla] = [ref for ref, name in who_is(before).items() if name == "Carla Verdi"]
    assert f"{headers[4]}: 5" in edited[carla]
    assert {ref: text for ref, text in edited.items() if ref != carla} == {
        ref: text for ref, text in after.items() if ref != carla
    }


@pytest.mark.parametrize("kind", KINDS)
def test_a_row_without_timestamp_is_known_by_its_answers_not_its_place(
    open_form: OpenForm, kind: str
) -> None:
    form = open_form(kind, [["Name", "Email", "What would you like?"],
                            ["Spam Bot", "spam@example.net", "cheap pills"],
                            ["Anna Rossi", "anna@example.it", "Mug"],
                            ["Anna Rossi", "anna@example.it", "Plate"],
                            ["Bruno Bianchi", "bruno@example.it", "Vase"]])  # fmt: skip
    assert form.collect().new == 4
    before = form.answers()
    form.sheet.delete(2)  # every row moves up
    counts = form.collect()
    assert (counts.new, counts.updated) == (0, 0)
    form.sheet.delete(2)  # Anna's first order: her second must not take its place
    counts = form.collect()
    assert (counts.new, counts.updated) == (0, 0)
    assert form.answers() == before
    form.sheet.edit(3, 2, "Two vases")  # Bruno, alone with his name: an edit of his order
    counts = form.collect()
    assert (counts.new, counts.updated) == (0, 1)
    assert sum(text != before[ref] for ref, text in form.answers().items()) == 1


# Answers stored by an earlier Banco -------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_answers_stored_under_earlier_timestamp_ids_keep_their_orders(
    open_form: OpenForm, kind: str
) -> None:
    form = open_form(kind, [LANGUAGES["it"], SPAM, ANNA, BRUNO, CARLA])
    form.collect()
    before = form.answers()
    new_ids = form.ids()
    form.store_ids(EARLIER_IDS)
    form.sheet.delete(2)  # the spam: by those ids, Anna's answer would have replaced it
    counts = form.collect()
    assert (counts.new, counts.updated, counts.orders) == (0, 0, 0)
    assert form.answers() == before
    [spam] = [ref for ref, name in who_is(before).items() if name == "Spam Bot"]
    assert {ref: i for ref, i in form.ids().items() if ref != spam} == {
        ref: i for ref, i in new_ids.items() if ref != spam
    }  # the answers still in the sheet now have this version's ids
    form.sheet.edit(2, 4, "4")  # Anna's quantity: an edit of her order, as always
    counts = form.collect()
    assert (counts.new, counts.updated) == (0, 1)


@pytest.mark.parametrize("kind", KINDS)
def test_answers_stored_under_row_numbers_keep_their_orders(
    open_form: OpenForm,
    write_shop: Callable[[str], Path],
    open_shop: Callable[[Path], Shop],
    kind: str,
) -> None:
    # An earlier Banco did not know "Zeitstempel": it knew each row by its row number.
    unknown_timestamp = 'mapping = { name = "Name", email = "E-Mail-Adresse" }\n'
    form = open_form(kind, [LANGUAGES["de"], SPAM, ANNA, BRUNO, CARLA], unknown_timestamp)
    form.collect()
    before = form.answers()
    form.store_ids([f"row:{row}" for row in range(2, 6)])
    home = form.shop.home
    toml = (home / "banco.toml").read_text(encoding="utf-8")
    (home / "banco.toml").write_text(toml.replace(unknown_timestamp, ""), encoding="utf-8")
    form.shop = open_shop(home)
    form.sheet.delete(2)  # the spam: by row numbers, every answer would have moved up an order
    counts = form.collect()
    assert (counts.new, counts.orders) == (0, 0)
    assert form.answers() == before
    assert all(
        not i.startswith("row:") for ref, i in form.ids().items() if "Spam" not in before[ref]
    )


@pytest.mark.parametrize("kind", KINDS)
def test_an_answer_changed_in_between_is_never_matched_by_guess(
    open_form: OpenForm, kind: str
) -> None:
    form = open_form(kind, [LANGUAGES["it"], SPAM, ANNA, BRUNO])
    form.collect()
    before = form.answers()
    form.store_ids(EARLIER_IDS[:3])
    form.sheet.delete(2)
    form.sheet.edit(2, 4, "4")  # Anna's answer changed too before Banco saw the sheet again
    counts = form.collect()
    # Her row cannot be told from the spam's by Banco's earlier ids: a new order, the others kept.
    assert (counts.new, counts.updated, counts.orders) == (1, 0, 1)
    after = form.answers()
    assert {ref: after[ref] for ref in before} == before
    [new] = set(after) - set(before)
    assert who_is(after)[new] == "Anna Rossi" and "Quantità: 4" in after[new]


# The ids themselves --------------------------------------------------------------------------------
def ids_of(headers: list[str], rows: list[list[str]], mapping: dict[str, str]) -> list[str]:
    numbered = numbered_records(
        headers, rows, mapping, timezone=ROME, date_order="dmy", stream="rows"
    )
    return [record.external_id for _, record in numbered]


HEADERS = ["Timestamp", "Name", "Email", "Item", "Quantity"]
MAPPING = {"timestamp": "Timestamp", "name": "Name", "email": "Email", "item": "Item"}
WHO = r"[0-9a-f]{12}"


def test_an_id_is_the_timestamp_and_who_answered() -> None:
    rows = [ANNA, [FIRST, "ANNA ROSSÌ", "Anna@Example.it", "Two mugs", "4"], [FIRST, "Bruno"]]
    anna, anna_edited, bruno = (ids_of(HEADERS, [row], MAPPING)[0] for row in rows)
    assert re.fullmatch(rf"ts:{re.escape(FIRST)}\|{WHO}", anna)
    assert anna_edited == anna  # case, accents and later answers are not who answered
    assert bruno != anna


def test_rows_of_one_customer_in_one_second_add_all_their_answers() -> None:
    rows = [ANNA, [*ANNA[:3], "Plate", "1"], ANNA, CARLA]
    first, plate, same, carla = ids_of(HEADERS, rows, MAPPING)
    base = rf"ts:{re.escape(FIRST)}\|{WHO}"
    assert re.fullmatch(rf"{base}~{WHO}", first) and re.fullmatch(rf"{base}~{WHO}", plate)
    assert plate != first and same == f"{first}#2"  # numbered only among identical answers
    assert "~" not in carla


def test_without_timestamp_or_name_the_first_answers_say_who() -> None:
    headers = ["Item", "Colour", "Notes"]
    ids = ids_of(headers, [["Mug", "blue", "a"], ["Mug", "red", "b"], ["Mug", "blue", "c"]], {})
    assert all(re.fullmatch(rf"who:{WHO}(~{WHO})?", i) for i in ids)
    assert ids[0].split("~")[0] == ids[2].split("~")[0] != ids[1]
    assert ids_of(headers, [["Mug", "red", "edited"]], {}) == [ids[1]]
