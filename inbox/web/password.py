"""The page's password: the one it started with, then banco.toml's after each change of the file.

Whether the page asks for a password at all is decided when it starts (``serve`` refuses an open
address without one). Its value is read again as soon as banco.toml changes, so a new
``[web] password`` takes effect at the next request, without a restart: the session key is
derived from it (``sessions.SessionKey``), so every session signed under the old one ends.
A banco.toml that cannot be read keeps the password it had; the pages say what to fix.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from pathlib import Path

from banco.config import ConfigError, Secret, SecretError


class PasswordError(Exception):
    """The password's reference cannot be read (a missing variable, a failing command)."""


def revealed(password: str | Secret | None) -> str | None:
    """The password itself; None when there is none."""
    if isinstance(password, Secret):
        try:
            return password.reveal() or None
        except SecretError as e:
            raise PasswordError(e.sentence) from None
    return password or None


Stamp = tuple[int, int, int] | None


def _stamp(path: Path) -> Stamp:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_ino, info.st_mtime_ns, info.st_size)


class PagePassword:
    """``current()``: the password now. ``read`` loads it from ``config`` (banco.toml)."""

    def __init__(
        self,
        given: str | None,
        config: Path,
        read: Callable[[], str | Secret | None],
    ) -> None:
        self.required = given is not None
        self.value = given
        self.config = config
        self.read = read
        self.seen = _stamp(config)
        self.lock = threading.Lock()

    def current(self) -> str | None:
        stamp = _stamp(self.config)
        with self.lock:
            if stamp != self.seen:
                self.seen = stamp
                # A file that cannot be read keeps the last one: every page says what to fix.
                with contextlib.suppress(ConfigError, PasswordError):
                    self.value = revealed(self.read())
            return self.value
