"""Secret references: a config value that says where a secret lives, never the secret itself.

A secret option in ``banco.toml`` is one of::

    password = {env = "SHOP_IMAP_PASSWORD"}
    password = {file = "~/.config/banco/imap-password"}
    password = {command = "pass show shop/imap"}
    password = {command = "pass show shop/imap", timeout_seconds = 60}

The reference is checked for shape when the config loads; the value is read only when a connector
needs it (``Secret.reveal()``), so a ``{command = ...}`` that prints a short-lived OAuth token is run
fresh each time and listing orders never asks the password manager for anything. A command that
does not answer within its ``timeout_seconds`` (30 by default) is stopped, with every process it
started.

Every value revealed is remembered for this process (``revealed()``), so that Banco's logging can
hide it wherever it turns up (``banco.inbox.logs``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .sentence import Sentence

KINDS = ("env", "file", "command")
COMMAND_TIMEOUT_SECONDS = 30.0
EXAMPLE = Sentence(
    'a reference such as {env = "NAME"}, {file = "path"} or {command = "pass show ..."}'
)

_revealed: set[str] = set()
_revealed_lock = threading.Lock()


class SecretError(Exception):
    """A secret reference could not be read (missing variable, unreadable file, failing command).
    ``sentence`` is its text for the maker, a template and its values (``banco.config.sentence``):
    a connector passes it on as a value of its own sentence."""

    def __init__(self, text: str, /, **values: Any) -> None:
        self.sentence = Sentence(text, **values)
        super().__init__(self.sentence)


@dataclass(frozen=True)
class Secret:
    """Where a secret lives. ``repr`` and ``str`` never show the value."""

    kind: str
    source: str
    base_dir: Path | None = None
    #: how long a ``command`` may take before it is stopped
    timeout: float = COMMAND_TIMEOUT_SECONDS

    def __str__(self) -> str:
        return f"{{{self.kind} = {self.source!r}}}"

    def reveal(self) -> str:
        """Read the secret now. Raises SecretError with a sentence the maker can act on."""
        value = self._read()
        remember(value)
        return value

    def _read(self) -> str:
        if self.kind == "env":
            value = os.environ.get(self.source)
            if value is None:
                raise SecretError("the environment variable {name} is not set", name=self.source)
            return value
        if self.kind == "file":
            path = Path(self.source).expanduser()
            if not path.is_absolute() and self.base_dir is not None:
                path = self.base_dir / path
            try:
                return path.read_text(encoding="utf-8").rstrip("\r\n")
            except OSError as e:
                raise SecretError(
                    "cannot read the secret file {path}: {error}", path=str(path), error=e.strerror
                ) from None
        return run_command(self.source, self.timeout, self.base_dir)


def run_command(
    command: str, timeout: float, cwd: Path | None, env: Mapping[str, str] | None = None
) -> str:
    """What ``command`` prints, stripped. It runs in a session of its own, so that a timeout stops
    every process it started: a password manager's agent left holding the output pipe would
    otherwise keep Banco waiting long after the timeout. ``env`` replaces this process's
    environment (``banco service install`` runs it as the service will)."""
    process = subprocess.Popen(
        command,
        shell=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=env,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop_group(process)
        raise SecretError(
            "the command {command} took longer than {seconds} s and was stopped; if it needs"
            " longer, raise timeout_seconds in its reference",
            command=repr(command),
            seconds=f"{timeout:g}",
        ) from None
    if process.returncode != 0:
        # stderr may hold a hint ("gpg: decryption failed"), never the secret itself.
        hint = err.strip().splitlines()[-1:] or [f"exit status {process.returncode}"]
        raise SecretError(
            "the command {command} failed: {hint}", command=repr(command), hint=hint[0]
        )
    value = out.strip()
    if not value:
        raise SecretError("the command {command} printed nothing", command=repr(command))
    return value


def _stop_group(process: subprocess.Popen[str]) -> None:
    """Kill the command's whole process group, then collect what is left of it."""
    with contextlib.suppress(ProcessLookupError):  # it ended between the timeout and now
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()


def remember(value: str) -> None:
    """Note ``value`` as a secret of this process, as written and as a URL would spell it."""
    if not value:
        return
    with _revealed_lock:
        _revealed.add(value)
        # (an environment variable may hold bytes that are not UTF-8: it must not stop the read)
        _revealed.add(quote(value, safe="", errors="backslashreplace"))


def revealed() -> frozenset[str]:
    """Every secret value revealed in this process so far."""
    with _revealed_lock:
        return frozenset(_revealed)


def parse_reference(value: object, base_dir: Path | None) -> Secret | Sentence:
    """Return a Secret for a well-formed reference, or a sentence saying what is wrong."""
    if isinstance(value, str):
        return Sentence("secrets are never written in banco.toml; use {example}", example=EXAMPLE)
    if not isinstance(value, dict):
        return Sentence("expected {example}", example=EXAMPLE)
    options = dict(value)
    timeout = options.pop("timeout_seconds", COMMAND_TIMEOUT_SECONDS)
    if len(options) != 1:
        return Sentence("expected {example}", example=EXAMPLE)
    ((kind, source),) = options.items()
    if kind not in KINDS or not isinstance(source, str) or not source:
        return Sentence("expected {example}", example=EXAMPLE)
    if "timeout_seconds" in value and kind != "command":
        return Sentence('timeout_seconds only goes with {command = "..."}')
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        return Sentence("timeout_seconds must be a number of seconds above 0")
    return Secret(kind, source, base_dir, float(timeout))
