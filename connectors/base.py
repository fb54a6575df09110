"""The connector contract: what a connector is, and the records it hands to the store.

A connector is a pure adapter. It talks to one service and returns :class:`Page` objects; it never
opens the store. The sync runner writes each page's records and its cursor in one transaction, so a
connector only has to promise three things:

* pages come in order, each carrying the cursor *after* its records, per stream;
* the cursor only moves forward;
* fetching again from any saved cursor may repeat records but never skips one (the store ignores
  repeats by ``(account, external_id)``).

Sending is a separate, optional :class:`Sender` protocol, so a read-only source stays small.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from functools import reduce
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from banco.config import Option
from banco.config.sentence import Sentence

#: Kinds of handle a contact can be reached or recognised by.
HANDLE_KINDS = ("email", "phone", "telegram", "telegram_username")


def normalise_handle(kind: str, value: str) -> str:
    """The form a handle is stored and matched in: lower-case email, digits-only phone, bare username."""
    value = value.strip()
    if kind == "email":
        return value.lower()
    if kind == "phone":
        digits = re.sub(r"[^\d+]", "", value)
        return "+" + digits.lstrip("+").lstrip("0") if digits.startswith(("+", "00")) else digits
    if kind == "telegram_username":
        return value.lstrip("@").lower()
    return value


@dataclass(frozen=True)
class Handle:
    """One address of a person on one channel: ``Handle("email", "ann@example.com")``."""

    kind: str
    value: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", normalise_handle(self.kind, self.value))


@dataclass
class Person:
    name: str = ""
    handles: list[Handle] = field(default_factory=list)


@dataclass
class Attachment:
    """A file that came with a message. ``data`` is None when it was too large to fetch."""

    filename: str
    content_type: str
    size: int
    data: bytes | None = None


@dataclass
class OrderFields:
    """What an order form asked, mapped to Banco's fields. Unmapped answers go in ``custom``."""

    title: str = ""
    details: str = ""
    quantity: int | None = None
    deadline: date | None = None
    budget: str = ""
    notes: str = ""
    links: list[str] = field(default_factory=list)
    custom: dict[str, str] = field(default_factory=dict)


#: ``Record.auto`` of a note Banco sent the maker itself (the digest), found again in a mailbox:
#: kept, but never part of a conversation, never waiting, never an answer
OWN_NOTE = "banco_note"


@dataclass
class Record:
    """One message, chat post or form answer, exactly as the store will keep it.

    ``raw`` is what the service sent (RFC 822 bytes, JSON, a CSV row) so a record can be parsed
    again later. ``status`` is "ok", "unreadable" (parse failed; ``problem`` says why) or
    "too_large" (only headers were fetched). ``auto`` marks auto-replies and bounces, which never
    create orders and are never answered automatically, and Banco's own notes (``OWN_NOTE``).
    """

    external_id: str
    channel: str
    direction: str = "in"
    sent_at: datetime | None = None
    sender: Person | None = None
    recipients: list[Person] = field(default_factory=list)
    subject: str = ""
    text: str = ""
    raw: bytes = b""
    raw_type: str = "rfc822"
    status: str = "ok"
    problem: str = ""
    size: int = 0
    message_key: str | None = None
    reply_keys: tuple[str, ...] = ()
    conversation: str | None = None
    auto: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    order: OrderFields | None = None
    #: the sender opened an order's link (Telegram ``/start <payload>``): when the payload is the
    #: order's token, the sender's handles join that order's customer and the message joins it
    order_ref: str | None = None
    #: the data of a button the sender pressed (only the maker sees Banco's buttons)
    button: str | None = None
    _fingerprint: str | None = field(default=None, init=False, repr=False, compare=False)

    def fingerprint(self, text_utf8: bytes | None = None) -> str:
        """What makes two versions of a record different for the maker (a SHA-256), worked out
        once: a record is not changed after it is asked. A connector reading in a helper process
        asks before it sends a record, so Banco's own process does not spend the time.
        ``text_utf8``: the text encoded by ``encode_text``, for a caller that has it already."""
        if self._fingerprint is None:
            small = [
                self.status,
                asdict(self.order) if self.order else None,
                [(a.filename, a.size) for a in self.attachments],
            ]
            digest = hashlib.sha256()
            # The text goes in as it is: encoding a long mail's text as JSON took a tenth of its
            # filing.
            for data in (
                encode_text(self.subject or ""),
                encode_text(self.text or "") if text_utf8 is None else text_utf8,
                encode_text(json.dumps(small, default=str)),
            ):
                digest.update(len(data).to_bytes(8, "big"))
                digest.update(data)
            self._fingerprint = digest.hexdigest()
        return self._fingerprint


