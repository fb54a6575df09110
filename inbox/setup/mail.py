"""``banco setup mail``: from her address to a mailbox account that logs in.

The servers come from the built-in table (``providers``), else Thunderbird's autoconfig, else she
types them. The password is tried on the server before anything is written; it goes to a file only
she can read (``secrets/<account>.password`` in the shop folder) or stays in her password manager
(``{command = ...}``), never into banco.toml. Her folders are listed, and the Sent folder and the
folders that look like orders are proposed."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from imapclient import IMAPClient

from banco.config import Secret
from banco.connectors.errors import ConnectorError, NeedsUser
from banco.connectors.imap.client import close_session, imap_errors, open_session
from banco.connectors.imap.settings import read_settings
from banco.inbox.i18n.catalogs import _, ngettext, said
from banco.inbox.setup.autoconfig import Lookup, NotFound, look_up
from banco.inbox.setup.prompts import Asker, SetupError
from banco.inbox.setup.providers import Provider, Servers, domain_of, provider_for, provider_named
from banco.inbox.setup.toml_writer import TOMLDocument, put_account, set_values

SECRETS_FOLDER = "secrets"
#: the last part of a Sent folder's name, in English, Italian and French (lower case)
SENT_NAMES = (
    "sent",
    "sent items",
    "sent messages",
    "sent mail",
    "posta inviata",
    "inviata",
    "inviati",
    "elementi inviati",
    "messaggi inviati",
    "envoyés",
    "éléments envoyés",
    "messages envoyés",
    "envoyes",
)
#: words in the name of a folder she files orders in
ORDER_WORDS = ("order", "ordini", "ordine", "commande")
SECURITY_WORDS = {"ssl": "ssl", "starttls": "starttls", "none": "none"}


@dataclass(frozen=True)
class Folder:
    name: str
    flags: tuple[bytes, ...]
    delimiter: str

    @property
    def leaf(self) -> str:
        """The last part of its name ("Posta inviata" of "INBOX.Posta inviata")."""
        return self.name.rsplit(self.delimiter, 1)[-1] if self.delimiter else self.name


@dataclass(frozen=True)
class Mailbox:
    """What the mail step found: where and how she logs in."""

    address: str
    username: str
    servers: Servers
    password: Secret


def run_mail_step(
    asker: Asker,
    doc: TOMLDocument,
    home: Path,
    lookup: Lookup,
    *,
    tls_verify: bool = True,
) -> str:
    """Ask, test and write one mailbox account into ``doc``; its name."""
    address = asker.ask("address", _("Your shop's email address"), check=_not_an_address)
    account = asker.ask("account", _("A short name for this mailbox in Banco"), "mail")
    provider = provider_for(address)
    servers = find_servers(asker, address, account, provider, lookup)
    settings: dict[str, Any] = {"name": account, "kind": "imap"}
    if _wants_oauth(asker, provider):
        settings |= _imap_keys(servers, address, provider) | _sign_in_keys(
            asker, _oauth_kind(servers)
        )
        put_account(doc, settings, {})
        _add_address(doc, address)
        asker.say(
            _(
                "Next, sign in once: run `banco auth {account}` (Banco then reads your mail)."
            ).format(account=account)
        )
        return account
    mailbox, folders = _log_in(asker, home, account, address, servers, tls_verify)
    sent = choose_sent(asker, folders)
    read = choose_folders(asker, folders, sent)
    settings |= _imap_keys(servers, mailbox.username, provider) | {
        "password": _reference(mailbox.password),
        "folders": read,
        "sent_folder": sent or "",
    }
    if not tls_verify:
        settings["tls_verify"] = False
    put_account(doc, settings, _comments())
    _add_address(doc, address)
    return account


def _not_an_address(answer: str) -> str | None:
    if domain_of(answer) is None:
        return _("{answer} is not an email address (such as giulia@example.com).").format(
            answer=answer
        )
    return None


def find_servers(
    asker: Asker, address: str, account: str, provider: Provider | None, lookup: Lookup
) -> Servers:
    """The servers from the command line, the table, autoconfig, or typed by hand."""
    if asker.given.get("imap-host"):
        return _typed_servers(asker)
    if provider is not None:
        asker.say(_("Found: {provider}.").format(provider=provider.name))
        if provider.note:
            asker.say(_(provider.note).format(provider=provider.name, account=account))
        return provider.servers
    domain = domain_of(address) or ""
    try:
        servers = look_up(address, domain, lookup.places, lookup.timeout)
    except NotFound as e:
        asker.say(_("Banco could not find your mail servers ({reason}).").format(reason=e))
        asker.say(_("Type them below: your provider's help pages list them."))
        return _typed_servers(asker)
    asker.say(
        _("Found the mail servers of {domain}: {host}.").format(
            domain=domain, host=servers.imap_host
        )
    )
    return servers


def _typed_servers(asker: Asker) -> Servers:
    host = asker.ask(
        "imap-host", _("The IMAP server (or your provider's name, such as Aruba)"), check=_host
    )
    named = provider_named(host)
    if named is not None:
        asker.say(_("Found: {provider}.").format(provider=named.name))
        return named.servers
    security = asker.choose("imap-security", _("Its security"), SECURITY_WORDS, "ssl")
    port = int(
        asker.ask("imap-port", _("Its port"), "993" if security == "ssl" else "143", check=_port)
    )
    smtp_default = "smtp." + host.split(".", 1)[-1] if "." in host else host
    smtp_host = asker.ask(
        "smtp-host", _("The SMTP server (for your replies)"), smtp_default, check=_host
    )
    smtp_security = asker.choose("smtp-security", _("Its security"), SECURITY_WORDS, security)
    smtp_port = int(
        asker.ask(
            "smtp-port",
            _("Its port"),
            {"ssl": "465", "starttls": "587"}.get(smtp_security, "25"),
            check=_port,
        )
    )
    return Servers(host, port, security, smtp_host, smtp_port, smtp_security)


def _host(answer: str) -> str | None:
    if answer and " " not in answer and "/" not in answer and "@" not in answer:
        return None
    return _("{answer} is not a server name (such as imap.example.com).").format(answer=answer)


def _port(answer: str) -> str | None:
    if answer.isdigit() and 1 <= int(answer) <= 65535:
        return None
    return _("{answer} is not a port (a number from 1 to 65535).").format(answer=answer)


def _wants_oauth(asker: Asker, provider: Provider | None) -> bool:
    if provider is None or not provider.oauth:
        return False
    if provider.oauth == "required":
        return True
    how = asker.choose(
        "login",
        _("Log in with an app password, or sign in with {provider} (oauth)?").format(
            provider=provider.name
        ),
        {"password": "password", "oauth": "oauth"},
        "password",
    )
    return how == "oauth"


def _sign_in_keys(asker: Asker, kind: str) -> dict[str, Any]:
    """``auth`` and her own OAuth client (Banco has none of its own: the README's "Signing in
    with Google or Microsoft" registers one); '-' leaves it for later, as `banco check` will say."""
    keys: dict[str, Any] = {"auth": kind}
    if kind == "google":
        client = asker.ask(
            "oauth-client",
            _("Your Google OAuth client's JSON file (see the README, 'Signing in with Google')"),
            "-",
        )
        if client != "-":
            keys["oauth_client"] = {"file": client}
    else:
        client_id = asker.ask(
            "oauth-client-id",
            _("Your Microsoft app's client ID (see the README, 'Signing in with Microsoft')"),
            "-",
        )
        if client_id != "-":
            keys["oauth_client_id"] = client_id
    return keys


def _oauth_kind(servers: Servers) -> str:
    return "google" if servers.imap_host.endswith("gmail.com") else "microsoft"


def _log_in(
    asker: Asker, home: Path, account: str, address: str, servers: Servers, tls_verify: bool
) -> tuple[Mailbox, list[Folder]]:
    """Ask for the password until the server takes it; the mailbox and its folders."""
    username = asker.ask(
        "username",
        _("Your login name"),
        address if servers.login_is_address else address.split("@", 1)[0],
    )
    command = asker.given.get("password-command")
    while True:
        if command:
            secret = Secret("command", command, home)
        else:
            typed = asker.ask("password", _("Your password (or app password)"), secret=True)
            secret = Secret("file", str(keep_password(home, account, typed)), home)
        mailbox = Mailbox(address, username, servers, secret)
        asker.say(_("Logging in to {host}...").format(host=servers.imap_host))
        try:
            folders = list_folders(mailbox, account, tls_verify)
        except NeedsUser as e:
            refused = refusal(e)
            if refused is None or command or not asker.interactive:
                raise SetupError(refused or said(e)) from None
            asker.say(refused)
            continue
        except ConnectorError as e:
            raise SetupError(
                _("{problem} Check the servers, then run `banco setup mail` again.").format(
                    problem=said(e)
                )
            ) from None
        asker.say(
            ngettext("Logged in: {n} folder.", "Logged in: {n} folders.", len(folders)).format(
                n=len(folders)
            )
        )
        return mailbox, folders


def refusal(error: NeedsUser) -> str | None:
    """The line for a login the server refused, said for setup (the connector's own sentence
    sends her to banco.toml, not written yet); None for any other problem."""
    values = error.sentence.values
    if "how" not in values:  # only the connector's refused-login sentence says how she logged in
        return None
    return _(
        "The mail server {host} refused this login name or password ({said}). Type the password"
        " again (Gmail, iCloud, Yahoo: an app password)."
    ).format(host=values["host"], said=values["said"])


def keep_password(home: Path, account: str, password: str) -> Path:
    """Write ``password`` to a file only she can read; its path, relative to the shop folder."""
    folder = home / SECRETS_FOLDER
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    relative = Path(SECRETS_FOLDER) / f"{account}.password"
    path = home / relative
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as f:
        f.write(password + "\n")
    os.chmod(path, 0o600)  # a file made earlier with looser rights
    return relative


def list_folders(mailbox: Mailbox, account: str, tls_verify: bool) -> list[Folder]:
    """Log in with the imap connector's own client and list the folders."""
    settings = read_settings(account, _probe(mailbox, tls_verify))
    client: IMAPClient = open_session(settings)
    try:
        with imap_errors(settings):
            listed = client.list_folders()
    finally:
        close_session(client)
    return [Folder(name, tuple(flags), _text(delimiter)) for flags, delimiter, name in listed]


def _text(delimiter: bytes | str | None) -> str:
    return delimiter.decode() if isinstance(delimiter, bytes) else delimiter or ""


def _probe(mailbox: Mailbox, tls_verify: bool) -> dict[str, Any]:
    s = mailbox.servers
    return {
        "host": s.imap_host,
        "port": s.imap_port,
        "security": s.imap_security,
        "username": mailbox.username,
        "password": mailbox.password,
        "tls_verify": tls_verify,
    }


def proposed_sent(folders: Sequence[Folder]) -> str | None:
    """The Sent folder: the one the server flags \\Sent, else the first named like one."""
    for folder in folders:
        if b"\\Sent" in folder.flags:
            return folder.name
    for folder in folders:
        if folder.leaf.lower() in SENT_NAMES:
            return folder.name
    return None


def proposed_folders(folders: Sequence[Folder]) -> list[str]:
    """INBOX, and the folders whose name says orders."""
    named = [f.name for f in folders if any(w in f.leaf.lower() for w in ORDER_WORDS)]
    return ["INBOX", *named]


def choose_sent(asker: Asker, folders: Sequence[Folder]) -> str | None:
    proposed = proposed_sent(folders)
    names = {f.name for f in folders}

    def known(answer: str) -> str | None:
        return None if answer in names or answer == "-" else _no_folder(answer)

    asker.say(_("Your folders: {folders}").format(folders=", ".join(sorted(names))))
    answer = asker.ask(
        "sent-folder",
        _("Your Sent folder, so your replies show in each conversation ('-' for none)"),
        proposed or "-",
        check=known,
    )
    return None if answer == "-" else answer


def choose_folders(asker: Asker, folders: Sequence[Folder], sent: str | None) -> list[str]:
    names = {f.name for f in folders}

    def known(answer: str) -> str | None:
        for name in _split(answer):
            if name not in names:
                return _no_folder(name)
        return None if _split(answer) else _("Name at least one folder.")

    proposed = [name for name in proposed_folders(folders) if name != sent]
    answer = asker.ask(
        "folders",
        _("The folders orders arrive in, separated by commas"),
        ", ".join(proposed),
        check=known,
    )
    return _split(answer)


def _split(answer: str) -> list[str]:
    return [part.strip() for part in answer.split(",") if part.strip()]


def _no_folder(name: str) -> str:
    return _("There is no folder {name} in this mailbox.").format(name=name)


def _imap_keys(servers: Servers, username: str, provider: Provider | None) -> dict[str, Any]:
    keys: dict[str, Any] = {
        "host": servers.imap_host,
        "port": servers.imap_port,
        "security": servers.imap_security,
        "username": username,
        "smtp_host": servers.smtp_host,
        "smtp_port": servers.smtp_port,
        "smtp_security": servers.smtp_security,
    }
    if provider is not None and provider.keeps_sent:
        keys["append_to_sent"] = False  # a second copy would show twice in her Sent folder
    return keys


def _reference(secret: Secret) -> dict[str, str]:
    return {secret.kind: secret.source}


def _comments() -> dict[str, str]:
    return {
        "password": _("readable by you only; `banco setup mail` writes it again"),
        "sent_folder": _("your replies, so each conversation shows both sides"),
    }


def _add_address(doc: TOMLDocument, address: str) -> None:
    shop = doc.get("shop") or {}
    addresses = list(shop.get("addresses") or [])
    if address.lower() not in (a.lower() for a in addresses):
        set_values(doc, "shop", {"addresses": [*addresses, address]})
