"""Secret references: a config value that says where a secret lives, never the secret itself.

A secret option in ``banco.toml`` is one of::

    password = {env = "SHOP_IMAP_PASSWORD"}
    password = {file = "~/.config/banco/imap-password"}
    password = {command = "pass show shop/imap"}

The reference is checked for shape when the config loads; the value is read only when a connector
needs it (``Secret.reveal()``), so a ``{command = ...}`` that prints a short-lived OAuth token is run
fresh each time and listing orders never asks the password manager for anything.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .sentence import Sentence

KINDS = ("env", "file", "command")
COMMAND_TIMEOUT_SECONDS = 60
EXAMPLE = Sentence(
    'a reference such as {env = "NAME"}, {file = "path"} or {command = "pass show ..."}'
)


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

    def __str__(self) -> str:
        return f"{{{self.kind} = {self.source!r}}}"

    def reveal(self) -> str:
        """Read the secret now. Raises SecretError with a sentence the maker can act on."""
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
        try:
            done = subprocess.run(
                self.source,
                shell=True,
                capture_output=True,
                text=True,
                timeout=COMMAND_TIMEOUT_SECONDS,
                cwd=self.base_dir,
            )
        except subprocess.TimeoutExpired:
            raise SecretError(
                "the command {command} did not finish in {seconds} seconds",
                command=repr(self.source),
                seconds=COMMAND_TIMEOUT_SECONDS,
            ) from None
        if done.returncode != 0:
            # stderr may hold a hint ("gpg: decryption failed"), never the secret itself.
            hint = done.stderr.strip().splitlines()[-1:] or [f"exit status {done.returncode}"]
            raise SecretError(
                "the command {command} failed: {hint}", command=repr(self.source), hint=hint[0]
            )
        return done.stdout.strip()


def parse_reference(value: object, base_dir: Path | None) -> Secret | Sentence:
    """Return a Secret for a well-formed reference, or a sentence saying what is wrong."""
    if isinstance(value, str):
        return Sentence("secrets are never written in banco.toml; use {example}", example=EXAMPLE)
    if not isinstance(value, dict) or len(value) != 1:
        return Sentence("expected {example}", example=EXAMPLE)
    ((kind, source),) = value.items()
    if kind not in KINDS or not isinstance(source, str) or not source:
        return Sentence("expected {example}", example=EXAMPLE)
    return Secret(kind, source, base_dir)
