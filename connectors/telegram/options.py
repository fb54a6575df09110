"""The keys of a ``telegram`` account. Read whenever banco.toml is, so it imports no more than
``banco.config``: python-telegram-bot is the connector's (``connector``)."""

from __future__ import annotations

from collections.abc import Mapping

from banco.config import Option

OFFICIAL_API_URL = "https://api.telegram.org"

OPTIONS: Mapping[str, Option] = {
    "token": Option("secret", help="the bot's token from @BotFather"),
    "api_url": Option(
        "str",
        OFFICIAL_API_URL,
        help="the Bot API server; change it only to use your own local Bot API server",
    ),
    "chats": Option(
        "list",
        ["private"],
        help='which chats to read: "private", "groups", or group chat ids such as "-100123"',
    ),
    "channel_posts": Option("bool", False, help="also read posts of channels the bot is in"),
    "download_media": Option("bool", True, help="download photos, documents and voice"),
    "max_file_mb": Option(
        "number",
        20,
        help="larger files are listed, not downloaded",
        positive=True,
        maximum=2048,
    ),
    "timeout_seconds": Option(
        "number",
        30,
        help="how long to wait for Telegram to answer",
        positive=True,
        maximum=3600,
    ),
}
