"""``ImapConnector``, the connector itself; what it does is said in the package's docstring."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from functools import partial
from typing import Any, ClassVar

from imapclient import IMAPClient

from banco.config import Option
from banco.config.sentence import Sentence
from banco.connectors.base import (
    CheckResult,
    Context,
    HandingOver,
    Outgoing,
    Page,
    Receipt,
    folder_counts,
    joined,
)
from banco.connectors.email import parse_message
from banco.connectors.email.parse import MB
from banco.connectors.errors import ConnectorError, NeedsUser, Rejected

from .client import SessionLost, close_session, imap_errors, open_session
from .compose import compose
from .folders import FolderMissing, FolderPlan, FolderSync, count_window, folder_status
from .helper import available as helper_available
from .memory import map_large_buffers
from .messages import Limits
from .options import OPTIONS
from .sent import holds_message, keep_copy
from .session import examine
from .settings import ImapSettings, read_settings
from .smtp import check_smtp, send_mail

__all__ = ["ImapConnector"]

#: `banco check` waits no longer than this for the SMTP server
SMTP_CHECK_SECONDS = 15.0


class ImapConnector:
    kind: ClassVar[str] = "imap"
    channel: ClassVar[str] = "email"
    options: ClassVar[Mapping[str, Option]] = OPTIONS
    #: Records per page (one transaction each); tests lower it to get many cursors. Fifty mails
    #: (two megabytes or so) about fill SQLite's page cache: a hundred measured some 5% slower,
    #: as SQLite wrote pages out before the commit, and held twice the records in memory.
    PAGE_SIZE = 50
    #: At most this many messages, and about this many bytes, per FETCH of bodies.
    FETCH_BATCH = 500
    BATCH_BYTES = 1 * MB
    #: Reads of at least this many messages (a first collect) run in a helper process, so that
    #: reading and storing each use a processor (None: always read here; see ``helper``).
    HELPER_FROM: int | None = 500 if helper_available() else None

    def __init__(self, name: str, settings: Mapping[str, Any], context: Context) -> None:
        self.name = name
        self.context = context
        self._settings: ImapSettings | None = None
        self._problem: NeedsUser | None = None
        try:
            self._settings = read_settings(name, settings, context.home)
        except NeedsUser as e:  # said when the account is used, as every other failure is
            self._problem = e
        self._client: IMAPClient | None = None

    # --- reading ----------------------------------------------------------------------------
    def check(self) -> CheckResult:
        settings = self._ready()
        counts: dict[str, int] = {}
        with self._talking():
            client = self._session()
            for folder, direction in settings.streams.items():
                status = folder_status(client, folder, self.name, _key(direction))
                window = settings.window_start(self._today())
                if window is None:
                    counts[folder] = status.get(b"MESSAGES", 0)
                else:
                    counts[folder] = count_window(client, examine(client, folder), window)
        warnings: list[str] = []
        try:
            check_smtp(replace(settings.smtp, timeout=min(settings.timeout, SMTP_CHECK_SECONDS)))
        except ConnectorError as e:
            warnings.append(Sentence("replies cannot be sent yet: {problem}", problem=e.sentence))
        return CheckResult(
            summary=Sentence(
                "IMAP {username} at {host}: {counts}",
                username=settings.login.username,
                host=settings.host,
                counts=folder_counts(counts),
            ),
            counts=counts,
            warnings=warnings,
        )

    def fetch(self, cursors: Mapping[str, Any]) -> Iterator[Page]:
        settings = self._ready()
        map_large_buffers()
        plan = FolderPlan(
            page_size=self.PAGE_SIZE,
            limits=Limits(self.FETCH_BATCH, self.BATCH_BYTES, settings.max_bytes),
            window_start=settings.window_start(self._today()),
            helper_from=self.HELPER_FROM,
        )
        missing: list[Sentence] = []
        with self._talking():
            for folder, direction in settings.streams.items():
                client = self._session()
                sync = FolderSync(
                    client,
                    self._reconnect,
                    folder,
                    direction,
                    plan,
                    self.name,
                    _key(direction),
                    open_client=self._new_session,
                )
                try:
                    yield from sync.pages(cursors.get(folder))
                except FolderMissing as e:  # the other folders go on
                    missing.append(e.sentence)
        if missing:
            raise NeedsUser(joined(missing, " "))

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            close_session(client)

    # --- sending ----------------------------------------------------------------------------
    def send(self, message: Outgoing, handing_over: HandingOver) -> Receipt:
        settings = self._ready()
        if message.to.kind != "email":
            raise Rejected("{address} is not an email address", address=message.to.value)
        if "@" not in settings.from_address:
            raise NeedsUser(
                "Banco does not know which address to send from: add `from_address` to the"
                ' account "{name}".',
                name=self.name,
            )
        when = self.context.now()
        data = compose(message, settings.from_address, settings.from_name, when)
        send_mail(settings.smtp, settings.from_address, message.to.value, data, handing_over)
        record = parse_message(data, f"sent:{message.message_key}", "out")
        if not (settings.append_to_sent and settings.sent_folder and message.keep_copy):
            return Receipt(record.external_id, record)
        # After Banco has recorded the reply: the APPEND is a round trip, and Banco stopping
        # before the reply is recorded would have it look for the copy and send the reply again.
        return Receipt(
            record.external_id,
            record,
            keep_copy=partial(self._keep_copy, settings.sent_folder, data, when),
        )

    def _keep_copy(self, folder: str, data: bytes, when: datetime) -> None:
        try:
            with self._talking():
                keep_copy(self._session(), folder, data, when)
        except ConnectorError:
            pass  # the reply went out; only the maker's copy in Sent is missing

    def was_sent(self, message: Outgoing) -> bool:
        """True when the Sent folder holds the reply. Its absence proves nothing: Banco files
        its own copy only after recording the reply, and a provider may file it late."""
        settings = self._ready()
        if not settings.sent_folder:
            return False
        with self._talking():
            return holds_message(self._session(), settings.sent_folder, message.message_key)

    # --- `banco auth` -----------------------------------------------------------------------
    def authorize(self, echo: Callable[[str], None], prompt: Callable[[str], str]) -> None:
        """Sign in once with the maker's own Google or Microsoft account, then test the login."""
        settings = self._ready()
        if settings.sign_in is None:
            raise NeedsUser(
                '"{name}" logs in with its password, so there is nothing to sign in to: `banco'
                ' check` tests it. For Gmail or Outlook without a password, write auth = "google"'
                ' or auth = "microsoft" in its block of banco.toml (see the README).',
                name=self.name,
            )
        from .signin import sign_in  # only `banco auth` needs the browser and msal

        sign_in(settings.sign_in, echo, prompt)
        echo(Sentence("{account}: {summary}", account=self.name, summary=self.check().summary))

    # --- plumbing ---------------------------------------------------------------------------
    def _ready(self) -> ImapSettings:
        if self._problem is not None:
            raise self._problem
        assert self._settings is not None
        return self._settings

    def _session(self) -> IMAPClient:
        if self._client is None:
            self._client = open_session(self._ready())
        return self._client

    def _reconnect(self) -> IMAPClient:
        """A new session in place of one the server dropped."""
        self._drop_session()
        return self._session()

    def _new_session(self) -> IMAPClient:
        """A session of its own, for a helper process."""
        return open_session(self._ready())

    def _drop_session(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            close_session(client, log_out=False)

    @contextmanager
    def _talking(self) -> Iterator[None]:
        """Translate errors; a session that broke is closed, so the next call opens a new one."""
        try:
            with imap_errors(self._ready()):
                yield
        except SessionLost:
            self._drop_session()
            raise

    def _today(self) -> date:
        return self.context.now().date()


def _key(direction: str) -> str:
    return "sent_folder" if direction == "out" else "folders"
