"""RFC 822 bytes to :class:`Record`, shared by every email source (Maildir, IMAP).

The stdlib ``policy.default`` re-parses Content-Type on every access and runs at about a quarter of
the speed, so messages are parsed with ``compat32`` (unfolding a value when it is read, as
``policy.default`` does) and headers are decoded here. Nothing in this module raises on bad input:
a message that cannot be read becomes an "unreadable" record that keeps its bytes and says why. A
mail without a usable sender is read all the same (nobody can answer it).

``tests/connectors/test_email_differential.py`` holds it to what ``policy.default`` reads on the
test mails of other mail parsers.

Mail Banco sent itself carries its ``X-Banco`` header and a Message-ID of its own making: found in
any folder, it is outgoing, and its note to the maker (the digest) is marked ``OWN_NOTE``.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import email
import email.headerregistry
import email.parser
import email.policy
import email.utils
import mimetypes
import quopri
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import Message
from functools import lru_cache
from typing import AnyStr, cast

import html2text

from banco.config.sentence import Sentence
from banco.connectors.base import (
    OWN_NOTE,
    Attachment,
    Handle,
    Person,
    Record,
    unreadable_record,
)
from banco.connectors.email.autoreply import is_auto_reply_subject

CHANNEL = "email"
RAW_TYPE = "rfc822"
MB = 1024 * 1024
#: the header on mail Banco sends: "reply" on a reply to a customer, "digest" on its note to the maker
OWN_HEADER = "X-Banco"
#: how the Message-ID of every mail Banco sends starts; its note to the maker's starts with
#: NOTE_KEY_PREFIX, which is all that marks a digest sent before Banco wrote its header
OWN_KEY_PREFIX = "banco."
NOTE_KEY_PREFIX = OWN_KEY_PREFIX + "digest."


class _UnfoldingPolicy(type(email.policy.compat32)):  # type: ignore[misc]
    """compat32, but a header value is unfolded when read, as ``policy.default`` reads it: a
    boundary or a filename folded inside its quotes is then found (RFC 5322 2.2.3: unfolding
    drops the line break and keeps the space after it)."""

    def header_fetch_parse(self, name: str, value: str) -> object:
        if "\n" in value:
            value = _FOLD.sub("", value)
        return super().header_fetch_parse(name, value)


_POLICY = _UnfoldingPolicy()
_HEADER_PARSER = email.parser.HeaderParser(policy=_POLICY)
_BARE_CR = re.compile(rb"\r(?!\n)")
_BARE_CR_TEXT = re.compile(r"\r(?!\n)")
_HEADER_NAME = re.compile(r"[\041-\071\073-\176]+:")  # what the stdlib parser takes as a field name
_OBSOLETE_COLON = re.compile(rb"^([\041-\071\073-\176]+)[ \t]+:", re.MULTILINE)
_MAX_DEPTH = 20
_NO_HEADERS = Sentence("no email headers found")
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_ADDRESS = re.compile(r"[^@\s<>]+@[^@\s<>]+")
_SIMPLE_ADDRESS = re.compile(  # no two neighbouring parts can match the same text: no backtracking
    r'(?:\s*"([^"\\\r\n]*)"\s*|([^"<>()@,;:\\\[\]]*))<([^<>\s@",;]+@[^<>\s@",;]+)>\s*'
    r'|\s*([^<>\s@",;()]+@[^<>\s@",;()]+)\s*'
)
_ADDRESS_IN_TEXT = re.compile(r"[^@\s<>()\[\]\\,;:\"]+@[^@\s<>()\[\]\\,;:\"]+")
_ADDRESS_PARSER = email.headerregistry.HeaderRegistry()
_MAX_ADDRESS_LIST = 4000
_BRACKETED = re.compile(r"<([^<>]*)>")
_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/]")
# Text codecs Python knows that are not mail charsets (punycode is also quadratic on long input).
_REFUSED_CODECS = frozenset({"punycode", "idna", "unicode-escape", "raw-unicode-escape"})
# Mail labelled with these charsets is really written in the Windows superset (as browsers assume).
_SUPERSETS = {"iso8859-1": "cp1252", "gb2312": "gbk", "euc_kr": "cp949", "shift_jis": "cp932"}
_BODY_TYPES = ("text/plain", "text/html")
_UUENCODINGS = ("x-uuencode", "uuencode", "uue", "x-uue")
_LIST_ESCAPE = re.compile(r"^(\s*(?:[*+-] +)?)\\([-+])")
_NUMBER_ESCAPE = re.compile(r"^(\s*\d+)\\\.")
_BOUNCE_SENDERS = ("mailer-daemon", "postmaster")
_MIMETYPES = mimetypes.MimeTypes()  # built-in table only, so names do not depend on the machine


def parse_message(raw: bytes, external_id: str, direction: str = "in") -> Record:
    """Parse one whole message. Never raises: a message it cannot read comes back "unreadable"."""
    try:
        return _parse_message(raw, external_id, direction)
    except Exception as e:  # any bytes at all must become a record, with the reason kept
        return _unreadable(raw, external_id, direction, _failure(e))


def parse_headers_only(
    header_bytes: bytes, external_id: str, size: int, direction: str = "in"
) -> Record:
    """Parse the header block of a message too large to download: a "too_large" record, no text."""
    try:
        record = _parse_headers_only(header_bytes, external_id, size, direction)
    except Exception as e:  # same promise as parse_message
        record = _unreadable(header_bytes, external_id, direction, _failure(e))
    record.size = size
    return record


def decode_header_value(value: str) -> str:
    """A header value as readable text: unfolded, RFC 2047 words and raw 8-bit bytes decoded."""
    return " ".join(_decode_encoded_words(_unfold(value)).split())


def _parse_message(raw: bytes, external_id: str, direction: str) -> Record:
    if not raw or raw.isspace():  # (strip() would copy the whole message)
        return _unreadable(raw, external_id, direction, Sentence("the message is empty"))
    msg = _message_from_bytes(raw)
    record = _from_headers(msg, raw, external_id, direction)
    if record.problem != _NO_HEADERS:
        record.text, record.attachments = _body(msg)
    return record


def _message_from_bytes(raw: bytes) -> Message:
    # What BytesParser does: 8-bit bytes kept as surrogates.
    return _quick_parse(raw, 0) or email.message_from_string(
        _text(_obsolete_colons(raw)), policy=_POLICY
    )


def _obsolete_colons(raw: bytes) -> bytes:
    """The header block without the spaces RFC 5322's obsolete syntax allows before a field's
    colon (``Subject  : hi``), which the stdlib parser takes for the start of the body."""
    end = _header_end(raw)
    block = raw[: end[0]] if end else raw
    if not _OBSOLETE_COLON.search(block):
        return raw
    return _OBSOLETE_COLON.sub(rb"\1:", block) + raw[len(block) :]


def _text(data: bytes) -> str:
    return data.decode("ascii", "surrogateescape")


def _quick_parse(raw: bytes, depth: int) -> Message | None:
    """Parse well-formed mail without the stdlib's line-by-line body loop, which is most of the
    parse time. Only header blocks become text; a leaf's payload stays the bytes it was sent as
    (read with ``_payload_bytes``). Returns None at anything unusual, for the stdlib parser to
    recover from."""
    end = _header_end(raw)
    if end is None or depth > _MAX_DEPTH:
        return None
    block = raw[: end[0]]
    # A bare CR is a line break to the stdlib parser, not to this one. It matters in a header
    # block and between parts; in a leaf's content, both parsers keep it as it is.
    msg = None if _BARE_CR.search(block) else _plain_headers(_text(block))
    if msg is None:
        return None
    content_type = _content_type(msg)
    body = raw[end[1] :]
    if content_type.startswith("message/"):  # a forwarded mail or a report: rare, and the
        return None  # stdlib reads the enclosed message a little differently in its context
    if not content_type.startswith("multipart/"):
        msg._payload = body  # type: ignore[attr-defined]  # set_payload() would make it text
        return msg
    if content_type == "multipart/digest":  # its parts default to message/rfc822
        return None
    if _BARE_CR.search(body):
        return None
    parts: list[Message | str] = []
    for raw_part in _split_parts(body, msg.get_boundary()):
        part = _quick_parse(raw_part, depth + 1)
        if part is None:
            return None
        parts.append(part)
    if not parts:
        return None
    msg.set_payload(parts)
    return msg


def _header_end(raw: bytes) -> tuple[int, int] | None:
    """(end of the header block, start of the body): the first empty line, with or without CR;
    None without one. Two searches for fixed bytes, where a regular expression tried a match at
    every byte of the header block."""
    for blank in (b"\n", b"\r\n"):
        if raw.startswith(blank):
            return 0, len(blank)
    first_break = raw.find(b"\n")
    likely, other = (
        (b"\n\r\n", b"\n\n")
        if raw[first_break - 1 : first_break] == b"\r"
        else (b"\n\n", b"\n\r\n")
    )
    found = raw.find(likely)
    # the other kind of empty line, if it comes first (it cannot start where ``likely`` does)
    earlier = raw.find(other, 0, found + len(other) - 1 if found >= 0 else len(raw))
    if earlier >= 0:
        found, likely = earlier, other
    if found < 0:
        return None
    start = found - 1 if raw[found - 1 : found] == b"\r" else found
    return start, found + len(likely)


def _plain_headers(block: str) -> Message | None:
    """The header block as the stdlib's compat32 parser reads it, for blocks where it has nothing
    to repair (its line-by-line loop was a third of the parse time); None otherwise."""
    if not block:
        return None
    msg = Message(policy=_POLICY)
    field: list[str] = []
    lines = block.split("\n")
    for number, line in enumerate(lines):
        if number < len(lines) - 1:
            line += "\n"
        if line[0] in " \t":
            if not field:
                return None  # a continuation with nothing to continue
            field.append(line)
            continue
        if line.startswith("From ") or not _HEADER_NAME.match(line):
            return None  # an mbox separator, or text where a field should be
        if field:
            msg.set_raw(*_POLICY.header_source_parse(field))
        field = [line]
    msg.set_raw(*_POLICY.header_source_parse(field))
    return msg


def _split_parts(body: bytes, boundary: str | None) -> list[bytes]:
    """The parts between boundary lines, or [] unless both the first and the closing one are there.
    The line break before a boundary line belongs to the boundary (RFC 2046 5.1.1)."""
    if not boundary or not boundary.isascii():  # (a mangled one reads as U+FFFD: never found)
        return []
    marker = b"--" + boundary.encode("ascii")
    parts: list[bytes] = []
    start: int | None = None
    position = 0
    while (found := body.find(marker, position)) >= 0:
        position = found + len(marker)
        if found and body[found - 1 : found] != b"\n":
            continue  # inside a line: not a delimiter
        closing = body.startswith(b"--", position)
        line_end = body.find(b"\n", position)
        if body[position + 2 * closing : line_end if line_end >= 0 else len(body)].strip(b" \t\r"):
            continue  # a longer boundary that starts the same: not ours
        if start is not None:
            parts.append(body[start : found - (2 if body[found - 2 : found] == b"\r\n" else 1)])
        if closing:
            return parts
        if line_end < 0:
            return []
        start = line_end + 1
    return []


def _parse_headers_only(header_bytes: bytes, external_id: str, size: int, direction: str) -> Record:
    msg = _HEADER_PARSER.parsestr(header_bytes.decode("ascii", "surrogateescape"))
    record = _from_headers(msg, header_bytes, external_id, direction)
    if record.status == "ok":
        record.status = "too_large"
        record.problem = Sentence("too large to download ({size:.1f} MB)", size=size / MB)
    return record


def _from_headers(msg: Message, raw: bytes, external_id: str, direction: str) -> Record:
    """A record with every header field filled in. Without a usable sender it is still read and
    shown (nobody can answer it): "unreadable" only without any header."""
    headers = _header_map(msg)
    if not headers:
        return _unreadable(raw, external_id, direction, _NO_HEADERS)
    from_pairs = _address_pairs(headers.get("from", []))
    message_key = _message_key(_first(headers, "message-id"))
    own = _own_mail(headers, message_key)
    record = Record(
        external_id=external_id,
        channel=CHANNEL,
        direction="out" if own else direction,
        sent_at=_date(_first(headers, "date")),
        sender=_sender(from_pairs, _address_pairs(headers.get("reply-to", []))),
        recipients=_recipients(headers),
        subject=decode_header_value(headers.get("subject", [""])[0]),
        raw=raw,
        raw_type=RAW_TYPE,
        size=len(raw),
        message_key=message_key,
        reply_keys=_reply_keys(headers),
        auto=OWN_NOTE if own == "note" else _auto(headers, _content_type(msg), from_pairs),
    )
    if record.auto is None and record.direction == "in" and is_auto_reply_subject(record.subject):
        record.auto = "auto_reply"  # a mail program that marks its auto-replies by subject only
    return record


def _unreadable(raw: bytes, external_id: str, direction: str, problem: str) -> Record:
    record = unreadable_record(external_id, CHANNEL, raw, RAW_TYPE, problem)
    record.direction = direction
    return record


def _failure(error: Exception) -> Sentence:
    detail = " ".join(str(error).split())[:120]
    said = f"{type(error).__name__}: {detail}" if detail else type(error).__name__
    return Sentence("could not read this email ({said})", said=said)


# --- headers ---------------------------------------------------------------------------------


def _header_map(msg: Message) -> dict[str, list[str]]:
    """Lower-case header name -> raw values, in order. Raw values keep 8-bit bytes as surrogates."""
    headers: dict[str, list[str]] = {}
    for name, value in msg.raw_items():
        if isinstance(value, str):
            headers.setdefault(name.lower(), []).append(value)
    return headers


def _first(headers: dict[str, list[str]], name: str) -> str:
    values = headers.get(name)
    return _raw_text(_unfold(values[0])) if values else ""


def _unfold(value: str) -> str:
    """A raw header value unfolded; 8-bit bytes stay surrogates."""
    if "\n" in value or "\r" in value:
        value = _FOLD.sub("", value).replace("\r", " ").replace("\n", " ")
    return value


def _raw_text(value: str) -> str:
    """Text with the 8-bit bytes the parser smuggled in as surrogates decoded (as UTF-8 where
    they are, else as Windows-1252, byte by byte)."""
    if value.isascii():
        return value
    try:
        data = _raw_bytes(value)
    except UnicodeEncodeError:  # a lone surrogate that stands for no byte
        return value.encode("utf-8", "replace").decode("utf-8")
    return _decode_bytes(data, None)


def _raw_bytes(text: str) -> bytes:
    """The bytes of text that may hold surrogates for raw 8-bit bytes (and real letters too)."""
    return text.encode("utf-8", "surrogateescape")


def _decode_encoded_words(text: str) -> str:
    """Decode RFC 2047 words. Neighbouring words of one charset are joined as bytes first, so a
    character Outlook split across two words comes out whole."""
    if "=?" not in text:
        return _raw_text(text)
    pieces: list[tuple[bytes, str] | str] = []
    position = 0
    for match in _ENCODED_WORD.finditer(text):
        between = text[position : match.start()]
        after_word = bool(pieces) and isinstance(pieces[-1], tuple)
        if between and not (after_word and between.isspace()):
            pieces.append(_raw_text(between))
        charset = match.group(1).split("*", 1)[0].lower()  # drop an RFC 2231 language tag
        data = _word_bytes(match.group(2), match.group(3))
        last = pieces[-1] if pieces else None
        if isinstance(last, tuple) and last[1] == charset:
            pieces[-1] = (last[0] + data, charset)
        else:
            pieces.append((data, charset))
        position = match.end()
    pieces.append(_raw_text(text[position:]))
    return "".join(p if isinstance(p, str) else _decode_bytes(p[0], p[1]) for p in pieces)


def _word_bytes(encoding: str, text: str) -> bytes:
    if encoding in "qQ":
        # raw 8-bit bytes inside a word are bytes of its charset, as the stdlib reads them
        return binascii.a2b_qp(_raw_bytes(text), header=True)
    letters = _NOT_BASE64.sub("", text)
    letters = letters[: len(letters) - 1] if len(letters) % 4 == 1 else letters
    return base64.b64decode(letters + "=" * (-len(letters) % 4))


def _address_pairs(values: list[str]) -> list[tuple[str, str]]:
    """(display name, address) pairs as written, names decoded, nothing validated."""
    if not values:
        return []
    values = [_unfold(value) for value in values]
    simple = _SIMPLE_ADDRESS.fullmatch(values[0]) if len(values) == 1 else None
    if simple:  # the usual lone "Name <address>": skip the slow general parsers
        name = simple.group(1) or simple.group(2) or ""
        pairs = [(name, simple.group(3) or simple.group(4))]
    else:
        pairs = _general_pairs(values)
    return [(decode_header_value(name), _raw_text(address.strip())) for name, address in pairs]


def _general_pairs(values: list[str]) -> list[tuple[str, str]]:
    """getaddresses, which is quick; where it garbles comments into a name (``Pete(a nice chap)
    <pete@x>``) or finds no address (two without a comma), the RFC 5322 parser of
    ``policy.default``, which is ten times slower and recursive (so only on a value of sensible
    length). getaddresses keeps the old ``address (Name)`` form's name, which the other drops."""
    try:
        pairs = email.utils.getaddresses(values)
    except Exception:  # older getaddresses can trip on odd quoting; treat as no address
        pairs = []
    joined = ", ".join(values)
    garbled = any("(" in name or ")" in name for name, _ in pairs)
    if (_valid(pairs) and not garbled) or len(joined) > _MAX_ADDRESS_LIST:
        return pairs
    try:
        header = cast(email.headerregistry.AddressHeader, _ADDRESS_PARSER("to", joined))
        found = [(address.display_name, address.addr_spec) for address in header.addresses]
    except Exception:  # it raises on some broken lists (IndexError, RecursionError)
        return pairs
    if _valid(found):
        return found
    # neither found one: a bare address after a name without brackets (``Anna anna@x.it``)
    return pairs if _valid(pairs) else [("", a) for a in _ADDRESS_IN_TEXT.findall(joined)]


