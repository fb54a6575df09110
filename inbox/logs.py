"""Banco's logging, set up in one place (``setup``), with no secret in any line it writes.

Every command calls ``setup`` once (the ``banco`` group); ``banco run`` asks for its INFO lines and
``-v`` for Banco's own DEBUG lines. Each handler on the root logger gets a :class:`Redact` filter,
which hides, in the message, the exception's traceback and the stack of every record:

* every secret value revealed in this process (``banco.config.secrets.revealed``);
* secrets by their shape, for those revealed elsewhere (the IMAP helper process, a library):
  Telegram bot tokens, URL user info (``imaps://user:pass@host``), ``password=``/``token=``/
  ``access_token``-style pairs, ``Authorization:`` headers and Google's OAuth tokens.

The HTTP and API libraries log every request's URL at INFO (Telegram's carries the bot token), so
their loggers stay at WARNING whatever the level. uvicorn's loggers reach the root handler too
(the page sets up no handler of its own) and its access log is off.

``redact`` also hides secrets in what is stored: an account's error (``collect.sync``). This module
sits beside ``shop.py`` rather than in ``cli`` for that: any room may use it, the command sets it up.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import TextIO

from banco.config.secrets import revealed

#: what a hidden secret becomes
HIDDEN = "***"
#: Banco's own loggers: ``banco``, ``banco.web``, ``banco.scheduler.runner``...
BANCO = "banco"
#: libraries that log a request's URL or headers at INFO or DEBUG
QUIET = ("httpx", "httpcore", "telegram", "urllib3", "google", "googleapiclient", "imapclient")
FORMAT = "%(asctime)s %(message)s"

_KEY = r"[\w-]*(?:password|passwd|token|secret|api_?key)[\w-]*"
SHAPES = (
    # a Telegram bot token in a Bot API URL (…/bot123456:ABC…/getUpdates), or on its own
    (re.compile(r"(?<=bot)\d{5,}:[\w-]{20,}"), HIDDEN),
    (re.compile(r"(?<![\w:])\d{8,10}:[\w-]{35}(?![\w-])"), HIDDEN),
    # URL user info: imaps://user:pass@host
    (re.compile(r"(?<=://)[^\s/?#@]+@"), HIDDEN + "@"),
    # Authorization: Bearer …, 'Authorization': 'Basic …' (before the key=value pairs below)
    (
        re.compile(
            r"""(\bauthorization["']?\s*[:=]\s*["']?)(?:(?:bearer|basic|bot|token)\s+)?[^\s"',;]+""",
            re.IGNORECASE,
        ),
        r"\g<1>" + HIDDEN,
    ),
    # password=…, access_token=…, "refresh_token": "…", 'client_secret': '…'
    (
        re.compile(rf"""(\b{_KEY}(?:=|["']?\s*:\s*["']))[^\s"'&,;)}}\]]+""", re.IGNORECASE),
        r"\g<1>" + HIDDEN,
    ),
    # Google's OAuth access (ya29.…) and refresh (1//…) tokens
    (re.compile(r"\bya29\.[\w.-]+|(?<![\w/])1//[\w.-]{20,}"), HIDDEN),
)


def redact(text: str) -> str:
    """``text`` with every secret Banco knows of hidden."""
    for pattern, hidden in SHAPES:
        text = pattern.sub(hidden, text)
    secrets = sorted(revealed(), key=len, reverse=True)
    if secrets:  # last, in one pass, longest first: a secret inside another is hidden with it
        text = re.sub("|".join(map(re.escape, secrets)), HIDDEN, text)
    return text


class Redact(logging.Filter):
    """Hides secrets in a record before any handler formats it: the message with its arguments,
    the exception's text and traceback, the stack."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed call: hide secrets in what it was given
            message = f"{record.msg} {record.args}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:  # the formatter prints exc_text when it is set
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is when a record comes (a test swaps it per command)."""

    def __init__(self) -> None:
        super().__init__()
        self.addFilter(Redact())
        self.setFormatter(logging.Formatter(FORMAT))

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        """The stream is always the current ``sys.stderr``."""


def setup(level: int = logging.WARNING, verbose: bool = False) -> None:
    """Log ``level`` and above to stderr (under systemd: the journal), secrets hidden; with
    ``verbose``, Banco's own DEBUG lines too. Calling it again changes the levels only."""
    root = logging.getLogger()
    if not any(isinstance(h, StderrHandler) for h in root.handlers):
        root.addHandler(StderrHandler())
    for handler in root.handlers:  # every handler, whoever added it, hides secrets
        if not any(isinstance(f, Redact) for f in handler.filters):
            handler.addFilter(Redact())
    root.setLevel(level)
    logging.getLogger(BANCO).setLevel(logging.DEBUG if verbose else logging.NOTSET)
    for name in QUIET:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
