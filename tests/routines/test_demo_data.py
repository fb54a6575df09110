"""The demo shop written by ``banco demo``: a valid config, a realistic Maildir, a Forms CSV."""

from __future__ import annotations

import csv
import email
import email.policy
import re
import tomllib
from collections import Counter
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo

import pytest

from banco.config import Option, parse_config
from banco.inbox.demo import write_demo_shop
from banco.inbox.demo.messages import MAILS, OWNER, PEOPLE

ROME = ZoneInfo("Europe/Rome")
NOW = datetime(2024, 11, 22, 9, 30, 12, 345678, tzinfo=ROME)
OWNER_ADDRESS = "giulia@bottegagiulia.example"
FORM_HEADERS = [
    "Informazioni cronologiche",
    "Nome e cognome",
    "Indirizzo email",
    "Telefono",
    "Utente Telegram",
    "Cosa desideri ordinare?",
    "Quantità",
    "Data di consegna",
    "Budget (€)",
    "Colori preferiti",
    "Note",
    "Foto di riferimento",
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "shop"
    write_demo_shop(folder, NOW)
    return folder


def mail_files(shop: Path) -> list[Path]:
    maildir = shop / "Maildir"
    return sorted(
        p for d in ("", ".Sent") for s in ("cur", "new") for p in (maildir / d / s).iterdir()
    )


def parse(path: Path) -> EmailMessage:
    return cast(
        EmailMessage, email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    )


@pytest.fixture(scope="module")
def messages(shop: Path) -> dict[Path, EmailMessage]:
    """Every readable mail file, by path (the one garbled file left out)."""
    parsed = {path: parse(path) for path in mail_files(shop)}
    return {path: msg for path, msg in parsed.items() if msg["From"] is not None}


@pytest.fixture(scope="module")
def by_id(messages: dict[Path, EmailMessage]) -> dict[str, EmailMessage]:
    return {str(msg["Message-ID"]): msg for msg in messages.values()}


def sent_at(msg: EmailMessage) -> datetime:
    return parsedate_to_datetime(str(msg["Date"]))


def is_sent(path: Path) -> bool:
    return path.parent.parent.name == ".Sent"


def thread_ids(msg: EmailMessage) -> list[str]:
    return str(msg.get("References", "")).split()


def attachments(msg: EmailMessage) -> list[EmailMessage]:
    return [part for part in msg.iter_attachments() if part.get_filename()]


# banco.toml


def test_config_is_the_shop_of_the_brief(shop: Path) -> None:
    data = tomllib.loads((shop / "banco.toml").read_text(encoding="utf-8"))
    assert data["shop"] == {
        "name": "Bottega Giulia",
        "owner": "Giulia Rinaldi",
        "addresses": [OWNER_ADDRESS],
        "timezone": "Europe/Rome",
        "languages": ["it", "en", "fr"],
    }
    assert data["accounts"] == [
        {"name": "shop-mail", "kind": "maildir", "path": "Maildir", "sent_folder": "Sent"},
        {"name": "order-form", "kind": "csv", "path": "form-responses.csv"},
    ]


def test_config_loads_and_points_at_the_written_files(shop: Path) -> None:
    path = shop / "banco.toml"
    kinds = {
        "maildir": {"path": Option("path"), "sent_folder": Option("str")},
        "csv": {"path": Option("path")},
    }
    config = parse_config(path, tomllib.loads(path.read_text(encoding="utf-8")), kinds)
    assert config.shop.addresses == (OWNER_ADDRESS,)
    assert (config.account("shop-mail").settings["path"] / "cur").is_dir()
    assert config.account("order-form").settings["path"].is_file()


def test_every_setting_has_a_comment_above_it(shop: Path) -> None:
    lines = (shop / "banco.toml").read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if re.match(r"^\w+ = ", line):
            assert lines[number - 1].startswith("# "), line


# Maildir


def test_maildir_layout_and_file_names(shop: Path) -> None:
    maildir = shop / "Maildir"
    for folder in (maildir, maildir / ".Sent"):
        assert sorted(p.name for p in folder.iterdir() if p.is_dir() and p.name[0] != ".") == [
            "cur",
            "new",
            "tmp",
        ]
    assert (maildir / ".Sent" / "maildirfolder").is_file()
    files = mail_files(shop)
    assert 30 <= len(files) <= 40
    assert len({p.name.split(":")[0] for p in files}) == len(files)
    for path in files:
        if path.parent.name == "cur":
            assert re.fullmatch(r"\d{10}\.M\d+P\d+\.demo:2,R?S", path.name)
        else:
            assert re.fullmatch(r"\d{10}\.M\d+P\d+\.demo", path.name)


def test_exactly_one_file_is_unreadable(shop: Path, messages: dict[Path, EmailMessage]) -> None:
    (garbled,) = set(mail_files(shop)) - set(messages)
    assert garbled.parent.name == "new"
    assert parse(garbled).keys() == []


def test_readable_mails_have_ascii_headers_and_the_basics(
    messages: dict[Path, EmailMessage],
) -> None:
    for path, msg in messages.items():
        head = path.read_bytes().split(b"\n\n", 1)[0]
        assert head.isascii(), path.name
        for name in ("From", "To", "Date", "Message-ID"):
            assert msg[name], (path.name, name)
        assert sent_at(msg).tzinfo is not None
        assert not msg.defects, (path.name, msg.defects)


def test_message_ids_are_unique(messages: dict[Path, EmailMessage]) -> None:
    ids = Counter(str(msg["Message-ID"]) for msg in messages.values())
    assert max(ids.values()) == 1


def test_file_times_are_the_sent_dates(shop: Path, messages: dict[Path, EmailMessage]) -> None:
    for path, msg in messages.items():
        assert path.stat().st_mtime == sent_at(msg).timestamp(), path.name
        assert path.name.startswith(str(int(sent_at(msg).timestamp())))
    for path in mail_files(shop):
        assert path.stat().st_mtime <= NOW.timestamp()


def test_thread_headers_point_at_existing_mails(
    messages: dict[Path, EmailMessage], by_id: dict[str, EmailMessage]
) -> None:
    replies = [msg for msg in messages.values() if msg["In-Reply-To"]]
    assert len(replies) >= 15
    for msg in replies:
        references = thread_ids(msg)
        assert references[-1] == str(msg["In-Reply-To"])
        assert all(ref in by_id for ref in references)
        assert sent_at(by_id[references[-1]]) < sent_at(msg)


def test_threads_of_two_to_four_mails(messages: dict[Path, EmailMessage]) -> None:
    roots = Counter((thread_ids(msg) or [str(msg["Message-ID"])])[0] for msg in messages.values())
    assert sum(1 for size in roots.values() if 2 <= size <= 4) >= 4


def test_one_customer_changed_the_subject_in_a_reply(
    messages: dict[Path, EmailMessage], by_id: dict[str, EmailMessage]
) -> None:
    def topic(msg: EmailMessage) -> str:
        return re.sub(r"^((re|r|automatic reply):\s*)+", "", str(msg["Subject"]), flags=re.I)

    changed = [
        msg
        for msg in messages.values()
        if msg["In-Reply-To"] and topic(msg) != topic(by_id[str(msg["In-Reply-To"])])
    ]
    assert len(changed) == 1
    assert changed[0]["From"].addresses[0].addr_spec != OWNER_ADDRESS


@pytest.mark.parametrize(
    "now",
    [
        datetime(2024, 11, 22, 0, 1, tzinfo=ROME),
        datetime(2024, 11, 22, 23, 59, tzinfo=ROME),
        datetime(2025, 3, 30, 4, 0, tzinfo=ROME),  # the night the clocks go forward
        datetime(2025, 10, 26, 12, 0, tzinfo=ZoneInfo("America/Los_Angeles")),
    ],
)
def test_replies_come_after_what_they_answer_at_any_hour(tmp_path: Path, now: datetime) -> None:
    write_demo_shop(tmp_path, now)
    parsed = [parse(path) for path in mail_files(tmp_path)]
    dates = {str(msg["Message-ID"]): sent_at(msg) for msg in parsed if msg["From"]}
    for msg in parsed:
        if msg["In-Reply-To"]:
            assert dates[str(msg["In-Reply-To"])] < sent_at(msg) <= now


def test_sent_folder_holds_the_owners_mail_only(messages: dict[Path, EmailMessage]) -> None:
    inbox_ids = {str(msg["Message-ID"]) for path, msg in messages.items() if not is_sent(path)}
    sent = {path: msg for path, msg in messages.items() if is_sent(path)}
    assert len(sent) >= 10
    for path, msg in messages.items():
        assert (msg["From"].addresses[0].addr_spec == OWNER_ADDRESS) == is_sent(path), path.name
    answers = [msg for msg in sent.values() if msg["In-Reply-To"]]
    assert len(answers) >= len(sent) - 1
    assert all(str(msg["In-Reply-To"]) in inbox_ids for msg in answers)


def test_customers_write_in_three_languages() -> None:
    customers = [m for m in MAILS if m.sender not in (OWNER, "etsy", "faenza")]
    languages = Counter(PEOPLE[m.sender].lang for m in customers)
    assert set(languages) == {"it", "en", "fr"}
    assert min(languages.values()) >= len(customers) / 4


def test_several_customers_are_waiting_and_some_mail_is_weeks_old(
    messages: dict[Path, EmailMessage],
) -> None:
    last_in_thread: dict[str, EmailMessage] = {}
    for msg in sorted(messages.values(), key=sent_at):
        last_in_thread[(thread_ids(msg) or [str(msg["Message-ID"])])[0]] = msg
    waiting = [
        msg
        for msg in last_in_thread.values()
        if NOW - sent_at(msg) < timedelta(hours=48)
        and msg["From"].addresses[0].addr_spec != OWNER_ADDRESS
        and "Auto-Submitted" not in msg
    ]
    assert len(waiting) >= 3
    assert any(NOW - sent_at(msg) > timedelta(days=21) for msg in messages.values())


def test_auto_reply_answers_one_of_the_owners_mails(
    messages: dict[Path, EmailMessage], by_id: dict[str, EmailMessage]
) -> None:
    replies = [m for m in messages.values() if m["In-Reply-To"]]
    (auto,) = [m for m in replies if m["Auto-Submitted"] == "auto-replied"]
    answered = by_id[str(auto["In-Reply-To"])]
    assert answered["From"].addresses[0].addr_spec == OWNER_ADDRESS


def test_bounce_reports_a_sent_mail(
    messages: dict[Path, EmailMessage], by_id: dict[str, EmailMessage]
) -> None:
    (bounce,) = [m for m in messages.values() if m.get_content_type() == "multipart/report"]
    assert str(bounce["From"]).endswith("<MAILER-DAEMON@mx.bottegagiulia.example>")
    assert bounce.get_param("report-type") == "delivery-status"
    parts = list(bounce.iter_parts())
    types = [part.get_content_type() for part in parts]
    assert types == ["text/plain", "message/delivery-status", "text/rfc822-headers"]
    returned = parts[2].get_content()
    (original_id,) = re.findall(r"^Message-ID: (\S+)", returned, flags=re.M)
    assert by_id[original_id]["From"].addresses[0].addr_spec == OWNER_ADDRESS


def test_newsletter_is_html_only_bulk_mail(messages: dict[Path, EmailMessage]) -> None:
    (newsletter,) = [m for m in messages.values() if m["List-Id"]]
    assert newsletter.get_content_type() == "text/html"
    assert newsletter["Precedence"] == "bulk"
    assert "<html" in newsletter.get_content()


def test_attachments_are_small_valid_files(messages: dict[Path, EmailMessage]) -> None:
    with_files = [msg for msg in messages.values() if attachments(msg)]
    assert 3 <= len(with_files) <= 4
    parts = [part for msg in with_files for part in attachments(msg)]
    names = [str(part.get_filename()) for part in parts]
    assert any(not name.isascii() for name in names)
    assert {part.get_content_type() for part in parts} == {
        "image/png",
        "image/jpeg",
        "application/pdf",
    }
    for part in parts:
        data = part.get_content()
        assert isinstance(data, bytes) and len(data) < 2000
        check_file(part.get_content_type(), data)


def check_file(content_type: str, data: bytes) -> None:
    if content_type == "image/png":
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and data.endswith(b"IEND\xaeB`\x82")
    elif content_type == "image/jpeg":
        assert data.startswith(b"\xff\xd8\xff\xe0") and data.endswith(b"\xff\xd9")
    else:
        assert data.startswith(b"%PDF-1.4") and data.endswith(b"%%EOF\n")
        (xref,) = re.findall(rb"startxref\n(\d+)\n", data)
        assert data[int(xref) :].startswith(b"xref\n")
        offsets = re.findall(rb"(\d{10}) 00000 n ", data)
        for number, offset in enumerate(offsets, start=1):
            assert data[int(offset) :].startswith(b"%d 0 obj\n" % number)


def test_charsets_include_encoded_subjects_and_latin1(
    messages: dict[Path, EmailMessage],
) -> None:
    raw = [path.read_bytes() for path in messages]
    assert sum(b"=?utf-8?" in data.split(b"\n\n", 1)[0] for data in raw) >= 5
    latin = [m for m in messages.values() if m.get_content_charset() == "iso-8859-1"]
    assert latin
    assert all("è" in m.get_content() for m in latin)


# Form answers


def read_form(shop: Path) -> list[list[str]]:
    with (shop / "form-responses.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def test_form_has_the_twelve_columns_and_six_answers(shop: Path) -> None:
    header, *rows = read_form(shop)
    assert header == FORM_HEADERS
    assert all(len(row) == 12 for row in rows)
    answers = [row for row in rows if any(row)]
    assert len(answers) == 6
    blank = [i for i, row in enumerate(rows) if not any(row)]
    assert len(blank) == 1 and 0 < blank[0] < len(rows) - 1


def test_form_dates_are_relative_to_now(shop: Path) -> None:
    answers = [dict(zip(FORM_HEADERS, row, strict=True)) for row in read_form(shop)[1:] if any(row)]
    today = NOW.date()
    for answer in answers:
        stamp = datetime.strptime(answer["Informazioni cronologiche"], "%d/%m/%Y %H:%M:%S")
        assert NOW - timedelta(days=10) < stamp.replace(tzinfo=ROME) < NOW
    due = [
        (datetime.strptime(a["Data di consegna"], "%d/%m/%Y").date() - today).days for a in answers
    ]
    assert all(5 <= days <= 40 for days in due)
    assert sum(days <= 7 for days in due) == 2


def test_form_answers_look_real(shop: Path, messages: dict[Path, EmailMessage]) -> None:
    answers = [dict(zip(FORM_HEADERS, row, strict=True)) for row in read_form(shop)[1:] if any(row)]
    assert any(a["Telefono"].startswith("0") for a in answers)
    assert any(a["Utente Telegram"].startswith("@") for a in answers)
    links = [link for a in answers for link in a["Foto di riferimento"].split(", ") if link]
    assert links and all(link.startswith("https://drive.google.com/open?id=") for link in links)
    senders = {m["From"].addresses[0].addr_spec for p, m in messages.items() if not is_sent(p)}
    assert any(a["Indirizzo email"] in senders for a in answers)


# The whole shop


def test_same_now_gives_the_same_bytes_and_times(tmp_path: Path) -> None:
    for name in ("one", "two"):
        write_demo_shop(tmp_path / name, NOW)
    one, two = (
        {p.relative_to(tmp_path / name): p.read_bytes() for p in files_under(tmp_path / name)}
        for name in ("one", "two")
    )
    assert one == two
    assert len(one) == len(mail_files(tmp_path / "one")) + 3
    times = [[p.stat().st_mtime for p in mail_files(tmp_path / name)] for name in ("one", "two")]
    assert times[0] == times[1]


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_a_naive_now_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="time-zone-aware"):
        write_demo_shop(tmp_path, datetime(2024, 11, 22, 9, 30))