def _valid(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(name, address) for name, address in pairs if _ADDRESS.fullmatch(address)]


def _sender(from_pairs: list[tuple[str, str]], reply_pairs: list[tuple[str, str]]) -> Person | None:
    senders = _valid(from_pairs)
    if not senders:
        return None
    name, address = senders[0]
    handles = [Handle("email", address)]
    for _, reply_address in _valid(reply_pairs):
        handle = Handle("email", reply_address)
        if handle not in handles:
            handles.append(handle)
    return Person(name, handles)


def _recipients(headers: dict[str, list[str]]) -> list[Person]:
    people: dict[Handle, Person] = {}
    pairs = _address_pairs(headers.get("to", []) + headers.get("cc", []))
    for name, address in _valid(pairs):
        handle = Handle("email", address)
        people.setdefault(handle, Person(name, [handle]))
    return list(people.values())


def _date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
        if when.tzinfo is None:  # "-0000" means "zone unknown": take it as UTC
            when = when.replace(tzinfo=UTC)
        return when.astimezone(UTC)
    except Exception:  # parsedate raises several types on nonsense and out-of-range dates
        return None


def _message_key(value: str) -> str | None:
    match = _BRACKETED.search(value)
    key = "".join((match.group(1) if match else value).split())
    return key or None


def _reply_keys(headers: dict[str, list[str]]) -> tuple[str, ...]:
    keys: list[str] = []
    for name in ("in-reply-to", "references"):
        value = _first(headers, name)
        found = _BRACKETED.findall(value) or [t for t in value.split() if "@" in t]
        keys.extend("".join(key.split()) for key in found)
    return tuple(dict.fromkeys(key for key in keys if key))


