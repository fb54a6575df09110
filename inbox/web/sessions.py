"""Signed-in sessions, and how they all end at once.

A session is a cookie signed with a key derived from three things:

* the shop's secret (``web-secret``, made once, readable by the maker only, never in banco.toml or
  the store);
* the sessions' generation (``web-sessions``, a random word beside it, owner-only too);
* the page's password as banco.toml says it now (``password.PagePassword``).

Signing out writes a new generation, and a new password gives a new key: either way every cookie
signed before stops verifying at its next request, on every device and in every Banco process
serving this shop (``banco serve`` and ``banco run`` read the same files). Both files are written
whole beside their final name and then renamed, so a crash leaves the old word or the new one,
never half of one. The cookie is HttpOnly, SameSite=Lax, and Secure when the request came over
https (directly, or through a trusted proxy that says so).
"""

from __future__ import annotations

import hmac
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

SECRET_FILE = "web-secret"
GENERATION_FILE = "web-sessions"
COOKIE = "banco_session"
SESSION_DAYS = 14
#: Shorter words than this are not Banco's (a file emptied by hand): a new one is made.
WORD_LENGTH = 32


def kept_word(path: Path) -> str:
    """The random word kept in ``path``: made on first use, owner-only, the same ever after."""
    try:
        os.chmod(path, 0o600)
        word = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return _place(path, replace=False)
    if len(word) >= WORD_LENGTH:
        return word
    return _place(path, replace=True)


def new_word(path: Path) -> str:
    """A new random word in ``path``, replacing the one before."""
    return _place(path, replace=True)


def _place(path: Path, *, replace: bool) -> str:
    """Write a word beside ``path`` and move it into place whole. Without ``replace``, a word
    another process placed first wins, so two processes starting at once share one."""
    word = secrets.token_urlsafe(48)
    draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(word + "\n")
            f.flush()
            os.fsync(f.fileno())
        if replace:
            os.replace(draft, path)
            return word
        try:
            os.link(draft, path)  # fails if the file is there: never overwrite the first word
        except FileExistsError:
            return path.read_text(encoding="ascii").strip()
        return word
    finally:
        draft.unlink(missing_ok=True)


class SessionKey:
    """The key that signs the session cookies of the shop in ``home`` now."""

    def __init__(self, home: Path, password: Callable[[], str | None]) -> None:
        self.secret = kept_word(home / SECRET_FILE)
        self.generation_path = home / GENERATION_FILE
        self.password = password

    def current(self) -> str:
        generation = kept_word(self.generation_path)
        # The generation is URL-safe base64, so ":" cannot occur in it: no two inputs read alike.
        material = f"session:{generation}:{self.password() or ''}"
        return hmac.new(self.secret.encode(), material.encode(), "sha256").hexdigest()

    def end_all(self) -> None:
        """End every session signed so far, here and in any other process serving the shop."""
        new_word(self.generation_path)


class Sessions:
    """Starlette's signed-cookie sessions under the key of the moment, with the Secure flag when
    the request came over https."""

    def __init__(self, app: ASGIApp, key: SessionKey) -> None:
        self.app = app
        self.key = key
        self.signing: tuple[str, dict[bool, SessionMiddleware]] = ("", {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        key = await run_in_threadpool(self.key.current)  # reads files, maybe banco.toml
        secure = scope.get("scheme") == "https"
        await self._middleware(key, secure)(scope, receive, send)

    def _middleware(self, key: str, secure: bool) -> SessionMiddleware:
        signed_with, made = self.signing
        if signed_with != key:
            made = {}
            self.signing = (key, made)
        if secure not in made:
            options: dict[str, Any] = {
                "secret_key": key,
                "session_cookie": COOKIE,
                "max_age": SESSION_DAYS * 86400,
                "same_site": "lax",
                "https_only": secure,
            }
            made[secure] = SessionMiddleware(self.app, **options)
        return made[secure]
