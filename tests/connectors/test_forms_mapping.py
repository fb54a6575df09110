"""Google Forms answers: guessing the column mapping, and rows as records."""

from __future__ import annotations

import csv
import json
import tomllib
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from banco.connectors.base import Handle, Record
from banco.connectors.forms import (
    FIELDS,
    check_mapping,
    guess_mapping,
    mapping_as_toml,
    numbered_records,
    parse_date,
    parse_timestamp,
    resolve_date_order,
    unique_headers,
)
from banco.connectors.forms.rows import column_letter

DATA = Path(__file__).parent.parent / "data" / "forms"
ROME = ZoneInfo("Europe/Rome")


def read_csv(name: str) -> tuple[list[str], list[list[str]]]:
    with (DATA / name).open(encoding="utf-8-sig", newline="") as f:
        table = list(csv.reader(f, delimiter=";" if name == "french.csv" else ","))
    return table[0], table[1:]


def records_of(headers: list[str], rows: list[list[str]], date_order: str = "auto") -> list[Record]:
    return rows_to_records(headers, rows, guess_mapping(headers), date_order=date_order)


def rows_to_records(
    headers: list[str],
    rows: list[list[str]],
    mapping: dict[str, str],
    date_order: str = "auto",
    start_row: int = 2,
) -> list[Record]:
    """The records of ``rows``, without their row numbers."""
    numbered = numbered_records(
        headers,
        rows,
        mapping,
        timezone=ROME,
        date_order=date_order,
        stream="rows",
        start_row=start_row,
    )
    return [record for _, record in numbered]


def records_from(name: str) -> list[Record]:
    return records_of(*read_csv(name))


# guess_mapping --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Timestamp", "timestamp"),
        ("Informazioni cronologiche", "timestamp"),
        ("Horodateur", "timestamp"),
        ("Marca temporal", "timestamp"),
        ("Zeitstempel", "timestamp"),
        ("Carimbo de data/hora", "timestamp"),
        ("Tijdstempel", "timestamp"),
        ("Sygnatura czasowa", "timestamp"),
        ("Отметка времени", "timestamp"),
        ("Data/ora", "timestamp"),
        ("Name", "name"),
        ("Full name", "name"),
        ("Your name", "name"),
        ("Nome", "name"),
        ("Nome e cognome", "name"),
        ("NOME E COGNOME:", "name"),
        ("Nom", "name"),
        ("Nom et prénom", "name"),
        ("Prénom", "first_name"),
        ("First name", "first_name"),
        ("Cognome", "last_name"),
        ("Last name", "last_name"),
        ("Nom de famille", "last_name"),
        ("Email", "email"),
        ("E-mail", "email"),
        ("Email address", "email"),
        ("Indirizzo email", "email"),
        ("Adresse e-mail", "email"),
        ("Courriel", "email"),
        ("Phone", "phone"),
        ("Telefono", "phone"),
        ("Cellulare", "phone"),
        ("Téléphone", "phone"),
        ("Numéro de téléphone", "phone"),
        ("WhatsApp", "phone"),
        ("Telegram", "telegram"),
        ("Telegram username", "telegram"),
        ("Utente Telegram", "telegram"),
        ("Nom d'utilisateur Telegram", "telegram"),
        ("Telegram name", "telegram"),
        ("What would you like?", "item"),
        ("Cosa desideri ordinare?", "item"),
        ("Prodotto", "item"),
        ("Articolo", "item"),
        ("Que souhaitez-vous commander ?", "item"),
        ("Il tuo ordine", "item"),
        ("Quantity", "quantity"),
        ("Quantità", "quantity"),
        ("Quanti pezzi?", "quantity"),
        ("Quantité", "quantity"),
        ("How many?", "quantity"),
        ("Deadline", "deadline"),
        ("When do you need it?", "deadline"),
        ("Data di consegna", "deadline"),
        ("Entro quando?", "deadline"),
        ("Date de livraison", "deadline"),
        ("Pour quand ?", "deadline"),
        ("Budget", "budget"),
        ("Budget (€)", "budget"),
        ("Prezzo massimo", "budget"),
        ("Notes", "notes"),
        ("Note", "notes"),
        ("Altro", "notes"),
        ("Remarques", "notes"),
        ("Commentaires", "notes"),
        ("Anything else?", "notes"),
        ("Order notes", "notes"),
        ("Reference photos", "links"),
        ("Link", "links"),
        ("Foto di riferimento", "links"),
        ("Photos de référence", "links"),
    ],
)
def test_guess_mapping_reads_each_wording(header: str, field: str) -> None:
    assert guess_mapping(["Colori preferiti", header]) == {field: header}