def _own_mail(headers: dict[str, list[str]], message_key: str | None) -> str | None:
    """Mail Banco sent itself: "reply" (to a customer), "note" (to the maker); else None. Its
    header goes with a Message-ID of Banco's making (a customer's mail program copies neither);
    a digest sent before the header existed is known by its Message-ID alone."""
    key = message_key or ""
    if not key.startswith(OWN_KEY_PREFIX):
        return None
    said = _token(headers, OWN_HEADER.lower())
    if key.startswith(NOTE_KEY_PREFIX) or (said and said != "reply"):
        return "note"
    return "reply" if said else None


def _token(headers: dict[str, list[str]], name: str) -> str:
    """First word of a header, lower-case: the part Auto-Submitted and Precedence are read by."""
    words = _first(headers, name).replace(";", " ").split()
    return words[0].lower() if words else ""


def _auto(
    headers: dict[str, list[str]], content_type: str, from_pairs: list[tuple[str, str]]
) -> str | None:
    local_parts = {address.split("@", 1)[0].lower() for _, address in from_pairs}
    if content_type == "multipart/report" or local_parts.intersection(_BOUNCE_SENDERS):
        return "bounce"
    auto_submitted = _token(headers, "auto-submitted")
    precedence = _token(headers, "precedence")
    if (
        (auto_submitted and auto_submitted != "no")
        or "x-autoreply" in headers
        or "x-autorespond" in headers
        or precedence == "auto_reply"
    ):
        return "auto_reply"
    if (
        precedence in ("bulk", "junk", "list")
        or "list-id" in headers
        or "list-unsubscribe" in headers
    ):
        return "bulk"
    return None


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except Exception:  # a mangled header reads as the RFC default
        return "text/plain"


