"""The Sent folder after a reply: a copy for the maker's mail program, and the proof it went out.

The copy is APPENDed with the ``\\Seen`` flag (it is the maker's own mail, already read). After a
crash between sending and recording, the reply's Message-ID is looked for in that folder.
"""

from __future__ import annotations

from datetime import datetime

from imapclient import IMAPClient


def keep_copy(client: IMAPClient, folder: str, data: bytes, when: datetime) -> None:
    client.append(folder, data, flags=(b"\\Seen",), msg_time=when)


def holds_message(client: IMAPClient, folder: str, message_key: str) -> bool:
    """True when ``folder`` holds a message with this Message-ID."""
    client.select_folder(folder, readonly=True)
    return bool(client.search(["HEADER", "Message-ID", f"<{message_key}>"]))
