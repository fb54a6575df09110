"""Golden tests for the shared email parser: ``tests/data/email/NAME.eml`` parses to ``NAME.json``.

Regenerate the goldens after a deliberate change with ``BANCO_UPDATE_GOLDEN=1 pytest`` and review
the diff. ``too_large*.eml`` files hold only a header block and go through ``parse_headers_only``.
"""

from __future__ import annotations

import base64
import json
import os
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import banco.connectors.email.parse as parse_module
from banco.connectors.base import Person, Record
from banco.connectors.email import decode_header_value, parse_headers_only, parse_message

DATA = Path(__file__).parent.parent / "data" / "email"
CASES = sorted(DATA.glob("*.eml"))
TOO_LARGE_SIZE = 32_715_000


def parse_case(path: Path) -> Record:
    raw = path.read_bytes()
    if path.stem.startswith("too_large"):
        return parse_headers_only(raw, path.stem, TOO_LARGE_SIZE)
    return parse_message(raw, path.stem)


def person(p: Person | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {"name": p.name, "handles": [[h.kind, h.value] for h in p.handles]}


def summary(record: Record) -> dict[str, Any]:
    """The record's fields as JSON, minus the raw bytes and attachment data."""
    return {
        "sender": person(record.sender),
        "recipients": [person(p) for p in record.recipients],
        "subject": record.subject,
        "sent_at": record.sent_at.isoformat() if record.sent_at else None,
        "message_key": record.message_key,
        "reply_keys": list(record.reply_keys),
        "text": record.text,
        "status": record.status,
        "problem": record.problem,
        "auto": record.auto,
        "attachments": [
            {"filename": a.filename, "content_type": a.content_type, "size": a.size}
            for a in record.attachments
        ],
    }


def test_enough_golden_cases() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_golden(path: Path) -> None:
    got = summary(parse_case(path))
    golden = path.with_suffix(".json")
    if os.environ.get("BANCO_UPDATE_GOLDEN") == "1":
        golden.write_text(json.dumps(got, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert got == json.loads(golden.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_record_envelope(path: Path) -> None:
    raw = path.read_bytes()
    record = parse_case(path)
    assert record.external_id == path.stem
    assert (record.channel, record.raw_type, record.raw) == ("email", "rfc822", raw)
    assert record.size == (TOO_LARGE_SIZE if path.stem.startswith("too_large") else len(raw))
    assert record.sent_at is None or record.sent_at.utcoffset() is not None
    for attachment in record.attachments:
        assert attachment.data is not None and len(attachment.data) == attachment.size


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_stdlib_parser_path_agrees(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The quick parser only skips work: forcing the stdlib parser gives the same record."""
    quick = parse_case(path)
    monkeypatch.setattr(parse_module, "_quick_parse", lambda raw, depth: None)
    assert summary(parse_case(path)) == summary(quick)


def both_parsers(raw: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    """What the quick parser and the stdlib parser alone make of ``raw``, attachments included."""

    def full(record: Record) -> Any:
        return summary(record), [(a.filename, a.content_type, a.data) for a in record.attachments]

    quick = full(parse_message(raw, "x"))
    with monkeypatch.context() as patch:
        patch.setattr(parse_module, "_quick_parse", lambda raw, depth: None)
        return quick, full(parse_message(raw, "x"))


BARE_CR = [
    # in a leaf's content both parsers keep a bare CR: the quick one still reads it
    b"From: a@example.com\r\nSubject: s\r\n\r\nline\rstill one\r\ncaf\xc3\xa9\r\n",
    # a bare CR in the header block ends a field for the stdlib parser
    b"From: a@example.com\rSubject: hidden\r\nTo: b@example.com\r\n\r\nbody\r\n",
    # a bare CR before a boundary makes a delimiter for the stdlib parser
    b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
    b"Content-Type: text/plain\r\n\r\none"
    b"\r--b\r\nContent-Type: text/plain\r\n\r\ntwo\r\n--b--\r\n",
    b"From: a@example.com\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ncaf=C3=\r\n=A9\r",
]


@pytest.mark.parametrize("raw", BARE_CR)
def test_bare_carriage_returns_read_as_the_stdlib_reads_them(
    raw: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    quick, stdlib = both_parsers(raw, monkeypatch)
    assert quick == stdlib and quick[0]["status"] == "ok"


def test_damaged_messages_read_the_same_by_both_parsers(monkeypatch: pytest.MonkeyPatch) -> None:
    sources = [path.read_bytes() for path in CASES]
    for seed in range(5000):
        quick, stdlib = both_parsers(mutations(seed, sources), monkeypatch)
        assert quick == stdlib, seed


@pytest.mark.parametrize(
    ("charset", "words"),
    [
        ("utf-8", "Vorrei sei tazze blu — 青い"),
        ("iso-8859-1", "Tazze dipinte a mano, è possibile?"),
        ("shift_jis", "青いマグカップ"),
        ("utf-16", "Заказ: шесть кружек"),
        ("cp037", "Six blue mugs"),  # EBCDIC: the line feed is not byte 10
    ],
)
def test_line_breaks_are_line_feeds_in_every_charset(charset: str, words: str) -> None:
    text = f"{words}\r\nsecond line\rthird line\n\r\nlast"
    body = base64.encodebytes(text.encode(charset)).decode()
    raw = (
        f"From: a@example.com\r\nContent-Type: text/plain; charset={charset}\r\n"
        f"Content-Transfer-Encoding: base64\r\n\r\n{body}"
    ).encode()
    assert parse_message(raw, "x").text == f"{words}\nsecond line\nthird line\n\nlast"


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"From: a@example.com\n\nbody\r\n\r\nmore", "body\n\nmore"),
        (b"From: a@example.com\r\n\r\nbody\n\nmore", "body\n\nmore"),
        (b"From: a@example.com\r\nSubject: s\n\nNote: body\r\n\r\nmore", "Note: body\n\nmore"),
        (b"From: a@example.com\nSubject: s\r\n\r\nbody\n\nmore", "body\n\nmore"),
        (b"From: a@example.com\r\n\nbody", "body"),
        (b"From: a@example.com\n\r\nbody", "body"),
    ],
)
def test_the_body_starts_after_the_first_empty_line(
    raw: bytes, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    quick, stdlib = both_parsers(raw, monkeypatch)
    assert quick == stdlib and quick[0]["text"] == text


def test_attachment_bytes_are_decoded() -> None:
    record = parse_message((DATA / "attachment_no_filename.eml").read_bytes(), "x")
    assert record.attachments[0].data == bytes(range(10))


def test_direction_is_kept() -> None:
    raw = (DATA / "plain_en.eml").read_bytes()
    assert parse_message(raw, "x", direction="out").direction == "out"
    assert parse_message(b"", "x", direction="out").direction == "out"
    assert parse_headers_only(raw, "x", 10, direction="out").direction == "out"


def test_headers_only_without_sender_is_too_large_like_any_other() -> None:
    size = 40 * 1024 * 1024
    record = parse_headers_only(b"Subject: hi\n", "x", size)
    assert (record.status, record.sender, record.subject, record.size) == (
        "too_large",
        None,
        "hi",
        size,
    )


@pytest.mark.parametrize("name", ["no_from", "from_without_domain"])
def test_mail_without_a_sender_is_read_and_shown(name: str) -> None:
    """Nobody can answer it, but its text is the maker's to read: not "unreadable"."""
    record = parse_message((DATA / f"{name}.eml").read_bytes(), name)
    assert (record.status, record.sender, record.problem) == ("ok", None, "")
    assert record.text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain words", "plain words"),
        ("=?utf-8?q?caf=C3=A9?= =?utf-8?q?_cr=C3=A8me?=", "café crème"),
        ("=?UTF-8?B?w6g=?=\r\n =?utf-8?B?w6g=?= end", "èè end"),
        ("=?utf-8?B?w6g?= =?utf-8?B?w6?=", "è\ufffd"),  # bad padding: the rest is kept
        ("=?x-unknown?q?=E8?=", "è"),
        ("Caff\udcc3\udca8", "Caffè"),  # raw 8-bit UTF-8, as the bytes parser hands it over
        ("Caff\udce8", "Caffè"),  # raw 8-bit latin-1
        # raw 8-bit bytes inside an encoded word are bytes of its charset
        ("=?iso-8859-1?q?Fr\udcfcsche?=", "Früsche"),
        ("=?utf-8?q?Fr\udcc3\udcbcchte?= =?utf-8?q?_\udcc3?= =?utf-8?q?\udca8?=", "Früchte è"),
        # one stray byte in UTF-8 costs one letter, not the whole value
        ("Cr\udcc3\udca8me br\udcc3\udcbbl\udce9e", "Crème brûlée"),
        ("caf\udcc3\udca9 \udcff ok", "café ÿ ok"),
    ],
)
def test_decode_header_value(value: str, expected: str) -> None:
    assert decode_header_value(value) == expected


def mutations(seed: int, sources: list[bytes]) -> bytes:
    """One randomly damaged message: bytes flipped, cut, spliced, lines shuffled, or pure noise."""
    rng = random.Random(seed)
    data = bytearray(rng.choice(sources))
    action = rng.randrange(6)
    if action == 0 and data:
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif action == 1:
        data = data[: rng.randint(0, len(data))]
    elif action == 2:
        other = rng.choice(sources)
        data = data[: rng.randint(0, len(data))] + other[rng.randint(0, len(other)) :]
    elif action == 3:
        lines = bytes(data).splitlines(keepends=True)
        rng.shuffle(lines)
        data = bytearray(b"".join(lines))
    elif action == 4:
        data = bytearray(rng.randbytes(rng.randint(0, 2000)))
    else:
        noise = rng.choice([b"=?", b"?=", b"--", b"\r", b"\n\n", b":", b";", b'"', b"<", b"\x00"])
        for _ in range(rng.randint(1, 10)):
            at = rng.randint(0, len(data))
            data[at:at] = noise
    return bytes(data)


def test_damaged_messages_never_raise() -> None:
    sources = [path.read_bytes() for path in CASES]
    for seed in range(3000):
        raw = mutations(seed, sources)
        record = parse_message(raw, f"fuzz-{seed}")
        assert record.status in ("ok", "unreadable"), seed
        assert record.raw == raw
        assert parse_headers_only(raw[:4000], f"fuzz-{seed}", len(raw)).status in (
            "too_large",
            "unreadable",
        )


HEADER_BLOCKS = [
    "From: Anna <anna@example.com>\r\nSubject: Sei tazze\r\nDate: Fri, 20 Nov 2026 10:00:00 +0100",
    "Subject: a long\n subject, folded\n\tover three lines\nTo: shop@example.com",
    "X-Empty:\nContent-Type: text/plain;\n charset=utf-8",
    "Subject: caf\udcc3\udca9 in raw bytes\nMessage-ID: <a@b>",
    " a continuation first\nSubject: x",
    "From anna@example.com Fri Nov 20 10:00:00 2026\nSubject: mbox",
    "Subject: x\nFrom anna@example.com Fri Nov 20 10:00:00 2026",
    "Not a header line\nSubject: x",
    ": no name\nSubject: x",
    "Subject: x\nBad Name: y",
]


@pytest.mark.parametrize("block", HEADER_BLOCKS)
def test_header_blocks_read_as_the_stdlib_reads_them(block: str) -> None:
    import email.parser

    stdlib = email.parser.HeaderParser(policy=parse_module._POLICY).parsestr(block)
    ours = parse_module._plain_headers(block)
    if stdlib.defects or stdlib.get_payload() or stdlib.get_unixfrom():
        assert ours is None  # the stdlib parser repairs these; it still reads them
    else:
        assert ours is not None and ours.items() == stdlib.items()
        assert ours._headers == stdlib._headers  # raw values too, folds and 8-bit bytes kept


@settings(max_examples=2000)
@given(
    st.binary(max_size=60) | st.text(alphabet="ABCDEFGabcdefg0123456789+/=\r\n !-_", max_size=60)
)
def test_base64_bodies_decode_as_the_stdlib_decodes_them(encoded: bytes | str) -> None:
    """The quick path decodes base64 with public calls only, exactly as get_payload does."""
    from email._encoded_words import decode_b  # the stdlib's own, here only to compare

    from banco.connectors.email.parse import _base64_payload

    data = encoded.encode() if isinstance(encoded, str) else encoded
    assert _base64_payload(data) == decode_b(data)[0]


@settings(max_examples=500, deadline=None)  # the machine is shared: no timed assertions
@given(st.text(max_size=80), st.binary(max_size=3), st.integers(min_value=0, max_value=80))
def test_a_stray_byte_in_utf8_costs_at_most_the_letters_it_touches(
    text: str, stray: bytes, at: int
) -> None:
    data = text.encode("utf-8")
    at = min(at, len(data))
    while at and (data[at] & 0xC0 == 0x80 if at < len(data) else False):
        at -= 1  # between two characters, not inside one
    before, after = data[:at].decode("utf-8"), data[at:].decode("utf-8")
    decoded = parse_module._decode_bytes(data[:at] + stray + data[at:], None)
    assert decoded.startswith(before) and decoded.endswith(after)


@settings(max_examples=1000, deadline=None)
@given(st.binary(max_size=120))
def test_any_header_bytes_decode_to_text_without_surrogates(value: bytes) -> None:
    """Surrogates could not be stored: whatever the bytes, names and subjects are real text."""
    raw = b"From: " + value.replace(b"\n", b" ") + b"\nSubject: " + value + b"\n\nhi\n"
    record = parse_message(raw, "x")
    said = [record.subject, record.text] + [
        part
        for p in [record.sender, *record.recipients]
        if p
        for part in (p.name, p.handles[0].value)
    ]
    for text in said:
        text.encode("utf-8")