# --- body and attachments --------------------------------------------------------------------


def _body(msg: Message) -> tuple[str, list[Attachment]]:
    """The readable text (plain parts, else HTML as text) and every other leaf as an attachment.
    A text part with a filename but not marked as an attachment is the text when no part without
    a filename is (some mail programs name the only text part), else an attachment."""
    plain: list[str] = []
    html: list[str] = []
    attachments: list[Attachment] = []
    leaves = [_leaf(part) for part in _leaves(msg)]
    named_is_text = not any(inline and filename is None for _, _, filename, inline in leaves)
    for part, content_type, filename, inline in leaves:
        if inline and (filename is None or named_is_text):
            (html if content_type == "text/html" else plain).append(_part_text(part))
        else:
            attachments.append(_attachment(part, content_type, filename, len(attachments) + 1))
    text = "\n\n".join(t for t in plain if t)
    if not text:
        text = "\n\n".join(t for t in map(_html_to_text, html) if t)
    return text, attachments


def _leaf(part: Message) -> tuple[Message, str, str | None, bool]:
    """A leaf with its content type, filename, and whether it is inline text."""
    _repair_8bit_headers(part)
    content_type = _content_type(part)
    if content_type.startswith("multipart/"):  # a multipart without a boundary: read as text
        content_type = "text/plain"
    inline = content_type in _BODY_TYPES and part.get_content_disposition() != "attachment"
    return part, content_type, _filename(part), inline