@pytest.mark.parametrize(
    "header",
    ["Colori preferiti", "Indirizzo di spedizione", "Adresse de livraison", "Shipping address", ""],
)
def test_guess_mapping_leaves_other_questions_as_custom(header: str) -> None:
    assert guess_mapping([header]) == {}


def test_guess_mapping_italian_form() -> None:
    headers, _ = read_csv("italian.csv")
    assert guess_mapping(headers) == {
        "timestamp": "Informazioni cronologiche",
        "name": "Nome e cognome",
        "email": "Indirizzo email",
        "phone": "Telefono",
        "item": "Cosa desideri ordinare?",
        "quantity": "Quantità",
        "deadline": "Data di consegna",
        "budget": "Budget (€)",
        "notes": "Note",
        "links": "Foto di riferimento",
    }


def test_bare_name_next_to_a_surname_is_the_first_name() -> None:
    assert guess_mapping(["Nome", "Cognome"]) == {"first_name": "Nome", "last_name": "Cognome"}
    assert guess_mapping(["Name", "Last name"]) == {"first_name": "Name", "last_name": "Last name"}


def test_bare_nom_next_to_a_prenom_is_the_last_name() -> None:
    headers, _ = read_csv("french.csv")
    mapping = guess_mapping(headers)
    assert (mapping["first_name"], mapping["last_name"]) == ("Prénom", "Nom")
    assert "name" not in mapping


def test_full_name_stays_name_beside_first_and_last() -> None:
    assert guess_mapping(["Full name", "First name", "Last name"]) == {
        "name": "Full name",
        "first_name": "First name",
        "last_name": "Last name",
    }


def test_duplicate_headers_first_column_wins() -> None:
    headers, _ = read_csv("messy.csv")
    mapping = guess_mapping(headers)
    assert mapping["name"] == "Name"
    assert "Name (2)" not in mapping.values()
    assert "Column D" not in mapping.values()


def test_a_column_is_never_given_two_fields() -> None:
    headers = ["Nome utente Telegram", "Email / telefono", "Quando e quanti"]
    mapping = guess_mapping(headers)
    assert len(set(mapping.values())) == len(mapping)
    assert mapping["telegram"] == "Nome utente Telegram"
    assert "name" not in mapping


def test_timestamp_question_is_not_taken_for_notes() -> None:
    mapping = guess_mapping(["Informazioni cronologiche", "Informazioni aggiuntive"])
    assert mapping == {
        "timestamp": "Informazioni cronologiche",
        "notes": "Informazioni aggiuntive",
    }


def test_mapped_fields_come_in_field_order() -> None:
    mapping = guess_mapping(["Note", "Email", "Timestamp"])
    assert list(mapping) == ["timestamp", "email", "notes"]
    assert set(mapping) <= set(FIELDS)


# check_mapping --------------------------------------------------------------------------------
def test_check_mapping_accepts_a_fitting_mapping() -> None:
    headers, _ = read_csv("messy.csv")
    assert check_mapping({"name": "Name (2)", "notes": "Column D"}, headers) == []


def test_check_mapping_suggests_the_closest_field() -> None:
    problems = check_mapping({"emial": "Email"}, ["Email"])
    assert problems == [
        '"emial" is not one of Banco\'s fields; did you mean "email"? (fields: '
        + ", ".join(FIELDS)
        + ")"
    ]


