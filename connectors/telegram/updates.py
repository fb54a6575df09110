"""Telegram updates as Banco records.

Which chats count (private chats by default, groups only when listed, channel posts only when
asked), who wrote, what they wrote, and the keys that let Banco thread a chat and answer it:

* ``external_id`` is ``<chat_id>:<message_id>`` (business chats:
  ``biz:<connection_id>:<chat_id>:<message_id>``), so an edited message replaces the stored one
  and Banco keeps the old version;
* ``conversation`` is ``chat:<chat_id>`` (business chats: ``biz:<connection_id>:<chat_id>``): the
  chat a reply goes back to.

Updates are read from their JSON as the Bot API documents it (https://core.telegram.org/bots/api
#update), one at a time: an update that cannot be read is kept raw as unreadable and never costs
the others. Kinds Banco does not show in full (stickers, polls, service messages) are kept with a
short text in brackets, never dropped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from banco.config.sentence import Sentence
from banco.connectors import Handle, NeedsUser, Person, Record, unreadable_record

from .media import Fetched, MediaRef, media_of

CHANNEL = "telegram"
STREAM = "updates"

JSON = Mapping[str, Any]

#: update kinds that carry a message
MESSAGE_KINDS = (
    "message",
    "edited_message",
    "business_message",
    "edited_business_message",
    "channel_post",
    "edited_channel_post",
)
CHANNEL_KINDS = ("channel_post", "edited_channel_post")

#: ``/start <payload>``: the payload of a deep link ``t.me/<bot>?start=<token>`` (an order's
#: token; Banco decides what a payload that is not one means, such as a reference typed by hand)
DEEP_LINK = re.compile(r"/start(?:@\w+)?\s+([A-Za-z0-9_-]{1,64})\s*")

#: kinds of content shown by their name alone
NAMED_KINDS = ("game", "invoice", "story", "paid_media", "checklist", "giveaway")
#: service messages (someone joined, a message was pinned): shown by their name
SERVICE_FIELDS = (
    "new_chat_members",
    "left_chat_member",
    "new_chat_title",
    "new_chat_photo",
    "delete_chat_photo",
    "group_chat_created",
    "supergroup_chat_created",
    "channel_chat_created",
    "migrate_to_chat_id",
    "migrate_from_chat_id",
    "pinned_message",
    "message_auto_delete_timer_changed",
    "forum_topic_created",
    "forum_topic_edited",
    "forum_topic_closed",
    "forum_topic_reopened",
    "video_chat_scheduled",
    "video_chat_started",
    "video_chat_ended",
    "video_chat_participants_invited",
    "write_access_allowed",
    "users_shared",
    "chat_shared",
    "successful_payment",
    "refunded_payment",
    "proximity_alert_triggered",
    "web_app_data",
    "connected_website",
    "chat_background_set",
    "boost_added",
    "gift",
    "unique_gift",
)


class Unreadable(Exception):
    """An update without what every message has (a chat, an id, a date)."""


@dataclass(frozen=True)
class ChatFilter:
    """Which chats Banco keeps messages from (the ``chats`` and ``channel_posts`` settings)."""

    private: bool = True
    groups: bool = False
    chat_ids: frozenset[int] = frozenset()
    channel_posts: bool = False

    @classmethod
    def from_settings(cls, chats: list[str], channel_posts: bool) -> ChatFilter:
        words = {c.strip().lower() for c in chats}
        ids = set()
        for entry in chats:
            if entry.strip().lower() in ("private", "groups"):
                continue
            try:
                ids.add(int(entry.strip()))
            except ValueError:
                raise NeedsUser(
                    'chats: "{entry}" is not "private", "groups" or a chat id such as'
                    ' "-1001234567890"; fix it in banco.toml',
                    entry=entry,
                ) from None
        return cls("private" in words, "groups" in words, frozenset(ids), channel_posts)

    def allowed_updates(self) -> list[str]:
        """The update kinds to ask Telegram for (it does not even keep the others). Button
        presses come only from the maker: customers never see Banco's buttons."""
        kinds = [k for k in MESSAGE_KINDS if self.channel_posts or k not in CHANNEL_KINDS]
        return [*kinds, "callback_query"]

    def wants(self, kind: str, chat_id: int, chat_type: str) -> bool:
        if chat_id in self.chat_ids:
            return True
        if kind in CHANNEL_KINDS or chat_type == "channel":
            return self.channel_posts
        if chat_type == "private":
            return self.private
        return self.groups  # group, supergroup


@dataclass
class Parsed:
    """A record built from one update, and the file still to fetch for it."""

    record: Record
    media: MediaRef | None = None


# Keys ---------------------------------------------------------------------------------------------
def message_external_id(chat_id: int, message_id: int, connection: str | None = None) -> str:
    return f"biz:{connection}:{chat_id}:{message_id}" if connection else f"{chat_id}:{message_id}"


def conversation_key(chat_id: int, connection: str | None = None) -> str:
    return f"biz:{connection}:{chat_id}" if connection else f"chat:{chat_id}"


