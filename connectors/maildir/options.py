"""The keys of a ``maildir`` account. Read whenever banco.toml is, so it imports no more than
``banco.config`` (the connector itself is ``connector``)."""

from __future__ import annotations

from collections.abc import Mapping

from banco.config import Option

OPTIONS: Mapping[str, Option] = {
    "path": Option("path", help="the Maildir folder, the one holding cur, new and tmp"),
    "folders": Option(
        "list",
        ["INBOX"],
        "the folders to read: INBOX is the Maildir itself, another name such as Orders is its"
        " subfolder .Orders",
    ),
    "sent_folder": Option(
        "str", "", "the folder with the mail you sent, such as Sent; empty for none"
    ),
    "max_message_mb": Option(
        "number",
        25,
        "a message larger than this many MB is kept as its headers only",
        positive=True,
        maximum=2048,
    ),
}