def test_check_mapping_suggests_the_closest_header() -> None:
    headers, _ = read_csv("italian.csv")
    problems = check_mapping({"email": "indirizzo e-mail", "notes": "Domande"}, headers)
    assert problems == [
        'email = "indirizzo e-mail": the sheet has no such column; did you mean "Indirizzo email"?',
        'notes = "Domande": the sheet has no such column',
    ]


def test_check_mapping_wants_text() -> None:
    assert check_mapping({"quantity": 7}, ["Quantity"]) == [
        "quantity should be a column name in quotes, not 7"
    ]


# mapping_as_toml ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["italian.csv", "english.csv", "french.csv", "messy.csv"])
def test_mapping_as_toml_parses_back(name: str) -> None:
    headers, _ = read_csv(name)
    mapping = guess_mapping(headers)
    assert tomllib.loads(mapping_as_toml(headers, mapping))["mapping"] == mapping


def test_mapping_as_toml_lists_custom_columns_as_comments() -> None:
    headers, _ = read_csv("messy.csv")
    text = mapping_as_toml(headers, guess_mapping(headers))
    assert text.splitlines() == [
        'mapping = { timestamp = "Timestamp", name = "Name", email = "Email", '
        'item = "What would you like?" }',
        "# Kept as custom fields of each order:",
        '#   "Column D"',
        '#   "Name (2)"',
        '#   "Colour"',
        '#   "Favourite colours"',
    ]


def test_mapping_as_toml_escapes_awkward_headers() -> None:
    headers = ['Your "nickname" \\ alias', "Notes\tetc\x7f"]
    mapping = {"name": headers[0], "notes": headers[1]}
    assert tomllib.loads(mapping_as_toml(headers, mapping))["mapping"] == mapping


def test_mapping_as_toml_with_nothing_mapped() -> None:
    text = mapping_as_toml(["Colori"], {})
    assert tomllib.loads(text) == {"mapping": {}}
    assert '#   "Colori"' in text


# unique_headers -------------------------------------------------------------------------------
def test_unique_headers_names_blank_and_repeated_columns() -> None:
    assert unique_headers(["Name", " ", "Name", "Email", "Name", ""]) == [
        "Name",
        "Column B",
        "Name (2)",
        "Email",
        "Name (3)",
        "Column F",
    ]


def test_unique_headers_is_stable() -> None:
    once = unique_headers(["Name", "Name", "Name (2)", ""])
    assert len(set(once)) == 4
    assert unique_headers(once) == once


@pytest.mark.parametrize(("index", "letter"), [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ")])
def test_column_letter(index: int, letter: str) -> None:
    assert column_letter(index) == letter


# Dates ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("15/01/2025 10:23:45", "dmy", datetime(2025, 1, 15, 9, 23, 45, tzinfo=UTC)),
        ("15/01/2025 10.23.45", "dmy", datetime(2025, 1, 15, 9, 23, 45, tzinfo=UTC)),
        ("1/15/2025 10:23:45", "mdy", datetime(2025, 1, 15, 9, 23, 45, tzinfo=UTC)),
        ("1/15/2025 1:05:00 PM", "mdy", datetime(2025, 1, 15, 12, 5, tzinfo=UTC)),
        ("1/15/2025 12:05:00 AM", "mdy", datetime(2025, 1, 14, 23, 5, tzinfo=UTC)),
        ("2025/01/15 10:23:45 AM GMT+1", "dmy", datetime(2025, 1, 15, 9, 23, 45, tzinfo=UTC)),
        ("2025/07/15 10:23:45 PM GMT+02:00", "mdy", datetime(2025, 7, 15, 20, 23, 45, tzinfo=UTC)),
        ("2025-01-15 10:23:45", "mdy", datetime(2025, 1, 15, 9, 23, 45, tzinfo=UTC)),
        ("2025-07-15 10:23", "ymd", datetime(2025, 7, 15, 8, 23, tzinfo=UTC)),
        ("15/01/2025", "dmy", datetime(2025, 1, 14, 23, 0, tzinfo=UTC)),
    ],
)
def test_parse_timestamp_in_the_shop_zone(text: str, order: str, expected: datetime) -> None:
    assert parse_timestamp(text, order, ROME) == expected


