"""Reading messages from the selected folder: sizes first, then bodies in bounded batches.

Only ``BODY.PEEK`` is ever asked for, so the server never marks a message as read. A first, cheap
FETCH of ``RFC822.SIZE`` decides how the bodies are fetched: at most
``batch_count`` messages and about ``batch_bytes`` per command (imapclient does not split UID lists,
Dovecot refuses very long ones, and memory follows the batch size), and only the header block of a
message larger than the account's limit. When the message was sent is read from its Date
header; for a message without a usable one, Banco asks the server when it arrived
(``INTERNALDATE``), once for the rest of its batch (asked for every message, those dates were half
the cost of the first FETCH, for a few messages in a thousand).

A command the server refuses, or drops the connection over, is repeated message by message, so one
message the server cannot read becomes an unreadable record (kept, and shown to the maker) instead
of stopping the folder at every collect. A message counts as one the server cannot send when the
server answers NO for it alone, or drops the connection twice over it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from imapclient.exceptions import IMAPClientAbortError, IMAPClientError

from banco.config.sentence import Sentence
from banco.connectors.base import Record, unreadable_record
from banco.connectors.email import parse_headers_only, parse_message
from banco.connectors.email.parse import CHANNEL, RAW_TYPE

from .keys import digest_key
from .session import FolderSession

SIZES = (b"RFC822.SIZE",)
ARRIVAL = (b"INTERNALDATE",)
WHOLE = (b"BODY.PEEK[]",)
HEADER = (b"BODY.PEEK[HEADER]",)
#: the key each answer comes back under
_ANSWER = {WHOLE: b"BODY[]", HEADER: b"BODY[HEADER]"}

#: UIDs per FETCH of sizes
SIZE_CHUNK = 2_000

#: per UID: the FETCH answer, or why the server could not give it
Answers = dict[int, dict[bytes, Any] | str]
#: a message's UID and its record (None: it was deleted meanwhile)
Read = tuple[int, Record | None]


@dataclass(frozen=True)
class Envelope:
    """What the cheap FETCH says about one message (``problem``: why it could not be read)."""

    uid: int
    size: int
    problem: str | None = None


@dataclass(frozen=True)
class Limits:
    batch_count: int
    batch_bytes: int
    #: larger messages are fetched as headers only
    max_message: int


def batches(found: list[Envelope], limits: Limits) -> Iterator[list[Envelope]]:
    """Consecutive runs of at most ``batch_count`` messages and about ``batch_bytes`` of bodies
    (a single larger message is a batch of its own)."""
    batch: list[Envelope] = []
    size = 0
    for envelope in found:
        cost = envelope.size if envelope.size <= limits.max_message else 0
        if batch and (len(batch) >= limits.batch_count or size + cost > limits.batch_bytes):
            yield batch
            batch, size = [], 0
        batch.append(envelope)
        size += cost
    if batch:
        yield batch


def read_messages(reader: MessageReader, uids: list[int], limits: Limits) -> Iterator[Read]:
    """The records of ``uids`` in UID order, fetched batch by batch."""
    for start in range(0, len(uids), SIZE_CHUNK):
        for batch in batches(reader.envelopes(uids[start : start + SIZE_CHUNK]), limits):
            yield from reader.read(batch)


class MessageReader:
    """Turns one folder's messages into records."""

    def __init__(self, session: FolderSession, direction: str, limits: Limits) -> None:
        self.session = session
        self.prefix = f"{session.folder}/{session.uidvalidity}/"
        self.direction = direction
        self.limits = limits

    def envelopes(self, uids: list[int]) -> list[Envelope]:
        """Size of each message still there, in UID order."""
        answers = self._fetch(uids, SIZES)
        found = []
        for uid in uids:
            answer = answers.get(uid)
            if answer is None:
                continue  # deleted meanwhile
            if isinstance(answer, str):
                found.append(Envelope(uid, 0, answer))
                continue
            size = answer.get(b"RFC822.SIZE")
            found.append(Envelope(uid, size if isinstance(size, int) else 0))
        return found

    def read(self, batch: list[Envelope]) -> Iterator[Read]:
        """Each message of ``batch`` in order with its record (None: the server no longer has
        it). Fetched in one go, parsed one at a time as asked: only one parsed record is held."""
        readable = [e for e in batch if e.problem is None]
        large = {e.uid for e in readable if e.size > self.limits.max_message}
        answers = {
            **self._fetch([e.uid for e in readable if e.uid not in large], WHOLE),
            **self._fetch(sorted(large), HEADER),
        }
        arrivals: dict[int, datetime] | None = None
        for index, envelope in enumerate(batch):
            if envelope.problem is not None:
                record = self._record(envelope, envelope.problem, False)
            elif (answer := answers.pop(envelope.uid, None)) is not None:
                items = HEADER if envelope.uid in large else WHOLE
                data = answer if isinstance(answer, str) else answer.get(_ANSWER[items])
                content = data if isinstance(data, bytes | str) else "the server sent no content"
                record = self._record(envelope, content, envelope.uid in large)
            else:
                yield envelope.uid, None
                continue
            if record.sent_at is None:  # no usable Date header: when it arrived
                if arrivals is None:
                    arrivals = self._arrivals([e.uid for e in batch[index:]])
                record.sent_at = arrivals.get(envelope.uid)
            yield envelope.uid, record

    def _arrivals(self, uids: list[int]) -> dict[int, datetime]:
        """When each of ``uids`` arrived, as far as the server says."""
        found = {}
        for uid, answer in self._fetch(uids, ARRIVAL).items():
            received = None if isinstance(answer, str) else answer.get(b"INTERNALDATE")
            if isinstance(received, datetime):
                found[uid] = _utc(received)
        return found

    def _fetch(self, uids: list[int], items: tuple[bytes, ...]) -> Answers:
        if not uids:
            return {}
        try:
            return dict(self.session.client.fetch(uids, list(items)))
        except IMAPClientAbortError:
            self.session.reopen()
        except IMAPClientError as e:
            if len(uids) == 1:
                return {uids[0]: _reason(e)}
        if len(uids) == 1:
            return self._fetch_again(uids[0], items)
        one_by_one: Answers = {}
        for uid in uids:  # find the message the server cannot send, and keep the others
            one_by_one.update(self._fetch([uid], items))
        return one_by_one

    def _fetch_again(self, uid: int, items: tuple[bytes, ...]) -> Answers:
        """A second try for a message the server dropped the connection over."""
        try:
            return dict(self.session.client.fetch([uid], list(items)))
        except IMAPClientAbortError as e:
            self.session.reopen()
            return {
                uid: Sentence(
                    "the server drops the connection when asked for it: {reason}", reason=_reason(e)
                )
            }
        except IMAPClientError as e:
            return {uid: _reason(e)}

    def _record(self, envelope: Envelope, content: bytes | str, headers_only: bool) -> Record:
        external_id = self.prefix + str(envelope.uid)
        if isinstance(content, str):
            problem = Sentence("the mail server could not send this message ({said})", said=content)
            record = unreadable_record(external_id, CHANNEL, b"", RAW_TYPE, problem)
            record.direction, record.size = self.direction, envelope.size
        elif headers_only:
            record = parse_headers_only(content, external_id, envelope.size, self.direction)
        else:
            record = parse_message(content, external_id, self.direction)
        if record.message_key is None and record.raw:
            record.message_key = digest_key(record.raw)
        return record


def _reason(error: Exception) -> str:
    text = str(error)
    for prefix in ("command: FETCH => ", "FETCH failed: ", "fetch failed: "):
        text = text.replace(prefix, "")
    return " ".join(text.split())[:200]


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
