"""Real mail servers for the email tests: Dovecot (IMAP) and aiosmtpd (SMTP), both on loopback.

* ``dovecot``: one Dovecot per test session (per xdist worker), started by ``bench/dovecot.py``.
  A missing Dovecot fails the tests: the email connector is not tested against anything less.
* ``mailbox``: a fresh user on it for each test, so tests never see each other's mail. It seeds
  mail by APPEND or by writing Maildir files, and reads flags back for assertions.
* ``smtp_server``: aiosmtpd accepting the mailbox's login (PLAIN, LOGIN and XOAUTH2), keeping
  what it receives; ``refuse`` makes it refuse a recipient with a chosen answer, ``hold`` makes
  it keep a message and not answer until released.
* ``source_imap``: the contract-test harness (``tests/connectors/test_contract.py``).
"""

from __future__ import annotations

import asyncio
import base64
import secrets
import ssl
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from imapclient import IMAPClient
from sources import email_bytes

from banco.config import Secret
from banco.connectors.base import Context
from banco.connectors.imap import ImapConnector
from banco.inbox.collect.sync import collect
from banco.inbox.shop import Shop

sys.path.append(str(Path(__file__).resolve().parent.parent / "bench"))
from dovecot import Dovecot, DovecotMissing, MailUser, free_port  # noqa: E402


def _created() -> Dovecot:
    """A new Dovecot; a missing install fails the test, it never skips it."""
    try:
        return Dovecot.create()
    except DovecotMissing as e:
        pytest.fail(str(e))


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    server = _created()
    try:
        server.start()
        yield server
    finally:
        server.remove()


def client_tls() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


@dataclass
class Mailbox:
    """One user on the test Dovecot. ``password_env`` holds the password, as banco.toml says."""

    server: Dovecot
    user: MailUser
    password_env: str

    @property
    def name(self) -> str:
        return self.user.name

    def settings(self, **overrides: Any) -> dict[str, Any]:
        """Checked account settings, for building an ImapConnector directly (implicit TLS)."""
        return {
            "host": "127.0.0.1",
            "port": self.server.imaps_port,
            "security": "ssl",
            "username": self.name,
            "password": Secret("env", self.password_env),
            "tls_verify": False,
            **overrides,
        }

    def connector(self, page_size: int = 200, **overrides: Any) -> ImapConnector:
        context = Context(home=self.server.root, timezone=ZoneInfo("Europe/Rome"))
        made = ImapConnector("shop-mail", self.settings(**overrides), context)
        made.PAGE_SIZE = page_size
        return made

    def account(self, **overrides: Any) -> str:
        """The account's keys as banco.toml lines (implicit TLS unless overridden)."""
        keys: dict[str, Any] = {
            "kind": "imap",
            "host": "127.0.0.1",
            "port": self.server.imaps_port,
            "security": "ssl",
            "username": self.name,
            "password": {"env": self.password_env},
            "tls_verify": False,
            **overrides,
        }
        return "".join(f"{k} = {_toml(v)}\n" for k, v in keys.items() if v is not None)

    def client(self) -> IMAPClient:
        """A logged-in session of our own, to seed the mailbox and look at it."""
        client = IMAPClient("127.0.0.1", port=self.server.imaps_port, ssl_context=client_tls())
        client.login(self.name, self.user.password)
        return client

    def append(
        self,
        folder: str,
        messages: list[bytes],
        *,
        flags: tuple[bytes, ...] = (),
        when: datetime | None = None,
    ) -> None:
        with self.client() as client:
            if not client.folder_exists(folder):
                client.create_folder(folder)
            for data in messages:
                client.append(folder, data, flags=flags, msg_time=when)

    def deliver(self, folder: str, data: bytes, **options: Any) -> Path:
        """Write a message file straight into the Maildir (see Dovecot.write_message)."""
        return self.server.write_message(self.user, folder, data, **options)

    def deliver_in_order(self, folder: str, messages: list[bytes], mtime: float) -> None:
        """Write each message into the Maildir and let Dovecot number it before the next, so
        UIDs follow the list (one second apart, from ``mtime``)."""
        with self.client() as client:
            for n, data in enumerate(messages):
                self.deliver(folder, data, mtime=mtime + n)
                client.folder_status(folder, [b"UIDNEXT"])

    def flags(self, folder: str = "INBOX") -> dict[int, tuple[bytes, ...]]:
        with self.client() as client:
            client.select_folder(folder, readonly=True)
            answer = client.fetch(client.search(), ["FLAGS"])
            return {uid: tuple(data[b"FLAGS"]) for uid, data in answer.items()}

    def uids(self, folder: str = "INBOX") -> list[int]:
        with self.client() as client:
            client.select_folder(folder, readonly=True)
            return sorted(client.search())


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def new_mailbox(server: Dovecot, monkeypatch: pytest.MonkeyPatch) -> Mailbox:
    """A new user on ``server``, its password in an environment variable."""
    name = f"maker{secrets.token_hex(6)}"
    user = server.add_user(name, secrets.token_hex(8))
    env = f"BANCO_TEST_PASSWORD_{name.upper()}"
    monkeypatch.setenv(env, user.password)
    return Mailbox(server, user, env)