@pytest.mark.parametrize(
    "text", ["", "yesterday", "31/02/2025 10:00:00", "1/15/2025 25:00:00", "1/15/2025 13:00 PM"]
)
def test_parse_timestamp_gives_none_for_nonsense(text: str) -> None:
    assert parse_timestamp(text, "mdy", ROME) is None


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("20/12/2025", "dmy", date(2025, 12, 20)),
        ("12/20/2025", "mdy", date(2025, 12, 20)),
        ("2025-12-20", "mdy", date(2025, 12, 20)),
        ("20.12.25", "dmy", date(2025, 12, 20)),
        ("20 dicembre 2025", "mdy", date(2025, 12, 20)),
        ("1er décembre 2025", "dmy", date(2025, 12, 1)),
        ("December 20, 2025", "dmy", date(2025, 12, 20)),
        ("20th Dec 2025", "dmy", date(2025, 12, 20)),
    ],
)
def test_parse_date(text: str, order: str, expected: date) -> None:
    assert parse_date(text, order) == expected


@pytest.mark.parametrize(
    "text", ["before Christmas", "prima di Natale", "31/02/2025", "20 dicembre"]
)
def test_parse_date_gives_none_for_words_and_impossible_dates(text: str) -> None:
    assert parse_date(text, "dmy") is None


@pytest.mark.parametrize(
    ("timestamps", "deadlines", "expected"),
    [
        (["15/01/2025 10:00:00"], [], "dmy"),
        (["1/15/2025 10:00:00"], [], "mdy"),
        (["1/2/2025 10:00:00"], ["20/12/2025"], "dmy"),
        (["1/2/2025 10:00:00"], ["12/20/2025"], "mdy"),
        (["1/2/2025 10:00:00"], ["before Christmas"], "dmy"),
        (["1/2/2025 10:00:00 AM"], [], "mdy"),
        (["2025/01/02 10:00:00 AM GMT+1"], ["03/04/2025"], "mdy"),
        (["2025/01/20 10:00:00"], ["03/04/2025"], "dmy"),
        ([], [], "dmy"),
    ],
)
def test_auto_date_order_is_decided_per_sheet(
    timestamps: list[str], deadlines: list[str], expected: str
) -> None:
    assert resolve_date_order("auto", timestamps, deadlines) == expected


def test_explicit_date_order_wins() -> None:
    assert resolve_date_order("mdy", ["15/01/2025 10:00:00"], []) == "mdy"


# numbered_records -----------------------------------------------------------------------------
def test_italian_row_becomes_a_form_record() -> None:
    record = records_from("italian.csv")[0]
    assert record.external_id.startswith("ts:15/01/2025 10:23:45|")
    assert (record.channel, record.direction, record.raw_type) == ("form", "in", "form-row")
    assert record.sent_at == datetime(2025, 1, 15, 9, 23, 45, tzinfo=UTC)
    assert record.subject == "Order form: Tazze personalizzate con iniziali"
    assert record.sender is not None
    assert record.sender.name == "Giulia Bianchi"
    assert record.sender.handles == [
        Handle("email", "giulia.bianchi@example.it"),
        Handle("phone", "0512345678"),
    ]
    assert record.order is not None
    assert record.order.title == "Tazze personalizzate con iniziali"
    assert record.order.quantity == 6
    assert record.order.deadline == date(2025, 12, 20)
    assert record.order.budget == "80"
    assert record.order.notes.startswith("Regalo per il matrimonio")
    assert record.order.details == (
        "Tazze personalizzate con iniziali\n\n"
        "Regalo per il matrimonio di mia sorella.\nLe iniziali sono G & M."
    )
    assert record.order.links == ["https://drive.google.com/open?id=1AbCdEfGh"]
    assert record.order.custom == {"Colori preferiti": "blu, bianco"}