def encode_text(text: str) -> bytes:
    """``text`` as UTF-8, any lone surrogate kept (``decode_text`` gives it back)."""
    return text.encode("utf-8", "surrogatepass")


def decode_text(data: bytes) -> str:
    return data.decode("utf-8", "surrogatepass")


def joined(parts: Sequence[str], separator: str) -> str:
    """``parts`` joined by ``separator``, each kept a Sentence the inbox says in her language."""
    if not parts:
        return ""
    return reduce(
        lambda one, other: Sentence(
            "{one}{separator}{other}", one=one, separator=separator, other=other
        ),
        parts,
    )


def folder_counts(counts: dict[str, int]) -> Sentence:
    """The counts of a mailbox in words, such as "12 messages in INBOX, 3 in Sent"."""
    if not counts:
        return Sentence("no folders to read")
    (first, n), *rest = counts.items()
    if n == 1:
        words = Sentence("1 message in {folder}", folder=first)
    else:
        words = Sentence("{n} messages in {folder}", n=n, folder=first)
    others = [Sentence("{n} in {folder}", n=m, folder=folder) for folder, m in rest]
    return Sentence(joined([words, *others], ", "))


def unreadable_record(
    external_id: str, channel: str, raw: bytes, raw_type: str, problem: str
) -> Record:
    """The record to keep when a parser gave up: the raw bytes and the reason, nothing lost."""
    return Record(
        external_id=external_id,
        channel=channel,
        raw=raw,
        raw_type=raw_type,
        status="unreadable",
        problem=problem,
        size=len(raw),
    )


@dataclass
class Page:
    """Records of one stream (a folder, a chat feed, a sheet) and the cursor just after them."""

    stream: str
    cursor: Any
    records: list[Record]
    #: How many records this fetch still expects after this page, when the source can tell.
    remaining: int | None = None
    #: How many records the stream holds at the source (in the window Banco syncs), when known
    #: cheaply: Banco compares it with what it stored and shows a difference in the digest.
    source_count: int | None = None


@dataclass
class CheckResult:
    """What ``check()`` reached. ``counts`` is how many records the source holds per stream in the
    window Banco syncs, so ``banco check`` can compare it with the store."""

    summary: str
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    #: facts worth remembering about the account, kept in the store (``account_state.details``).
    #: ``order_link`` is a link template with ``{token}`` (the order's own, unguessable) or
    #: ``{ref}`` that Banco prints for every order, such as ``https://t.me/shop_bot?start={token}``.
    details: dict[str, str] = field(default_factory=dict)


class Clock(Protocol):
    """Where "now" comes from: the shop's clock, which tests set to a fixed time."""

    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(frozen=True)
class Context:
    """What a connector may know about the shop: its folder, its time zone and its clock.

    A connector takes the date from ``now()``, never from the machine, so that a shop on a fixed
    clock (a test) sees one date throughout. Waiting is still measured with ``time.monotonic``.
    """

    home: Path
    timezone: ZoneInfo
    clock: Clock = field(default_factory=SystemClock)

    def now(self) -> datetime:
        """The shop's clock now, in the shop's time zone."""
        return self.clock.now().astimezone(self.timezone)


