"""``TelegramConnector``, the connector itself; what it does is said in the package's docstring."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Coroutine, Iterator, Mapping
from functools import partial
from typing import Any, ClassVar, TypeVar

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    ReplyParameters,
)
from telegram.error import RetryAfter, TelegramError

from banco.config import Option
from banco.config.sentence import Sentence
from banco.connectors import (
    Attachment,
    CheckResult,
    Context,
    HandingOver,
    MayHaveBeenSent,
    NeedsUser,
    Outgoing,
    Page,
    Receipt,
    Record,
    Rejected,
    TryLater,
)

from .client import (
    OFFICIAL_API_URL,
    WEBHOOK_SET,
    Session,
    duration_words,
    retry_seconds,
    telegram_answered,
)
from .media import fetch_files, not_fetched
from .options import OPTIONS
from .send import Target, is_photo, sent_record, split_text, target_of
from .updates import STREAM, ChatFilter, attach, read_update

__all__ = ["TelegramConnector"]

T = TypeVar("T")


class TelegramConnector:
    kind: ClassVar[str] = "telegram"
    channel: ClassVar[str] = "telegram"
    options: ClassVar[Mapping[str, Option]] = OPTIONS
    #: Telegram forgets updates nobody fetched within a day
    max_quiet_hours: ClassVar[int] = 24
    #: updates asked for per getUpdates call (Telegram allows at most 100)
    PAGE_SIZE: int = 100
    #: the longest a reply waits, in total, when Telegram asks Banco to slow down
    MAX_SEND_WAIT_SECONDS: ClassVar[float] = 30.0

    def __init__(
        self,
        name: str,
        settings: Mapping[str, Any],
        context: Context,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = name
        self.settings = settings
        self.context = context
        self.chats = ChatFilter.from_settings(
            list(settings.get("chats", ["private"])), bool(settings.get("channel_posts", False))
        )
        self.api_url = str(settings.get("api_url") or OFFICIAL_API_URL).rstrip("/")
        self.download_media = bool(settings.get("download_media", True))
        self.max_file_bytes = int(float(settings.get("max_file_mb", 20)) * 1024 * 1024)
        self.timeout = float(settings.get("timeout_seconds", 30))
        self.sleep = sleep
        self._session: Session | None = None
        self._webhook_url: str | None = None

    # Connection ---------------------------------------------------------------------------------
    def _open(self) -> Session:
        """The session, started (getMe answered, so the token works) on first use."""
        if self._session is None:
            token = self.settings["token"].reveal().strip()
            if not token:
                raise NeedsUser("the bot token is empty: check `token` for this account")
            self._session = Session(token, self.api_url, self.timeout)
        session = self._session
        if not session.started:
            self._call(session, session.bot.initialize, reading=True)
            session.started = True
        return session

    def _call(
        self, session: Session, call: Callable[[], Coroutine[Any, Any, T]], *, reading: bool
    ) -> T:
        """Run one Bot API call; Telegram's errors become NeedsUser, TryLater or Rejected."""
        try:
            return session.run(call())
        except TelegramError as e:
            raise (session.reading_error(e) if reading else session.sending_error(e)) from None

    def close(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            # closing a broken connection must not hide what broke it
            with contextlib.suppress(Exception):
                session.close()

    # Checking -----------------------------------------------------------------------------------
    def check(self) -> CheckResult:
        session = self._open()
        bot = session.bot
        info = self._call(session, bot.get_webhook_info, reading=True)
        self._webhook_url = info.url or ""
        username = bot.username
        warnings: list[str] = []
        if info.url:
            warnings.append(WEBHOOK_SET)
        if (self.chats.groups or self.chats.chat_ids) and not bot.bot.can_read_all_group_messages:
            warnings.append(
                Sentence(
                    "in groups this bot only sees commands and replies to it (privacy mode): to read"
                    " every group message, send /setprivacy to @BotFather and choose Disable"
                )
            )
        waiting = info.pending_update_count
        summary = Sentence("the bot @{username} answers", username=username)
        if waiting:
            summary = Sentence(
                "the bot @{username} answers; {n} update(s) waiting to be collected",
                username=username,
                n=waiting,
            )
        details = {}
        if username:  # every bot has one; the link lets a customer claim an order in one tap
            details = {
                "order_link": f"https://t.me/{username}?start={{token}}",
                "bot_username": username,
            }
        return CheckResult(summary, warnings=warnings, details=details)

    def fix(self) -> list[str]:
        """Remove the webhook (for `banco check --fix`), keeping every update still waiting."""
        session = self._open()
        bot = session.bot
        if self._webhook_url is None:
            self._webhook_url = self._call(session, bot.get_webhook_info, reading=True).url or ""
        if not self._webhook_url:
            return []
        url, self._webhook_url = self._webhook_url, ""
        self._call(session, lambda: bot.delete_webhook(drop_pending_updates=False), reading=True)
        return [
            Sentence(
                "removed the webhook ({url}); Banco now reads this bot's messages itself, and the"
                " messages waiting at Telegram were kept",
                url=url,
            )
        ]

    # Collecting ---------------------------------------------------------------------------------
    def fetch(self, cursors: Mapping[str, Any]) -> Iterator[Page]:
        session = self._open()
        bot = session.bot
        offset = _offset(cursors.get(STREAM))
        allowed = self.chats.allowed_updates()
        limit = self.PAGE_SIZE
        while True:
            # Asking with this offset confirms every update before it to Telegram: it is only
            # asked after the page that ended there was yielded, so after the runner stored it.
            ask = partial(bot.get_update_dicts, offset, limit, allowed)
            updates = self._call(session, ask, reading=True)
            ids = [u["update_id"] for u in updates if isinstance(u.get("update_id"), int)]
            if not ids or max(ids) < (offset or 0):
                return
            records = self._records(session, updates)
            offset = max(ids) + 1
            yield Page(STREAM, {"offset": offset}, records)

    def _records(self, session: Session, updates: list[dict[str, Any]]) -> list[Record]:
        bot_id = session.bot.id
        parsed = [p for p in (read_update(u, bot_id, self.chats) for u in updates) if p is not None]
        for p in parsed:
            if p.record.button is not None:
                self._stop_spinner(session, p.record.external_id.removeprefix("button:"))
        with_media = [(p, p.media) for p in parsed if p.media is not None]
        if not with_media:
            return [p.record for p in parsed]
        refs = [ref for _, ref in with_media]
        if self.download_media:
            limit = self.max_file_bytes
            fetched = self._call(
                session, lambda: fetch_files(session.bot, refs, limit), reading=True
            )
        else:
            fetched = [not_fetched(ref, "") for ref in refs]
        for (p, _), one_file in zip(with_media, fetched, strict=True):
            attach(p, one_file)
        return [p.record for p in parsed]

    def _stop_spinner(self, session: Session, press_id: str) -> None:
        """Tell Telegram the button press arrived (its app shows a spinner until then)."""
        with contextlib.suppress(TelegramError):  # cosmetic: the press is stored either way
            session.run(session.bot.answer_callback_query(press_id))

    # Sending ------------------------------------------------------------------------------------
    def send(self, message: Outgoing, handing_over: HandingOver) -> Receipt:
        target = target_of(message)
        for attachment in message.attachments:
            if attachment.data is None:
                raise Rejected(
                    "the file {filename} is not in Banco, so it cannot be sent",
                    filename=attachment.filename,
                )
        parts = split_text(message.text)
        keyboard = _keyboard(message.buttons)
        steps: list[Step] = [
            partial(_send_text, target, part, keyboard if i == len(parts) - 1 else None)
            for i, part in enumerate(parts)
        ]
        steps += [partial(_send_file, target, a) for a in message.attachments]
        if not steps:
            raise Rejected("the reply is empty")
        session = self._open()
        bot = session.bot
        sent: list[Message] = []
        budget = self.MAX_SEND_WAIT_SECONDS
        handing_over()
        for step in steps:
            # Only the first part quotes the message it answers.
            reply = None
            if not sent and target.reply_to is not None:
                reply = ReplyParameters(target.reply_to, allow_sending_without_reply=True)
            while True:
                try:
                    sent.append(session.run(step(bot, reply)))
                    break
                except RetryAfter as e:
                    wait = retry_seconds(e)
                    if wait <= budget:  # wait as asked, while the budget lasts
                        budget -= wait
                        self.sleep(wait)
                        continue
                    if sent:
                        why = Sentence(
                            "then Telegram asked Banco to wait {wait}", wait=duration_words(wait)
                        )
                        raise _partly_sent(len(sent), len(steps), why) from None
                    raise TryLater(
                        "Telegram asks Banco to wait {wait} before sending more;"
                        " the reply stays in the outbox and goes with the next delivery",
                        wait=duration_words(wait),
                    ) from None
                except TelegramError as e:
                    if not telegram_answered(e):
                        raise _may_have_been_sent(len(sent), len(steps)) from None
                    if sent:
                        why = Sentence("then Telegram answered: {reason}", reason=session.reason(e))
                        raise _partly_sent(len(sent), len(steps), why) from None
                    raise session.sending_error(e) from None
        record = sent_record(message, sent, bot.id, bot.first_name, target)
        return Receipt(record.external_id, record)

    def was_sent(self, message: Outgoing) -> bool:
        return False  # the Bot API cannot list what a bot sent: the maker looks at the chat


#: one message of a reply: send it with the bot, quoting the given message (or none)
Step = Callable[[Bot, ReplyParameters | None], Coroutine[Any, Any, Message]]


async def _send_text(
    target: Target,
    text: str,
    keyboard: InlineKeyboardMarkup | None,
    bot: Bot,
    reply: ReplyParameters | None,
) -> Message:
    return await bot.send_message(
        target.chat_id,
        text,
        reply_parameters=reply,
        business_connection_id=target.connection,
        reply_markup=keyboard,
    )


def _keyboard(rows: tuple[tuple[tuple[str, str], ...], ...]) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


async def _send_file(
    target: Target, attachment: Attachment, bot: Bot, reply: ReplyParameters | None
) -> Message:
    assert attachment.data is not None  # checked before sending anything
    upload = InputFile(attachment.data, filename=attachment.filename)
    if is_photo(attachment):
        return await bot.send_photo(
            target.chat_id, upload, reply_parameters=reply, business_connection_id=target.connection
        )
    return await bot.send_document(
        target.chat_id, upload, reply_parameters=reply, business_connection_id=target.connection
    )


def _may_have_been_sent(done: int, total: int) -> MayHaveBeenSent:
    """The request left and Telegram's answer never came."""
    which = (
        Sentence("this reply")
        if total == 1
        else Sentence("part {n} of the {total} parts of this reply", n=done + 1, total=total)
    )
    return MayHaveBeenSent(
        "Telegram did not answer in time after Banco handed over {which}, so it may have"
        " reached the chat. Look at the chat, then resend it or mark it sent.",
        which=which,
    )


def _partly_sent(done: int, total: int, why: str) -> Rejected:
    """Some parts of a long reply went out and the rest cannot go now. Sending it all again
    would repeat the first parts to the customer, so the maker decides."""
    return Rejected(
        "only the first {done} of the {total} parts of this reply reached the chat ({why});"
        " look at the chat, then send the rest yourself or resend the whole reply",
        done=done,
        total=total,
        why=why,
    )


def _offset(cursor: Any) -> int | None:
    """The saved offset, or None on the first collect (Telegram then starts at the oldest)."""
    if isinstance(cursor, dict) and isinstance(cursor.get("offset"), int):
        return int(cursor["offset"])
    return None