def parse_conversation(key: str) -> tuple[int, str | None] | None:
    """(chat id, business connection id) from a conversation key; None when it is not one."""
    parts = key.split(":")
    try:
        if len(parts) == 2 and parts[0] == "chat":
            return int(parts[1]), None
        if len(parts) == 3 and parts[0] == "biz" and parts[1]:
            return int(parts[2]), parts[1]
    except ValueError:
        return None
    return None


def parse_external_id(external_id: str) -> tuple[int, int, str | None] | None:
    """(chat id, message id, business connection id) from a message's external id."""
    parts = external_id.split(":")
    try:
        if len(parts) == 2:
            return int(parts[0]), int(parts[1]), None
        if len(parts) == 4 and parts[0] == "biz" and parts[1]:
            return int(parts[2]), int(parts[3]), parts[1]
    except ValueError:
        return None
    return None


def message_key(bot_id: int, external_id: str) -> str:
    """A message's key among every channel (it threads replies): unique per bot."""
    return f"telegram:{bot_id}:{external_id}"


# Reading updates ----------------------------------------------------------------------------------
def update_kind(data: JSON) -> str:
    """The kind of an update: the one key beside ``update_id``."""
    for key in data:
        if key != "update_id":
            return key
    return "unknown"


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def raw_json(data: JSON) -> bytes:
    """The update's JSON as Telegram sent it (compact, UTF-8)."""
    return _ENCODER.encode(data).encode()


def read_update(data: JSON, bot_id: int, chats: ChatFilter) -> Parsed | None:
    """The record for one update, or None when it comes from a chat Banco does not keep. An
    update that cannot be read becomes an unreadable record holding its JSON."""
    raw = raw_json(data)
    try:
        return parse_update(data, raw, bot_id, chats)
    except Exception as e:  # kept raw; the other updates of the page go on
        problem = str(e) if isinstance(e, Unreadable) else f"{type(e).__name__}: {e}"
        return Parsed(
            unreadable(
                data,
                raw,
                Sentence("Banco could not read this Telegram update ({said})", said=problem),
            )
        )


def parse_update(data: JSON, raw: bytes, bot_id: int, chats: ChatFilter) -> Parsed | None:
    kind = update_kind(data)
    if kind == "callback_query":
        return Parsed(button_record(_object(data[kind], "the button press"), raw))
    if kind not in MESSAGE_KINDS:
        # Not asked for (allowed_updates), but kept rather than lost.
        return Parsed(
            Record(
                external_id=f"update:{data.get('update_id')}",
                channel=CHANNEL,
                text=f"[{kind.replace('_', ' ')}]",
                raw=raw,
                raw_type="json",
                size=len(raw),
                auto="telegram_update",
            )
        )
    message = _object(data[kind], f"its {kind}")
    chat = _object(message.get("chat"), "the chat")
    if not chats.wants(kind, _int(chat.get("id"), "the chat id"), str(chat.get("type", ""))):
        return None
    return message_record(message, raw, bot_id)


def message_record(message: JSON, raw: bytes, bot_id: int) -> Parsed:
    """A Telegram message as a record (in or out), with the file it carries still to fetch."""
    chat = _object(message.get("chat"), "the chat")
    chat_id = _int(chat.get("id"), "the chat id")
    message_id = _int(message.get("message_id"), "the message id")
    date = _int(message.get("date"), "the date")
    connection = _text(message.get("business_connection_id")) or None
    external_id = message_external_id(chat_id, message_id, connection)
    author = message.get("from")
    author = author if isinstance(author, dict) else None
    # In a business chat the maker's own messages arrive too: the chat is the customer's, so a
    # message from anyone else was written by the maker (or by a bot on their behalf).
    outgoing = connection is not None and (author is None or author.get("id") != chat_id)
    sender = person(author if author is not None else message.get("sender_chat") or chat)
    shared = message.get("contact")
    if (
        isinstance(shared, dict)
        and author is not None
        and shared.get("user_id") == author.get("id")
        and shared.get("phone_number")
    ):  # the customer shared their own phone number
        sender.handles.append(Handle("phone", str(shared["phone_number"])))
    reply_keys: tuple[str, ...] = ()
    replied = message.get("reply_to_message")
    if isinstance(replied, dict) and isinstance(replied.get("message_id"), int):
        answered = message_external_id(chat_id, replied["message_id"], connection)
        reply_keys = (message_key(bot_id, answered),)
    text = _text(message.get("text"))
    order_ref = None
    auto = None
    if text and not outgoing:
        link = DEEP_LINK.fullmatch(text)
        if link:
            order_ref = link[1]
        elif text.strip().split("@")[0] == "/start":
            auto = "telegram_start"  # the customer opened the chat: nothing to answer yet
    record = Record(
        external_id=external_id,
        channel=CHANNEL,
        direction="out" if outgoing else "in",
        sent_at=datetime.fromtimestamp(date, UTC),
        sender=sender,
        recipients=[person(chat)] if outgoing else [],
        text=text or _text(message.get("caption")) or label(message),
        raw=raw,
        raw_type="json",
        size=len(raw),
        message_key=message_key(bot_id, external_id),
        reply_keys=reply_keys,
        conversation=conversation_key(chat_id, connection),
        auto=auto,
        order_ref=order_ref,
    )
    return Parsed(record, media_of(message, message_id))


