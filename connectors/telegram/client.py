"""One connection to the Bot API: a private event loop, a python-telegram-bot ``Bot`` on it, and
every Telegram error turned into a sentence for the maker.

Banco's runner is synchronous and python-telegram-bot is asynchronous. A :class:`Session` owns an
event loop of its own and runs one Bot API call at a time on it (``session.run(coroutine)``), so
the HTTP connection is kept between calls and nothing runs while the runner stores a page.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any, TypeVar

import httpx
from telegram import Bot
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest

from banco.config.sentence import Sentence
from banco.connectors.errors import ConnectorError, NeedsUser, Rejected, TryLater

from .options import OFFICIAL_API_URL

# RetryAfter.retry_after is a timedelta when this is set (it is read at each access); without it
# python-telegram-bot 22 warns each time a RetryAfter is made and gives a plain number.
os.environ.setdefault("PTB_TIMEDELTA", "true")

# python-telegram-bot logs a traceback when Telegram answers with something other than JSON (a
# proxy's error page). Banco says what happened in words; keep the traceback off the terminal
# unless the application configured logging itself.
logging.getLogger("telegram").addHandler(logging.NullHandler())

T = TypeVar("T")

WEBHOOK_SET = Sentence(
    "This bot has a webhook set, so Banco cannot read its messages: run `banco check --fix`"
    " to remove it"
)
OTHER_READER = Sentence(
    "another program is reading this bot's messages at the same time (Telegram allows only one):"
    " stop it, or give Banco a bot of its own, so that no message goes to the other program"
)
BAD_TOKEN = Sentence(
    "Telegram did not accept the bot token: check `token` for this account (copy it again from"
    " @BotFather, it looks like 123456789:AAH...)"
)


def duration_words(seconds: float) -> Sentence:
    """``1 second``, ``3 minutes``, ``2 hours``: how long Telegram asked Banco to wait."""
    seconds = max(1, round(seconds))
    if seconds == 1:
        return Sentence("1 second")
    if seconds < 90:
        return Sentence("{n} seconds", n=seconds)
    minutes = -(-seconds // 60)
    if minutes < 90:
        return Sentence("{n} minutes", n=minutes)
    return Sentence("{n} hours", n=-(-minutes // 60))


def retry_seconds(error: RetryAfter) -> float:
    """The wait Telegram asked for, in seconds, whatever PTB_TIMEDELTA says."""
    value: Any = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class BancoBot(Bot):
    """python-telegram-bot's Bot, plus a getUpdates that answers with the updates as sent.

    ``Bot.get_updates`` turns a whole page into objects at once, and one update it cannot read
    fails the page. Banco reads each update itself, stores it exactly as Telegram sent it, and
    keeps one it cannot read as unreadable while the others go on. Everything else (the HTTP
    client, Telegram's errors as exceptions, files, sending) is python-telegram-bot's own.
    """

    __slots__ = ()

    async def get_update_dicts(
        self, offset: int | None, limit: int, allowed_updates: list[str]
    ) -> list[dict[str, Any]]:
        data = {"offset": offset, "limit": limit, "timeout": 0, "allowed_updates": allowed_updates}
        result = await self._post("getUpdates", data)  # as Bot.get_updates does
        return [u for u in result if isinstance(u, dict)] if isinstance(result, list) else []


class Session:
    """A Bot on a private event loop. Always :meth:`close` it."""

    def __init__(self, token: str, api_url: str, timeout: float) -> None:
        self.token = token
        self.api_url = api_url.rstrip("/")
        self.loop = asyncio.new_event_loop()
        self.bot = BancoBot(
            token,
            base_url=f"{self.api_url}/bot",
            base_file_url=f"{self.api_url}/file/bot",
            request=HTTPXRequest(
                connection_pool_size=8,
                read_timeout=timeout,
                write_timeout=timeout,
                connect_timeout=timeout,
                pool_timeout=timeout,
                media_write_timeout=max(timeout, 60.0),
            ),
            get_updates_request=HTTPXRequest(
                connection_pool_size=1,
                read_timeout=timeout,
                write_timeout=timeout,
                connect_timeout=timeout,
                pool_timeout=timeout,
            ),
        )
        #: set once ``bot.initialize()`` (getMe) succeeded
        self.started = False

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run one coroutine to its end on this session's loop."""
        return self.loop.run_until_complete(coroutine)

    def close(self) -> None:
        if self.loop.is_closed():
            return
        try:
            self.run(self.bot.shutdown())
        finally:
            self.loop.close()

    def reason(self, error: BaseException) -> str:
        """What went wrong, in a few words, never with the token in them."""
        text = str(error).replace(self.token, "<token>") if self.token else str(error)
        text = text.removeprefix("httpx.").strip()
        return text or type(error).__name__

    def reading_error(self, error: TelegramError) -> ConnectorError:
        """A failure while reading updates or files, as NeedsUser or TryLater."""
        if isinstance(error, Conflict):
            webhook = "webhook" in error.message.lower()
            return NeedsUser(WEBHOOK_SET if webhook else OTHER_READER)
        if isinstance(error, InvalidToken):
            if self.api_url != OFFICIAL_API_URL:
                return NeedsUser(
                    "{bad_token}, and that `api_url` ({api_url}) is a Bot API server",
                    bad_token=BAD_TOKEN,
                    api_url=self.api_url,
                )
            return NeedsUser(BAD_TOKEN)
        if isinstance(error, RetryAfter):
            return TryLater(
                "Telegram asks Banco to wait {wait} before asking again; Banco will try again then",
                wait=duration_words(retry_seconds(error)),
            )
        if isinstance(error, Forbidden):
            return NeedsUser(
                "Telegram refused to let this bot read its messages ({reason}):"
                " check `token` for this account",
                reason=self.reason(error),
            )
        if isinstance(error, TimedOut):
            return TryLater("Telegram took too long to answer; Banco will try again")
        if isinstance(error, BadRequest):
            return TryLater(
                "Telegram refused a request ({reason}); Banco will try again",
                reason=self.reason(error),
            )
        if isinstance(error, NetworkError):
            return TryLater(
                "could not reach Telegram at {api_url} ({reason}); Banco will try again",
                api_url=self.api_url,
                reason=self.reason(error),
            )
        return TryLater(
            "Telegram answered with an error ({reason}); Banco will try again",
            reason=self.reason(error),
        )

    def sending_error(self, error: TelegramError) -> ConnectorError:
        """A failure while sending a reply: Rejected when it can never go, else as for reading."""
        if isinstance(error, Forbidden):
            return Rejected(
                "the customer has blocked the bot (or deleted their Telegram account), so"
                " Telegram will not deliver this reply"
            )
        if isinstance(error, ChatMigrated):
            return Rejected(
                "this group moved to a new Telegram chat; answer the newest message from it instead"
            )
        if isinstance(error, BadRequest):
            if "chat not found" in error.message.lower():
                return Rejected(
                    "this Telegram chat no longer exists (or the bot was removed from it), so"
                    " the reply cannot be delivered"
                )
            return Rejected("Telegram refused this reply ({reason})", reason=self.reason(error))
        if isinstance(error, Conflict):  # only getUpdates conflicts; never a reason to give up
            return TryLater(
                "Telegram answered with a conflict ({reason})", reason=self.reason(error)
            )
        return self.reading_error(error)


#: httpx failures that happen before a request's bytes leave (no connection was made)
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def telegram_answered(error: TelegramError) -> bool:
    """Whether ``error`` is certain about a request: Telegram answered it (a refusal, a wait), or
    it never left this machine. A timeout or a broken connection after it left is not."""
    if not isinstance(error, NetworkError) or isinstance(error, BadRequest):
        return True  # python-telegram-bot raises these from Telegram's own answer
    return isinstance(error.__cause__, _NOT_SENT)