def _leaves(msg: Message) -> Iterator[Message]:
    """Leaf parts in document order. A message/* part is one leaf: a forwarded mail or a bounce
    report is an attachment, not more body."""
    stack = [msg]
    while stack:
        part = stack.pop()
        if part.is_multipart() and part.get_content_maintype() != "message":
            stack.extend(reversed(_subparts(part)))
        else:
            yield part


def _subparts(part: Message) -> list[Message]:
    payload = part.get_payload()
    return [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []


def _repair_8bit_headers(part: Message) -> None:
    """Turn raw 8-bit Content-Type/Disposition values into text, so parameters read correctly."""
    for name, value in part.raw_items():
        if name.lower() in ("content-type", "content-disposition") and not value.isascii():
            part.replace_header(name, _raw_text(_unfold(value)))


def _filename(part: Message) -> str | None:
    value = part.get_param("filename", None, "content-disposition")
    if value is None:
        value = part.get_param("name", None, "content-type")
    if value is None:
        return None
    if isinstance(value, tuple):  # RFC 2231: (charset, language, text with one char per byte)
        value = _rfc2231_text(value[2], value[0])
    # Keep only the last path component: a filename is never a place to write to.
    name = re.split(r"[/\\]", decode_header_value(value))[-1].strip()
    return name or None


def _rfc2231_text(text: str, charset: str | None) -> str:
    try:
        data = text.encode("latin-1")
    except UnicodeEncodeError:  # already real text
        return text
    return _decode_bytes(data, charset or None)


def _part_text(part: Message) -> str:
    data = _payload_bytes(part)
    if data is None:
        return ""
    charset = part.get_content_charset()
    codec = _codec(charset) if charset else None
    if codec is None or _bytewise(codec):  # line breaks as bytes: several times faster
        return _decode_bytes(_line_breaks(data, b"\r", b"\n", _BARE_CR), charset).strip()
    return _line_breaks(_decode_bytes(data, charset), "\r", "\n", _BARE_CR_TEXT).strip()


def _line_breaks(text: AnyStr, cr: AnyStr, lf: AnyStr, bare_cr: re.Pattern[AnyStr]) -> AnyStr:
    """CRLF and a lone CR as LF."""
    if cr not in text:
        return text
    if bare_cr.search(text):
        return text.replace(cr + lf, lf).replace(cr, lf)
    return text.replace(cr, cr[:0])  # the same when every CR starts a CRLF, in a third of the time


@lru_cache(maxsize=64)
def _bytewise(codec: str) -> bool:
    """True for UTF-8 and single-byte charsets (not EBCDIC): a CR or LF byte there is always that
    character, never part of another, so line breaks can be made one before decoding. (Without
    a declared charset the text is read as UTF-8, else Windows-1252: both are.)"""
    if codec == "utf-8":
        return True
    try:
        every_byte = bytes(range(256)).decode(codec, "replace")
    except Exception:  # a codec that cannot decode on its own
        return False
    return len(every_byte) == 256 and every_byte[10] == "\n" and every_byte[13] == "\r"


def _attachment(part: Message, content_type: str, filename: str | None, number: int) -> Attachment:
    data = _part_bytes(part)
    name = filename or f"attachment-{number}{_extension(content_type)}"
    return Attachment(name, content_type, len(data), data)


def _part_bytes(part: Message) -> bytes:
    payload = _payload_bytes(part)
    if payload is not None:
        return payload
    try:  # a message/* part: its enclosed message (or report blocks) as bytes
        return b"".join(sub.as_bytes() for sub in _subparts(part))
    except Exception:  # regenerating a broken enclosed message can fail; its bytes stay in raw
        return b""


def _payload_bytes(part: Message) -> bytes | None:
    """A leaf's content with its transfer encoding undone, as ``get_payload(decode=True)`` gives
    it, also for a payload the quick parser left as bytes (the stdlib method mishandles those);
    None for a part made of parts."""
    # get_payload() decodes a payload with 8-bit bytes by its charset: read it as it is
    payload = part._payload  # type: ignore[attr-defined]
    if isinstance(payload, str):
        payload = payload.encode("ascii", "surrogateescape")
    elif not isinstance(payload, bytes):
        return None
    encoding = str(part.get("content-transfer-encoding", "")).lower()
    if encoding == "quoted-printable":
        return quopri.decodestring(payload)
    if encoding == "base64":
        return _base64_payload(b"".join(payload.splitlines()))
    if encoding in _UUENCODINGS:  # rare: the stdlib's own reading, given the payload as text
        part.set_payload(_text(payload))
        decoded = part.get_payload(decode=True)
        return decoded if isinstance(decoded, bytes) else None
    return payload


def _base64_payload(encoded: bytes) -> bytes:
    """A base64 body decoded as ``get_payload(decode=True)`` decodes it (the stdlib's private
    ``email._encoded_words.decode_b``, written with the public ``base64`` calls): strict with
    the padding mended, else skipping stray characters, else with padding added; a length that
    cannot be base64 gives the bytes back as they are."""
    pad = len(encoded) % 4
    try:
        return base64.b64decode(encoded + b"==="[: 4 - pad] if pad else encoded, validate=True)
    except binascii.Error:
        pass
    for padding in (b"", b"=="):
        try:
            return base64.b64decode(encoded + padding, validate=False)
        except binascii.Error:
            continue
    return encoded


def _extension(content_type: str) -> str:
    guessed = _MIMETYPES.guess_extension(content_type)
    if guessed:
        return guessed
    return ".txt" if content_type.startswith(("text/", "message/")) else ".bin"


def _html_to_text(html: str) -> str:
    converter = html2text.HTML2Text()
    converter.body_width = 0
    converter.ignore_images = True
    converter.ignore_links = True
    converter.ignore_emphasis = True
    converter.unicode_snob = True
    try:
        markdown = converter.handle(html)
    except Exception:  # html.parser gives up on some broken markup: fall back to bare text
        markdown = re.sub(r"<[^>]*>", " ", html)
    return _tidy_markdown(markdown)


def _tidy_markdown(markdown: str) -> str:
    """Drop the Markdown escapes, table rules and hard-break spaces html2text adds."""
    lines = []
    for line in markdown.replace("\xa0", " ").splitlines():
        line = line.rstrip()
        if "|" in line and not line.strip("-|: "):
            continue  # the rule under a table's first row
        line = _LIST_ESCAPE.sub(r"\1\2", line)
        lines.append(_NUMBER_ESCAPE.sub(r"\1.", line))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# --- charsets ----------------------------------------------------------------------------------


def _decode_bytes(data: bytes, charset: str | None) -> str:
    """Decode by the declared charset; unknown or missing: UTF-8, else Windows-1252."""
    codec = _codec(charset) if charset else None
    if codec:
        return data.decode(codec, "replace")
    return data.decode("utf-8", _UTF8_ELSE_CP1252)


def _bytes_as_cp1252(error: UnicodeError) -> tuple[str, int]:
    """Read the bytes that are not UTF-8 as Windows-1252, one by one: one stray byte in UTF-8
    text costs one letter, not the whole text, and Latin-1 text reads as it did. cp1252 rather
    than latin-1: same letters, plus the quotes and euro sign that mislabelled Windows mail
    really holds in 0x80-0x9f."""
    assert isinstance(error, UnicodeDecodeError)
    return error.object[error.start : error.end].decode("cp1252", "replace"), error.end


_UTF8_ELSE_CP1252 = "banco-utf8-else-cp1252"
codecs.register_error(_UTF8_ELSE_CP1252, _bytes_as_cp1252)


@lru_cache(maxsize=256)
def _codec(charset: str) -> str | None:
    """The codec to decode a declared charset with, or None to guess."""
    try:
        info = codecs.lookup(charset.strip().strip("\"'"))
    except (LookupError, ValueError):
        return None
    # "us-ascii" on a message with 8-bit bytes means the sender did not say: guess.
    if info.name == "ascii" or info.name in _REFUSED_CODECS:
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None
    return _SUPERSETS.get(info.name, info.name)