@pytest.fixture
def mailbox(dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch) -> Mailbox:
    return new_mailbox(dovecot, monkeypatch)


@pytest.fixture
def own_dovecot() -> Iterator[Dovecot]:
    """A Dovecot for one test, which may stop, freeze or restart it."""
    server = _created()
    try:
        server.start()
        yield server
    finally:
        if server.process is not None:
            server.resume()  # harmless when running; a frozen server ignores SIGTERM
        server.remove()


def mail(
    n: int,
    *,
    sender: str = "Anna Bianchi <anna@example.com>",
    to: str = "giulia@shop.example",
    subject: str | None = None,
    message_id: str | None = "",
    in_reply_to: str | None = None,
    body: str = "Vorrei sei tazze blu, grazie.",
    date: str = "Mon, 16 Nov 2026 10:00:00 +0100",
) -> bytes:
    """A small message. ``message_id=None`` leaves the header out; "" makes one from ``n``."""
    headers = [
        f"From: {sender}",
        f"To: {to}",
        f"Subject: {subject or f'Ordine {n}'}",
        f"Date: {date}",
    ]
    if message_id is not None:
        headers.append(f"Message-ID: <{message_id or f'm{n}@example.com'}>")
    if in_reply_to:
        headers += [f"In-Reply-To: <{in_reply_to}>", f"References: <{in_reply_to}>"]
    return ("\r\n".join([*headers, "", body, ""])).encode()


@pytest.fixture
def imap_shop(
    mailbox: Mailbox, write_shop: Callable[..., Path], open_shop: Callable[[Path], Shop]
) -> Callable[..., tuple[Shop, Path]]:
    """A shop with one account "mail" on the test mailbox: ``imap_shop(folders=[...])``."""

    def make(**overrides: Any) -> tuple[Shop, Path]:
        home = write_shop(f'\n[[accounts]]\nname = "mail"\n{mailbox.account(**overrides)}')
        return open_shop(home), home

    return make


# --- SMTP ------------------------------------------------------------------------------------
@dataclass
class Delivered:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    login: str


@dataclass
class Recorder:
    """aiosmtpd handler: keeps every message, refuses the recipients in ``refuse``."""

    user: str
    secret: str
    received: list[Delivered] = field(default_factory=list)
    #: recipient -> the SMTP answer to RCPT TO, such as "550 5.1.1 No such user"
    refuse: dict[str, str] = field(default_factory=dict)
    #: when set, a server that keeps each message and then says nothing until ``release``
    #: (a slow or stalled server: the sender cannot know the message is kept)
    hold: bool = False
    #: set each time a message has been kept
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        data = envelope.original_content or b""
        login = (
            session.auth_data.login.decode()
            if isinstance(session.auth_data, LoginPassword)
            else str(session.auth_data or "")
        )
        self.received.append(
            Delivered(str(envelope.mail_from), list(envelope.rcpt_tos), data, login)
        )
        self.arrived.set()
        if self.hold:  # waits in a thread, so the server goes on serving other connections
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait)
        return "250 OK"

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:
        answer = base64.b64decode(args[1]).decode() if len(args) > 1 else ""
        fields = dict(part.split("=", 1) for part in answer.split("\x01") if "=" in part)
        if fields.get("user") == self.user and fields.get("auth") == f"Bearer {self.secret}":
            return AuthResult(success=True, auth_data=self.user)
        return AuthResult(success=False, handled=False)

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and data.login.decode() == self.user
            and data.password.decode() == self.secret
        )
        return AuthResult(success=ok, auth_data=data if ok else None, handled=False)


