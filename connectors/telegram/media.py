"""Files that come with a Telegram message: which one to take, and fetching it through getFile.

A photo arrives in several sizes: Banco keeps the largest. Documents, voice messages, video notes,
videos, audio and animations are kept as sent. A file larger than ``max_file_mb`` (or than the
20 MB the Bot API lets a bot download) is recorded with its name and size, not downloaded.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from telegram import Bot
from telegram.error import BadRequest

from banco.connectors import Attachment

#: downloads running at once for one page of updates
PARALLEL_DOWNLOADS = 4


@dataclass(frozen=True)
class MediaRef:
    """A file Telegram holds for a message, before it is fetched."""

    file_id: str
    filename: str
    content_type: str
    #: as Telegram announced it; None when it did not say
    size: int | None
    what: str


#: message field -> (what it is, file name pattern, content type when Telegram gives none)
KINDS: dict[str, tuple[str, str, str]] = {
    "animation": ("animation", "animation-{n}.mp4", "video/mp4"),
    "document": ("document", "document-{n}", "application/octet-stream"),
    "voice": ("voice message", "voice-{n}.ogg", "audio/ogg"),
    "video_note": ("video note", "video-note-{n}.mp4", "video/mp4"),
    "video": ("video", "video-{n}.mp4", "video/mp4"),
    "audio": ("audio", "audio-{n}.mp3", "audio/mpeg"),
}


def media_of(message: Mapping[str, Any], message_id: int) -> MediaRef | None:
    """The file worth keeping from a message (its JSON), if it has one."""
    photo = message.get("photo")
    if isinstance(photo, list) and photo and isinstance(photo[-1], dict):
        largest = photo[-1]  # Telegram lists the sizes smallest first
        return MediaRef(
            str(largest["file_id"]), f"photo-{message_id}.jpg", "image/jpeg",
            _size(largest), "photo",
        )  # fmt: skip
    # A GIF arrives as an animation and as a document: "animation" comes first, to take it once.
    for key, (what, pattern, default_type) in KINDS.items():
        found = message.get(key)
        if isinstance(found, dict) and isinstance(found.get("file_id"), str):
            name = found.get("file_name")
            mime = found.get("mime_type")
            return MediaRef(
                found["file_id"],
                name if isinstance(name, str) and name else pattern.format(n=message_id),
                mime if isinstance(mime, str) and mime else default_type,
                _size(found),
                what,
            )
    return None


def _size(file: Mapping[str, Any]) -> int | None:
    size = file.get("file_size")
    return size if isinstance(size, int) else None


def size_words(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} bytes"


@dataclass(frozen=True)
class Fetched:
    """A file as Banco keeps it, and a line for the message's text when it was not fetched."""

    attachment: Attachment
    note: str = ""


def not_fetched(ref: MediaRef, note: str, size: int | None = None) -> Fetched:
    return Fetched(Attachment(ref.filename, ref.content_type, size or ref.size or 0, None), note)


def too_large(ref: MediaRef, limit: int, size: int | None = None) -> Fetched:
    size = size or ref.size or 0
    return not_fetched(
        ref,
        f"[{ref.filename} ({size_words(size)}) is larger than Banco downloads"
        f" ({size_words(limit)}): open it in Telegram]",
        size,
    )


async def fetch_file(bot: Bot, ref: MediaRef, limit: int) -> Fetched:
    """Download ``ref`` unless it is larger than ``limit`` bytes (then ``data`` is None).

    A file Telegram will not hand over (too big for the Bot API, or gone) is recorded without
    its bytes; a network failure propagates, so the whole page is fetched again later.
    """
    if ref.size is not None and ref.size > limit:
        return too_large(ref, limit)
    try:
        file = await bot.get_file(ref.file_id)
    except BadRequest as e:  # it will never come: keep the message and say so
        if "too big" in e.message.lower():
            return not_fetched(
                ref,
                f"[{ref.filename} is larger than Telegram lets bots download: open it in Telegram]",
            )
        return not_fetched(ref, f"[{ref.filename}: Telegram did not hand over this file]")
    if file.file_size is not None and file.file_size > limit:
        return too_large(ref, limit, file.file_size)
    data = bytes(await file.download_as_bytearray())
    if len(data) > limit:
        return too_large(ref, limit, len(data))
    return Fetched(Attachment(ref.filename, ref.content_type, len(data), data))


async def fetch_files(bot: Bot, refs: list[MediaRef], limit: int) -> list[Fetched]:
    """Download several files, a few at a time, in the order given."""
    gate = asyncio.Semaphore(PARALLEL_DOWNLOADS)

    async def one(ref: MediaRef) -> Fetched:
        async with gate:
            return await fetch_file(bot, ref, limit)

    return list(await asyncio.gather(*(one(ref) for ref in refs)))