def test_phone_keeps_its_leading_zero() -> None:
    record = records_from("italian.csv")[0]
    assert ["Telefono", "0512345678"] in json.loads(record.raw)
    assert "Telefono: 0512345678" in record.text.splitlines()
    assert record.sender is not None
    assert [h.value for h in record.sender.handles if h.kind == "phone"] == ["0512345678"]


def test_raw_is_the_row_as_header_value_pairs() -> None:
    headers, rows = read_csv("italian.csv")
    record = records_of(headers, rows)[0]
    assert json.loads(record.raw.decode("utf-8")) == [
        list(p) for p in zip(headers, rows[0], strict=True)
    ]
    assert record.size == len(record.raw)


def test_text_lists_every_answer_and_skips_empty_ones() -> None:
    record = records_from("italian.csv")[1]
    assert record.text == (
        "Informazioni cronologiche: 16/01/2025 08:05:10\n"
        "Nome e cognome: Marco Rossi\n"
        "Indirizzo email: marco.rossi@example.com\n"
        "Telefono: 0039 333 1234567\n"
        "Cosa desideri ordinare?: Piatto in ceramica\n"
        "Quantità: 2 pezzi\n"
        "Data di consegna: prima di Natale\n"
        "Budget (€): 50-70 €\n"
        "Colori preferiti: verde"
    )


def test_unreadable_answers_are_kept_in_custom() -> None:
    second, third = records_from("italian.csv")[1:]
    assert second.order is not None and third.order is not None
    assert second.order.quantity == 2
    assert second.order.deadline is None
    assert second.order.custom == {
        "Data di consegna": "prima di Natale",
        "Colori preferiti": "verde",
    }
    assert third.order.quantity is None
    assert third.order.deadline == date(2025, 6, 14)
    assert third.order.custom == {"Quantità": "una cinquantina", "Colori preferiti": "rosa"}
    assert third.order.links == [
        "https://drive.google.com/open?id=2XyZ",
        "https://drive.google.com/open?id=3Qwe",
    ]


def test_english_form_with_month_first_dates() -> None:
    first, second = records_from("english.csv")
    assert first.sent_at == datetime(2025, 1, 15, 9, 23, 45, tzinfo=UTC)
    assert second.sent_at == datetime(2025, 2, 3, 8, 5, tzinfo=UTC)
    assert first.order is not None and first.order.deadline == date(2025, 12, 20)
    assert first.sender is not None
    assert first.sender.handles == [
        Handle("email", "ann.smith@example.com"),
        Handle("phone", "+15550102030"),
        Handle("telegram_username", "annsmith"),
    ]
    assert second.order is not None
    assert second.order.quantity == 100
    assert second.order.links == []
    assert second.order.custom == {
        "When do you need it": "before Christmas",
        "Reference photos": "I will email them",
    }


def test_first_and_last_name_make_the_sender_name() -> None:
    first, second = records_from("french.csv")
    assert first.sender is not None and first.sender.name == "Camille Martin"
    assert second.sender is not None and second.sender.name == "Léa Dubois"
    assert second.order is not None and second.order.deadline == date(2025, 3, 1)


@pytest.mark.parametrize(
    ("answer", "quantity"),
    [("3", 3), ("3 pezzi", 3), ("12pz", 12), (" 4 ", 4), ("2 or 3", None), ("about 5", None)],
)
def test_quantity_is_a_plain_number(answer: str, quantity: int | None) -> None:
    [record] = records_of(["Timestamp", "Quantity"], [["1/15/2025 10:00:00", answer]])
    assert record.order is not None
    assert record.order.quantity == quantity
    assert record.order.custom == ({} if quantity is not None else {"Quantity": answer})