@dataclass
class SmtpServer:
    """A running aiosmtpd; ``stop`` and ``start`` take it down and up on the same port."""

    recorder: Recorder
    port: int
    security: str
    make: Callable[[], Controller]
    controller: Controller | None = None

    @property
    def received(self) -> list[Delivered]:
        return self.recorder.received

    def account(self) -> dict[str, Any]:
        """The account keys that send through this server."""
        return {"smtp_host": "127.0.0.1", "smtp_port": self.port, "smtp_security": self.security}

    def start(self) -> None:
        if self.controller is None:
            self.controller = self.make()  # a stopped controller's loop is closed: a new one
            self.controller.start()

    def stop(self) -> None:
        self.recorder.release.set()  # a held answer must not keep the server from stopping
        controller, self.controller = self.controller, None
        if controller is not None:
            controller.stop()


def server_tls(dovecot: Dovecot) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(dovecot.root / "cert.pem", dovecot.root / "key.pem")
    return context


@pytest.fixture
def smtp_factory(mailbox: Mailbox, dovecot: Dovecot) -> Iterator[Callable[..., SmtpServer]]:
    """Start an aiosmtpd server: ``smtp_factory("none" | "starttls" | "ssl")``. It takes the
    mailbox's user name and password (or the password as an XOAUTH2 token)."""
    started: list[SmtpServer] = []

    def start(security: str = "none") -> SmtpServer:
        recorder = Recorder(mailbox.name, mailbox.user.password)
        port = free_port()
        tls: dict[str, Any] = {}
        if security == "starttls":
            tls = {"tls_context": server_tls(dovecot), "require_starttls": True}
        elif security == "ssl":
            tls = {"ssl_context": server_tls(dovecot)}

        def make() -> Controller:
            return Controller(
                recorder,
                hostname="127.0.0.1",
                port=port,
                ready_timeout=5,
                authenticator=recorder.authenticate,
                # aiosmtpd offers AUTH over implicit TLS only when it does not require STARTTLS;
                # the tests check the login from what it recorded
                auth_require_tls=security == "starttls",
                **tls,
            )

        server = SmtpServer(recorder, port, security, make)
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def smtp_server(smtp_factory: Callable[..., SmtpServer]) -> SmtpServer:
    return smtp_factory("none")


# --- the contract-test harness ----------------------------------------------------------------
class ImapSource:
    """A mailbox with ``n`` messages; ``add`` delivers more (MULTIAPPEND, as a server would)."""

    def __init__(self, mailbox: Mailbox, n: int) -> None:
        self.mailbox = mailbox
        self.total = 0
        self.add(n)

    def add(self, n: int) -> None:
        messages = [
            email_bytes(k, attachment=k % 10 == 0) for k in range(self.total, self.total + n)
        ]
        with self.mailbox.client() as client:
            client.multiappend("INBOX", messages)
        self.total += n

    def account(self) -> str:
        return self.mailbox.account()


@pytest.fixture
def source_imap(mailbox: Mailbox) -> ImapSource:
    return ImapSource(mailbox, 23)


def reply_shop(
    imap_shop: ImapShop, mailbox: Mailbox, smtp: SmtpServer, *inbox: bytes, **settings: Any
) -> Shop:
    """A shop whose account reads INBOX and Sent and sends through ``smtp``; collected once."""
    mailbox.append("INBOX", list(inbox or [QUESTION]))
    mailbox.append("Sent", [])
    keys: dict[str, Any] = {
        "sent_folder": "Sent",
        "from_address": "giulia@shop.example",
        "from_name": "Giulia Ceramiche",
        **smtp.account(),
        **settings,
    }
    shop, _ = imap_shop(**keys)
    [result] = collect(shop)
    assert result.ok, result.error
    return shop


ImapShop = Callable[..., tuple[Shop, Path]]


QUESTION = (
    b"From: Anna Bianchi <anna@example.com>\r\n"
    b"To: giulia@shop.example\r\n"
    b"Subject: Sei tazze blu\r\n"
    b"Date: Mon, 16 Nov 2026 10:00:00 +0100\r\n"
    b"Message-ID: <m2@example.com>\r\n"
    b"In-Reply-To: <m1@example.com>\r\n"
    b"References: <m0@example.com> <m1@example.com>\r\n"
    b"\r\n"
    b"Ciao Giulia, vorrei sei tazze blu per Natale.\r\n"
)
