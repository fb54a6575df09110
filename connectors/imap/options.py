"""The keys of an ``imap`` account. Read whenever banco.toml is, so it imports no more than
``banco.config``: imapclient, the email parser and the sign-in's HTTP client are the connector's
(``connector``; the settings read from these keys are ``settings``)."""

from __future__ import annotations

from collections.abc import Mapping

from banco.config import Option

SECURITY = ("ssl", "starttls", "none")
#: ``auth``: sign in with the maker's own Google or Microsoft account (``banco auth ACCOUNT``)
AUTH = ("", "google", "microsoft")

OPTIONS: Mapping[str, Option] = {
    "host": Option("str", help="the IMAP server, such as imap.example.com"),
    "port": Option(
        "int", 0, "the IMAP port; 0 means 993 with ssl, 143 otherwise", minimum=0, maximum=65535
    ),
    "security": Option("str", "ssl", "how the connection is protected", choices=SECURITY),
    "username": Option("str", help="the login name, usually your email address"),
    "password": Option("secret", None, "the password (or app password) of the mailbox"),
    "oauth2_token": Option(
        "secret",
        None,
        "instead of a password: a command printing a fresh OAuth2 access token (Gmail, Microsoft 365)",
    ),
    "auth": Option(
        "str",
        "",
        'instead of a password: "google" or "microsoft", then run `banco auth ACCOUNT` once',
        AUTH,
    ),
    "oauth_client": Option(
        "secret",
        None,
        'with auth = "google": the JSON file of your own OAuth client ("Desktop app")',
    ),
    "oauth_client_id": Option(
        "str", "", 'with auth = "microsoft": the application (client) ID of your own app'
    ),
    "oauth_authority": Option(
        "str",
        "https://login.microsoftonline.com/common",
        'with auth = "microsoft": where you sign in (your organisation\'s, if it asks)',
    ),
    "folders": Option("list", ["INBOX"], "the folders to read, such as INBOX and Orders"),
    "sent_folder": Option(
        "str", "", "the folder with the mail you send, such as Sent; empty for none"
    ),
    "backfill_days": Option(
        "any", 90, 'how many days back the first collect reaches: a number, or "all"'
    ),
    "max_message_mb": Option(
        "number",
        25,
        "a message larger than this many MB is kept as its headers only",
        positive=True,
        maximum=2048,
    ),
    "smtp_host": Option("str", "", "the server replies are sent through; default: host"),
    "smtp_port": Option(
        "int",
        0,
        "0 means 465 with ssl, 587 with starttls, 25 with none",
        minimum=0,
        maximum=65535,
    ),
    "smtp_security": Option(
        "str", "", "how the sending connection is protected; default: security", ("", *SECURITY)
    ),
    "smtp_username": Option("str", "", "the login for sending; default: username"),
    "smtp_password": Option("secret", None, "the password for sending; default: password"),
    "from_address": Option("str", "", "the address replies come from; default: username"),
    "from_name": Option("str", "", "the name shown with your replies, such as your shop's name"),
    "append_to_sent": Option(
        "bool",
        True,
        "keep a copy of each reply in sent_folder; set to false if your provider already does"
        " (Gmail, Microsoft 365)",
    ),
    "timeout_seconds": Option(
        "number",
        60,
        "how long to wait for the server before giving up",
        positive=True,
        maximum=3600,
    ),
    # Not in the docs: only for servers with a self-signed certificate (the tests use one).
    "tls_verify": Option("bool", True, "check the server's certificate"),
}
