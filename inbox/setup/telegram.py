"""``banco setup telegram``: her bot in one step, and her own chat found without an id to hunt.

1. The token is checked with Telegram (getMe) and kept in a file only she can read
   (``secrets/<account>.password``, as the mail step keeps a password), never in banco.toml.
2. A webhook left by another tool would keep Banco from reading the bot: she is offered its removal
   (the messages waiting stay waiting).
3. Banco prints a one-time code and a link that sends it (``https://t.me/<bot>?start=<code>``) and
   waits for ``/owner <code>`` (or ``/start <code>``) in a private chat with the bot: that chat
   becomes ``owner_chat``. A wrong code gets nothing, the code lives only while Banco waits here,
   and the wait ends after ``wait_seconds`` with a plain line.

While it waits it holds the shop's collect lock, so that a `banco run` collecting meanwhile (the
service) leaves her /owner message for it to see; a collect running already stops the step.

Waiting reads the bot's updates without confirming any (getUpdates with no offset): every message
a customer sent meanwhile, and her /owner message, stay for the next collect. Telegram answers
the oldest 100; when more wait, she is told to collect first.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit
from telegram.error import TelegramError
from tomlkit.items import AoT, Table

from banco.config import ConfigError
from banco.connectors.telegram.client import OFFICIAL_API_URL, Session
from banco.connectors.telegram.updates import ChatFilter
from banco.inbox.collect.lock import CollectRunning, collecting
from banco.inbox.i18n.catalogs import _, ngettext, said
from banco.inbox.setup.mail import keep_password
from banco.inbox.setup.prompts import Asker, SetupError
from banco.inbox.setup.toml_writer import TOMLDocument, put_account, set_values
from banco.inbox.shop import Shop

#: how long Banco waits for her /owner message by default
WAIT_SECONDS = 600.0
#: the most updates one getUpdates answers
PAGE = 100
#: a bot token as @BotFather gives it: 123456789:AAH...
TOKEN_SHAPE = re.compile(r"^\d{5,}:[\w-]{20,}$")
DEFAULT_ACCOUNT = "telegram"


@dataclass(frozen=True)
class Pairing:
    """Where the bot lives and how long to wait for her (the tests' own Bot API server)."""

    api_url: str = OFFICIAL_API_URL
    wait_seconds: float = WAIT_SECONDS
    #: between two reads of the bot's messages (Telegram's own server holds each read longer)
    poll_seconds: float = 2.0
    timeout_seconds: float = 30.0


@dataclass(frozen=True)
class TelegramSetup:
    account: str
    #: the bot's @username
    bot: str
    #: her chat, or None when no /owner message came in time
    owner_chat: int | None


@dataclass(frozen=True)
class Owner:
    chat_id: int
    name: str


def run_telegram_step(
    asker: Asker, doc: TOMLDocument, home: Path, pairing: Pairing = Pairing()
) -> TelegramSetup:
    """Ask for the bot, write its account to ``doc`` and find her chat (``owner_chat``)."""
    asker.say(
        _(
            "In Telegram, open @BotFather and send it /newbot: it asks for a name and gives you"
            " the bot's token, a line like 123456789:AAH..."
        )
    )
    session, bot = _checked_bot(asker, pairing)
    try:
        _remove_webhook(asker, session)
        account = asker.ask(
            "telegram-account", _("The bot's short name in Banco"), _telegram_name(doc)
        )
        _put_bot(doc, home, account, session.token, pairing.api_url)
        owner = _pair(asker, session, bot, pairing, home)
        if owner is not None:
            set_values(doc, "shop", {"owner_chat": owner.chat_id})
            session.run(
                session.bot.send_message(
                    owner.chat_id,
                    _("Banco knows this chat is yours: your digest and your replies come here."),
                )
            )
            asker.say(
                _("This chat is yours: {name} (chat {chat}), written as owner_chat.").format(
                    name=owner.name, chat=owner.chat_id
                )
            )
        _explain_business(asker, bot)
        return TelegramSetup(account, bot, owner.chat_id if owner else None)
    except TelegramError as e:
        raise SetupError(said(session.reading_error(e))) from None
    finally:
        session.close()


def _checked_bot(asker: Asker, pairing: Pairing) -> tuple[Session, str]:
    """A session with the token Telegram accepted, and the bot's @username."""
    found: list[tuple[Session, str]] = []

    def accepted(token: str) -> str | None:
        if not TOKEN_SHAPE.match(token):
            return _(
                "That is not a bot token: copy the whole line @BotFather gave you, like"
                " 123456789:AAH..."
            )
        session = Session(token, pairing.api_url, pairing.timeout_seconds)
        try:
            me = session.run(session.bot.get_me())
        except TelegramError as e:
            session.close()
            return said(session.reading_error(e))
        found.append((session, str(me.username)))
        return None

    asker.ask("bot-token", _("The bot's token"), secret=True, check=accepted)
    session, bot = found[-1]
    asker.say(_("Telegram knows this bot: @{bot}.").format(bot=bot))
    return session, bot


def _remove_webhook(asker: Asker, session: Session) -> None:
    url = session.run(session.bot.get_webhook_info()).url
    if not url:
        return
    asker.say(
        _(
            "This bot sends its messages to {url} (a webhook, set by another program), so Banco"
            " cannot read them."
        ).format(url=url)
    )
    if not asker.yes("remove-webhook", _("Remove the webhook? Waiting messages stay."), True):
        raise SetupError(
            _(
                "Banco cannot read this bot while its webhook is set: run `banco setup telegram`"
                " again and remove it, or give Banco a bot of its own"
            )
        )
    session.run(session.bot.delete_webhook(drop_pending_updates=False))
    asker.say(_("Removed the webhook."))


def _telegram_name(doc: TOMLDocument) -> str:
    """The name of the Telegram account banco.toml has already, else "telegram"."""
    for table in _accounts(doc):
        if table.get("kind") == "telegram":
            return str(table.get("name"))
    return DEFAULT_ACCOUNT


def _accounts(doc: TOMLDocument) -> list[Table]:
    accounts = doc.get("accounts")
    return list(accounts) if isinstance(accounts, AoT) else []


def _put_bot(doc: TOMLDocument, home: Path, account: str, token: str, api_url: str) -> None:
    """Keep the token in a private file; the account names the file. An account of that name
    keeps its other keys (``chats``, ``download_media``...) and their comments."""
    reference = tomlkit.inline_table()
    reference.update({"file": str(keep_password(home, account, token))})
    for table in _accounts(doc):
        if table.get("name") == account:
            table["kind"] = "telegram"
            table["token"] = reference
            if api_url != OFFICIAL_API_URL:
                table["api_url"] = api_url
            return
    values: dict[str, Any] = {"name": account, "kind": "telegram", "token": reference}
    if api_url != OFFICIAL_API_URL:
        values["api_url"] = api_url
    put_account(doc, values, {"token": _("the bot's token, in a file only you can read")})


def pairing_code() -> str:
    """Eight digits: easy to type on a phone, too many to guess in the minutes it lives."""
    return f"{secrets.randbelow(10**8):08d}"


@contextmanager
def no_collect(home: Path) -> Iterator[None]:
    """Hold the shop's collect lock while she pairs: a `banco run` collecting meanwhile would
    confirm her /owner message to Telegram, and the wait would never see it."""
    try:
        shop = Shop.open(home)
    except ConfigError:  # banco.toml cannot be read yet: nothing can collect this shop either
        yield
        return
    try:
        with collecting(shop):
            yield
    except CollectRunning as e:
        raise SetupError(
            _("{running} Run `banco setup telegram` again when it has ended.").format(running=e)
        ) from None
    finally:
        shop.close()


def _pair(asker: Asker, session: Session, bot: str, pairing: Pairing, home: Path) -> Owner | None:
    with no_collect(home):  # before the code is shown: she may send it at once
        code = pairing_code()
        minutes = max(1, round(pairing.wait_seconds / 60))
        asker.say(
            _(
                "Now, from your own Telegram account, open https://t.me/{bot}?start={code} and"
                " press Start, or send the bot: /owner {code}"
            ).format(bot=bot, code=code)
        )
        asker.say(
            ngettext(
                "Banco waits here for {minutes} minute; the code works only until then.",
                "Banco waits here for {minutes} minutes; the code works only until then.",
                minutes,
            ).format(minutes=minutes)
        )
        owner, full = wait_for_owner(session, bot, code, pairing, time.monotonic, time.sleep)
    if owner is None:
        asker.say(
            ngettext(
                "No /owner {code} came in {minutes} minute, and the code has expired. Run"
                " `banco setup telegram` again with your phone at hand.",
                "No /owner {code} came in {minutes} minutes, and the code has expired. Run"
                " `banco setup telegram` again with your phone at hand.",
                minutes,
            ).format(code=code, minutes=minutes)
        )
        if full:
            asker.say(
                _(
                    "More than {n} messages wait for Banco in this bot: run `banco collect`"
                    " first, then try again."
                ).format(n=PAGE)
            )
    return owner


def wait_for_owner(
    session: Session,
    bot: str,
    code: str,
    pairing: Pairing,
    monotonic: Callable[[], float],
    sleep: Callable[[float], object],
) -> tuple[Owner | None, bool]:
    """Read the bot's waiting messages, confirming none, until one carries ``code`` in a private
    chat or the time is up; also whether Telegram's page was full (the code may be behind it)."""
    deadline = monotonic() + pairing.wait_seconds
    allowed = ChatFilter().allowed_updates()  # what the connector asks for by default
    full = False
    while True:
        updates = session.run(session.bot.get_update_dicts(None, PAGE, allowed))
        full = len(updates) >= PAGE
        for update in updates:
            owner = claimed(update, bot, code)
            if owner is not None:
                return owner, full
        if monotonic() >= deadline:
            return None, full
        sleep(pairing.poll_seconds)


def claimed(update: dict[str, Any], bot: str, code: str) -> Owner | None:
    """Her chat, when ``update`` is ``/owner <code>`` or ``/start <code>`` in a private chat."""
    message = update.get("message")
    if not isinstance(message, dict):
        return None
    chat = message.get("chat") or {}
    words = str(message.get("text") or "").split()
    if chat.get("type") != "private" or len(words) != 2 or words[1] != code:
        return None
    command, _at, to = words[0].partition("@")  # "/owner@shop_bot" in a chat with several bots
    if command not in ("/owner", "/start") or (to and to.lower() != bot.lower()):
        return None
    sender = message.get("from") or {}
    name = " ".join(str(sender[k]) for k in ("first_name", "last_name") if sender.get(k))
    return Owner(int(chat["id"]), name or str(chat["id"]))


def _explain_business(asker: Asker, bot: str) -> None:
    asker.say(
        _(
            "Customers can write to @{bot}. To have the chats of your own Telegram account reach"
            " Banco too (Telegram Business): in Telegram open Settings, Telegram Business,"
            " Chatbots, type @{bot}, add it and let it reply."
        ).format(bot=bot)
    )