def button_record(press: JSON, raw: bytes) -> Record:
    """A button pressed under one of Banco's messages: its data, from whom, in which chat."""
    message = press.get("message")
    chat = message.get("chat") if isinstance(message, dict) else None
    chat_id = _int(chat.get("id"), "the chat id") if isinstance(chat, dict) else None
    return Record(
        external_id=f"button:{_text(press.get('id'))}",
        channel=CHANNEL,
        sender=person(_object(press.get("from"), "who pressed it")),
        text=f"[button: {_text(press.get('data'))}]",
        raw=raw,
        raw_type="json",
        size=len(raw),
        conversation=conversation_key(chat_id) if chat_id is not None else None,
        auto="telegram_button",
        button=_text(press.get("data")),
    )


def person(who: JSON) -> Person:
    """A user or chat as a person: Telegram id first (replies go there), then the username."""
    handles = [Handle("telegram", str(_int(who.get("id"), "the sender's id")))]
    username = _text(who.get("username"))
    if username:
        handles.append(Handle("telegram_username", username))
    name = _text(who.get("title")) or " ".join(
        p for p in (_text(who.get("first_name")), _text(who.get("last_name"))) if p
    )
    return Person(name, handles)


def unreadable(data: JSON, raw: bytes, problem: str) -> Record:
    """What is kept of an update Banco could not read: its JSON and the reason. Its id is the
    message's when that much can be read, so a later edit that can be read replaces it."""
    body = data.get(update_kind(data))
    external_id = f"update:{data.get('update_id')}"
    if isinstance(body, dict):
        chat, message_id = body.get("chat"), body.get("message_id")
        if (
            isinstance(chat, dict)
            and isinstance(chat.get("id"), int)
            and isinstance(message_id, int)
        ):
            connection = _text(body.get("business_connection_id")) or None
            external_id = message_external_id(chat["id"], message_id, connection)
    return unreadable_record(external_id, CHANNEL, raw, "json", problem)


def attach(parsed: Parsed, fetched: Fetched) -> Record:
    """Put the fetched file on the record; say in the text why it was not fetched, if it was not."""
    record = parsed.record
    record.attachments.append(fetched.attachment)
    if fetched.note:
        record.text = f"{record.text}\n{fetched.note}"
    return record


def label(message: JSON) -> str:
    """What a message without words is, in brackets: ``[photo]``, ``[sticker 😀]``."""
    m = message
    if m.get("photo"):
        return "[photo]"
    if m.get("animation"):
        return "[animation]"
    if isinstance(m.get("document"), dict):
        name = _text(m["document"].get("file_name"))
        return f"[document: {name}]" if name else "[document]"
    for key, words in (
        ("voice", "voice message"),
        ("video_note", "video note"),
        ("video", "video"),
    ):
        if isinstance(m.get(key), dict):
            return f"[{words}, {_clock(m[key].get('duration'))}]"
    if isinstance(m.get("audio"), dict):
        a = m["audio"]
        title = " - ".join(p for p in (_text(a.get("performer")), _text(a.get("title"))) if p)
        title = title or _text(a.get("file_name"))
        return f"[audio: {title}]" if title else "[audio]"
    if isinstance(m.get("sticker"), dict):
        emoji = _text(m["sticker"].get("emoji"))
        return f"[sticker {emoji}]" if emoji else "[sticker]"
    if isinstance(m.get("contact"), dict):
        c = m["contact"]
        name = " ".join(p for p in (_text(c.get("first_name")), _text(c.get("last_name"))) if p)
        return f"[contact: {name}, {_text(c.get('phone_number'))}]"
    if isinstance(m.get("venue"), dict):
        return f"[place: {_text(m['venue'].get('title'))}, {_text(m['venue'].get('address'))}]"
    if isinstance(m.get("location"), dict):
        loc = m["location"]
        return f"[location: {loc.get('latitude')}, {loc.get('longitude')}]"
    if isinstance(m.get("poll"), dict):
        return f"[poll: {_text(m['poll'].get('question'))}]"
    if isinstance(m.get("dice"), dict):
        return f"[dice {_text(m['dice'].get('emoji'))}: {m['dice'].get('value')}]"
    for name in (*NAMED_KINDS, *SERVICE_FIELDS):
        if m.get(name):
            return f"[{name.replace('_', ' ')}]"
    return "[a kind of message Banco cannot show yet]"


def _clock(duration: Any) -> str:
    if not isinstance(duration, int | float):
        return "?"
    seconds = int(duration)
    return f"{seconds // 60}:{seconds % 60:02d}"


def _object(value: Any, what: str) -> JSON:
    if not isinstance(value, dict):
        raise Unreadable(f"{what} is missing")
    return value


def _int(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise Unreadable(f"{what} is missing")
    return value


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
