"""Replies to Telegram chats: where a reply goes, how a long one is cut, what is kept of it.

Telegram takes at most 4096 characters per message. A longer reply is cut between paragraphs,
else between lines, else between words, else anywhere; only the first part quotes the message it
answers. Attachments follow as photos (images) or documents.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from telegram import Message

from banco.connectors import Attachment, Handle, Outgoing, Person, Record, Rejected

from .updates import (
    CHANNEL,
    conversation_key,
    message_external_id,
    message_key,
    parse_conversation,
    parse_external_id,
)

#: Telegram's limit for one text message, counted as Telegram counts (UTF-16 code units)
MAX_MESSAGE = 4096
#: sendPhoto takes images up to 10 MB; larger ones go as documents
MAX_PHOTO_BYTES = 10 * 1024 * 1024
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif")


@dataclass(frozen=True)
class Target:
    """The chat a reply goes to, and the message it answers there."""

    chat_id: int
    connection: str | None = None
    reply_to: int | None = None


def target_of(message: Outgoing) -> Target:
    """Where ``message`` goes: the chat of the conversation it answers (else the person's own
    private chat), quoting the message answered when it is in that same chat."""
    found = parse_conversation(message.conversation or "")
    if found is None:
        if message.to.kind != "telegram":
            raise Rejected(
                "Banco does not know this customer's Telegram chat, so it cannot send this reply;"
                " answer one of their Telegram messages instead"
            )
        try:
            found = (int(message.to.value), None)
        except ValueError:
            raise Rejected(
                "{address!r} is not a Telegram chat Banco can write to", address=message.to.value
            ) from None
    chat_id, connection = found
    reply_to = None
    answered = parse_external_id(message.reply_to_external_id or "")
    if answered is not None and (answered[0], answered[2]) == (chat_id, connection):
        reply_to = answered[1]
    return Target(chat_id, connection, reply_to)


def telegram_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Cut ``text`` into parts Telegram accepts, at the largest boundary that fits."""
    text = text.strip()
    if telegram_length(text) <= limit:
        return [text] if text else []
    parts: list[str] = []
    for piece in _pack(text, ("\n\n", "\n", " "), limit):
        piece = piece.strip()
        if piece:
            parts.append(piece)
    return parts


def _pack(text: str, separators: tuple[str, ...], limit: int) -> list[str]:
    """Join pieces of ``text`` split at ``separators[0]`` into chunks of at most ``limit``; a
    piece too long on its own is cut at the next separator, or anywhere when none is left."""
    if telegram_length(text) <= limit:
        return [text]
    if not separators:
        return _hard_split(text, limit)
    separator, rest = separators[0], separators[1:]
    chunks: list[str] = []
    current = ""
    for piece in text.split(separator):
        candidate = f"{current}{separator}{piece}" if current else piece
        if telegram_length(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        if telegram_length(piece) <= limit:
            current = piece
        else:
            *full, current = _pack(piece, rest, limit)
            chunks.extend(full)
    if current:
        chunks.append(current)
    return chunks


def _hard_split(text: str, limit: int) -> list[str]:
    chunks: list[str] = []
    current = ""
    for char in text:
        if telegram_length(current + char) > limit:
            chunks.append(current)
            current = ""
        current += char
    return [*chunks, current] if current else chunks


def is_photo(attachment: Attachment) -> bool:
    return attachment.content_type.lower() in PHOTO_TYPES and attachment.size <= MAX_PHOTO_BYTES


def sent_record(
    message: Outgoing,
    sent: list[Message],
    bot_id: int,
    bot_name: str,
    target: Target,
) -> Record:
    """The reply as Banco keeps it: one outgoing record, whatever the number of parts."""
    first = sent[0]
    external_id = message_external_id(first.chat.id, first.message_id, target.connection)
    reply_keys: tuple[str, ...] = ()
    if target.reply_to is not None:
        answered = message_external_id(target.chat_id, target.reply_to, target.connection)
        reply_keys = (message_key(bot_id, answered),)
    raw = json.dumps([m.to_dict() for m in sent], ensure_ascii=False).encode()
    return Record(
        external_id=external_id,
        channel=CHANNEL,
        direction="out",
        sent_at=first.date,
        sender=Person(bot_name, [Handle("telegram", str(bot_id))]),
        recipients=[Person("", [message.to])],
        text=message.text,
        raw=raw,
        raw_type="json",
        size=len(raw),
        message_key=message_key(bot_id, external_id),
        reply_keys=reply_keys,
        conversation=conversation_key(target.chat_id, target.connection),
        attachments=list(message.attachments),
    )
