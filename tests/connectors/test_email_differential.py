"""Banco's email parser against the stdlib's ``policy.default`` on odd real-world mail.

The corpus, ``tests/data/email/corpus/<source>/``, is the test fixtures of other mail parsers (each
file's repository, path, commit and licence in ``corpus/SOURCES.md``). For every file both parsers
are asked what the maker sees: the subject, the sender's name and address, the text and the names
of the attachments. A difference fails unless ``corpus/allowed.txt`` lists it with the reason
Banco's answer is as good or better; an entry that no longer differs fails too, so the list stays
true. Some differences hold for every mail, so they are rules here rather than lines there:

- whitespace is normalised, and addresses compared without case (a Handle is lower case);
- where the stdlib gives up on a character (U+FFFD, a raw byte left as a surrogate, or a C1
  control from reading ISO-8859-1 strictly), any letters of Banco's match: Banco reads undeclared
  8-bit bytes as UTF-8, else Windows-1252, and ISO-8859-1 as the Windows-1252 mail programs meant;
- the stdlib's text needs only to appear within Banco's: the stdlib shows the first text part,
  Banco every text part not marked as an attachment;
- a field the stdlib raises on is not compared (it has no answer to compare with).
"""

from __future__ import annotations

import email.policy
import re
from collections.abc import Iterator
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest

from banco.connectors.email import parse_message
from banco.connectors.email.parse import _html_to_text

CORPUS = Path(__file__).parent.parent / "data" / "email" / "corpus"
ALLOWED = CORPUS / "allowed.txt"
MAILS = sorted(
    p
    for p in CORPUS.rglob("*")
    if p.is_file() and p.parent != CORPUS and not p.name.startswith(".")
)
FIELDS = ("subject", "sender", "text", "attachments")
_STDLIB = BytesParser(policy=email.policy.default)
_GAVE_UP = re.compile(r"[\ufffd\udc80-\udcff\x80-\x9f]+")
_GENERATED_NAME = re.compile(r"attachment-\d+(\.\w+)?")


class NoAnswer(Exception):
    """The stdlib raised on this field."""


def words(text: str) -> str:
    return " ".join(text.split())


def stdlib_view(raw: bytes) -> dict[str, Any]:
    msg = _STDLIB.parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    view: dict[str, Any] = {}
    for name, read in (
        ("subject", lambda: words(str(msg.get("subject") or ""))),
        ("sender", lambda: stdlib_sender(msg)),
        ("text", lambda: stdlib_text(msg)),
        ("attachments", lambda: stdlib_attachments(msg)),
    ):
        try:
            view[name] = read()
        except Exception:  # the stdlib's header and content classes raise on some broken mail
            view[name] = NoAnswer
    return view


def stdlib_sender(msg: EmailMessage) -> tuple[str, str] | None:
    header = msg["from"]
    addresses = header.addresses if header is not None else ()
    return next(((a.display_name, a.addr_spec) for a in addresses if "@" in a.addr_spec), None)


def stdlib_text(msg: EmailMessage) -> str:
    body = msg.get_body(("plain", "html"))
    if body is None:
        return ""
    text = body.get_content()
    return words(_html_to_text(text) if body.get_content_type() == "text/html" else text)


def stdlib_attachments(msg: EmailMessage) -> list[str]:
    body = msg.get_body(("plain", "html"))
    names = (part.get_filename() for part in _leaves(msg) if part is not body)
    return sorted(words(name) for name in names if name)


def _leaves(part: EmailMessage) -> Iterator[EmailMessage]:
    """Every leaf, a message/* part being one (as Banco counts them)."""
    if part.is_multipart() and part.get_content_maintype() != "message":
        for sub in part.iter_parts():
            yield from _leaves(sub)  # type: ignore[arg-type]
    else:
        yield part


def banco_view(raw: bytes) -> dict[str, Any]:
    record = parse_message(raw, "corpus")
    sender = record.sender
    return {
        "subject": words(record.subject),
        "sender": (sender.name, sender.handles[0].value) if sender else None,
        "text": words(record.text),
        "attachments": sorted(
            words(a.filename)
            for a in record.attachments
            if not _GENERATED_NAME.fullmatch(a.filename)
        ),
    }


def found_within(stdlib: str, banco: str, whole: bool) -> bool:
    """``stdlib`` in ``banco`` (all of it with ``whole``), a run of n characters the stdlib gave
    up on matching 1 to 3n of Banco's (a U+FFFD stands for up to three bytes)."""
    pieces = _GAVE_UP.split(stdlib)
    runs = [f".{{1,{3 * len(run)}}}?" for run in _GAVE_UP.findall(stdlib)] + [""]
    pattern = "".join(re.escape(piece) + run for piece, run in zip(pieces, runs, strict=True))
    return bool((re.fullmatch if whole else re.search)(pattern, banco, re.DOTALL))


def agrees(field: str, stdlib: Any, banco: Any) -> bool:
    if stdlib is NoAnswer or stdlib == banco:
        return True
    if field == "sender":
        if stdlib is None or banco is None:
            return False
        return found_within(stdlib[0], banco[0], whole=True) and found_within(
            stdlib[1].lower(), banco[1].lower(), whole=True
        )
    if field == "attachments":
        pairs = zip(stdlib, banco, strict=False)
        return len(stdlib) == len(banco) and all(found_within(s, b, whole=True) for s, b in pairs)
    return found_within(stdlib, banco, whole=field == "subject")


def differences(path: Path) -> dict[str, tuple[Any, Any]]:
    raw = path.read_bytes()
    stdlib, banco = stdlib_view(raw), banco_view(raw)
    return {f: (stdlib[f], banco[f]) for f in FIELDS if not agrees(f, stdlib[f], banco[f])}


def allowed() -> dict[tuple[str, str], str]:
    """``path field: why`` lines (``#`` starts a comment)."""
    entries = {}
    for line in ALLOWED.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, why = line.split(":", 1)
            path, field = key.split()
            entries[path, field] = why.strip()
    return entries


def test_the_corpus_is_broad() -> None:
    sources = {p.relative_to(CORPUS).parts[0] for p in MAILS}
    assert len(MAILS) >= 100 and len(sources) >= 4


def test_every_mail_of_the_corpus_is_in_its_sources() -> None:
    listed = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    assert [p for p in MAILS if f"`{p.relative_to(CORPUS)}`" not in listed] == []


@pytest.mark.parametrize("path", MAILS, ids=lambda p: str(p.relative_to(CORPUS)))
def test_banco_reads_what_the_stdlib_reads(path: Path) -> None:
    name = str(path.relative_to(CORPUS))
    found = differences(path)
    listed = {field for (p, field) in allowed() if p == name}
    unexplained = {f: v for f, v in found.items() if f not in listed}
    assert unexplained == {}, "a difference allowed.txt does not explain"
    assert listed <= set(found), "allowed.txt lists a difference there is no longer"


def test_the_allow_list_names_mails_of_the_corpus_and_says_why() -> None:
    names = {str(p.relative_to(CORPUS)) for p in MAILS}
    for (path, field), why in allowed().items():
        assert path in names and field in FIELDS and len(why) > 20, (path, field)