def test_bad_handles_are_kept_in_custom_not_as_handles() -> None:
    headers = ["Timestamp", "Email", "Phone", "Telegram"]
    [record] = records_of(headers, [["1/15/2025 10:00:00", "ann at home", "ask me", "+39 333"]])
    assert record.sender is None
    assert record.order is not None
    assert record.order.custom == {"Email": "ann at home", "Phone": "ask me", "Telegram": "+39 333"}


def test_title_falls_back_to_notes_then_to_order_form() -> None:
    long_note = (
        "Vorrei un servizio da tè completo per sei persone, con teiera e zuccheriera abbinate"
    )
    records = records_of(["Note", "Altro campo"], [[long_note, ""], ["", "x"]])
    assert [r.order.title for r in records if r.order] == [long_note[:60], "Order form"]
    assert [r.subject for r in records] == ["Order form", "Order form"]


def test_blank_rows_are_skipped_and_short_rows_padded() -> None:
    headers, rows = read_csv("messy.csv")
    records = records_of(headers, rows)
    assert [r.external_id.partition("|")[0] for r in records] == [
        "ts:1/10/2025 9:00:00",
        "ts:1/11/2025 9:30:00",
        "ts:1/20/2025 14:00:00",
    ]
    [short] = records_of(headers, [["1/10/2025 9:00:00", "Ann"]])
    assert short.sender is not None and short.sender.name == "Ann"


def test_duplicate_and_blank_headers_lose_no_answer() -> None:
    first = records_from("messy.csv")[0]
    assert first.order is not None
    assert first.order.custom == {"Column D": "walk-in", "Name (2)": "Ann Smith", "Colour": "blue"}
    assert "Name (2): Ann Smith" in first.text


def test_renamed_question_keeps_both_columns() -> None:
    first, _, last = records_from("messy.csv")
    assert first.order is not None and last.order is not None
    assert first.order.custom["Colour"] == "blue"
    assert "Favourite colours" not in first.order.custom
    assert last.order.custom["Favourite colours"] == "red, yellow"
    assert "Colour" not in last.order.custom


def test_cells_beyond_the_header_get_column_names() -> None:
    [record] = records_of(["Timestamp", "Name"], [["1/15/2025 10:00:00", "Ann", "", "extra"]])
    assert record.order is not None
    assert record.order.custom == {"Column D": "extra"}


# Identity -------------------------------------------------------------------------------------
def test_identity_survives_deleting_a_row_above() -> None:
    headers, rows = read_csv("italian.csv")
    before = records_of(headers, rows)
    after = records_of(headers, rows[1:])
    assert after == before[1:]


def test_identity_survives_editing_a_cell() -> None:
    headers, rows = read_csv("italian.csv")
    edited = [row[:] for row in rows]
    edited[1][5] = "4"
    before, after = records_of(headers, rows)[1], records_of(headers, edited)[1]
    assert after.external_id == before.external_id
    assert after.order is not None and after.order.quantity == 4
    assert after.raw != before.raw


def test_unreadable_timestamp_keeps_its_text() -> None:
    [record] = records_of(["Timestamp", "Item"], [["last Monday", "Mug"]])
    assert record.external_id.startswith("ts:last Monday|")
    assert record.sent_at is None
    assert record.order is not None and record.order.custom == {"Timestamp": "last Monday"}


def test_explicit_date_order_reads_ambiguous_dates() -> None:
    headers = ["Timestamp", "Deadline"]
    rows = [["01/02/2025 10:00:00", "03/04/2025"]]
    [dmy] = records_of(headers, rows, "dmy")
    [mdy] = records_of(headers, rows, "mdy")
    assert dmy.order is not None and mdy.order is not None
    assert (dmy.order.deadline, mdy.order.deadline) == (date(2025, 4, 3), date(2025, 3, 4))
    assert dmy.sent_at == datetime(2025, 2, 1, 9, 0, tzinfo=UTC)