@runtime_checkable
class Connector(Protocol):
    """A source of records. Built from an ``[[accounts]]`` table already checked against ``options``."""

    kind: ClassVar[str]
    options: ClassVar[Mapping[str, Option]]

    def __init__(self, name: str, settings: Mapping[str, Any], context: Context) -> None: ...

    def check(self) -> CheckResult:
        """Reach the source cheaply. Raises NeedsUser or TryLater with a sentence for the maker."""
        ...

    def fetch(self, cursors: Mapping[str, Any]) -> Iterator[Page]:
        """Yield pages after the saved cursors (``{stream: cursor}``, empty on the first run)."""
        ...

    def close(self) -> None: ...

    # Optional, by convention (not part of the Protocol so that simple connectors stay small):
    #   fix() -> list[str]          repair what check() found, for `banco check --fix`
    #   authorize(echo, prompt)     a one-time sign-in for `banco auth ACCOUNT` (OAuth)
    #   channel: str                "email", "telegram", "form": what its records are, so Banco
    #                               knows which account can reach the maker by email or chat
    #   max_quiet_hours: int        the source forgets records not fetched within this many hours;
    #                               `banco check` warns when the collect times leave a longer gap


@dataclass
class Outgoing:
    """A reply leaving Banco: to whom, what, and what it answers."""

    outbox_id: int
    to: Handle
    subject: str
    text: str
    message_key: str
    #: an HTML version, for channels that show it (the digest by email)
    html: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    conversation: str | None = None
    #: the channel's id of the message answered (Telegram replies quote it)
    reply_to_external_id: str | None = None
    auto: bool = False
    attachments: list[Attachment] = field(default_factory=list)
    #: rows of (label, data) buttons under the message, for channels that have them (Telegram);
    #: only ever sent to the maker
    buttons: tuple[tuple[tuple[str, str], ...], ...] = ()
    #: keep a copy where the maker's own mail program shows it (the Sent folder); not for the
    #: digest, which is Banco's note to the maker, not part of a conversation
    keep_copy: bool = True
    #: "reply" (to a customer) or "digest" (Banco's note to the maker); an email says so in its
    #: X-Banco header, so that Banco knows its own mail when it finds it in a mailbox
    kind: str = "reply"


@dataclass
class Receipt:
    """What the channel said when it took a reply: the id it gave, and the record to store.

    ``keep_copy``, when given, is run once Banco has recorded the reply as sent: the work that
    follows the reply, such as its copy in the Sent folder. Nothing slow belongs in ``send``
    after the channel took the reply: until Banco records it, a stop leaves the reply "may have
    been sent". A failure of ``keep_copy`` is the channel's to swallow: the reply went out.
    """

    external_id: str
    record: Record
    keep_copy: Callable[[], None] | None = None


#: called by ``Sender.send`` just before the first byte that can deliver a reply leaves
HandingOver = Callable[[], None]


@runtime_checkable
class Sender(Protocol):
    """A connector that can also send replies.

    ``send`` calls ``handing_over()`` once, right before the bytes that can deliver the reply go
    out (SMTP DATA, Telegram sendMessage), after everything that can fail without delivering it
    (connecting, logging in, naming the recipient). If ``handing_over`` raises, ``send`` lets it
    through and sends nothing. What ``send`` raises tells Banco what is certain:

    * before ``handing_over``: nothing left Banco. Rejected (refused for good), NeedsUser or
      TryLater as ``fetch`` does;
    * after it: Rejected, NeedsUser or TryLater only when the channel said for certain that it
      did not take the reply (an SMTP 4xx/5xx answer to DATA); MayHaveBeenSent for anything
      uncertain (a timeout, a dropped connection). Any other exception counts as uncertain.

    ``was_sent`` is asked about a reply that may have been sent: True only when the channel
    proves it went out (email finds the Message-ID in the Sent folder), else False.
    """

    def send(self, message: Outgoing, handing_over: HandingOver) -> Receipt: ...

    def was_sent(self, message: Outgoing) -> bool: ...
