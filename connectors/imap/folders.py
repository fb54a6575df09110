"""One folder's sync: what is new since the cursor, read in pages, plus the folder's count.

1. STATUS (one round trip): when UIDVALIDITY, UIDNEXT and the message count are as the cursor left
   them, nothing changed and the folder is done.
2. EXAMINE (a read-only SELECT). A new UIDVALIDITY starts the folder again from the backfill window;
   the store recognises messages it already holds by their Message-ID.
3. UID SEARCH over spans of UIDs (a SEARCH answer for a whole big folder can exceed imaplib's line
   limit), keeping only UIDs above the cursor: ``UID n:*`` always answers the newest message.
4. Sizes, then bodies in batches (see ``messages``; a long read runs in a ``helper`` process),
   handed over in pages of ``page_size`` records, each with the cursor just after it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError

from banco.connectors.base import Page, Record
from banco.connectors.errors import NeedsUser

from .cursor import FolderCursor
from .helper import Job, read_in_helper
from .messages import Limits, MessageReader, Read, read_messages
from .session import FolderSession, Selected, examine

#: UIDs per SEARCH command (an answer stays far below imaplib's 1 MB line limit)
SEARCH_SPAN = 50_000


class FolderMissing(NeedsUser):
    """A configured folder is not on the server."""


@dataclass(frozen=True)
class FolderPlan:
    """How one folder is read: the page size, the batch limits and the backfill window."""

    page_size: int
    limits: Limits
    window_start: date | None
    #: reads of at least this many messages run in a helper process (None: never)
    helper_from: int | None = None


def folder_status(client: IMAPClient, folder: str, account: str, key: str) -> dict[bytes, int]:
    """STATUS of ``folder``: MESSAGES, UIDNEXT, UIDVALIDITY (and HIGHESTMODSEQ when offered)."""
    items = [b"MESSAGES", b"UIDNEXT", b"UIDVALIDITY"]
    if client.has_capability("CONDSTORE"):
        items.append(b"HIGHESTMODSEQ")
    try:
        answer = client.folder_status(folder, items)
    except IMAPClientAbortError:
        raise
    except IMAPClientError:
        if not client.folder_exists(folder):
            raise _missing(client, folder, account, key) from None
        raise
    return {k: v for k, v in answer.items() if isinstance(v, int)}


def uids_between(
    client: IMAPClient, after: int, uidnext: int | None, since: date | None
) -> list[int]:
    """The UIDs above ``after`` (and below ``uidnext``), received on or after ``since``."""
    tail: list[Any] = ["SINCE", since] if since is not None else []
    if uidnext is None:
        spans: list[tuple[int, int | str]] = [(after + 1, "*")]
    else:
        spans = [
            (a, min(a + SEARCH_SPAN - 1, uidnext - 1))
            for a in range(after + 1, uidnext, SEARCH_SPAN)
        ]
    found: set[int] = set()
    for first, last in spans:
        found.update(u for u in client.search(["UID", f"{first}:{last}", *tail]) if u > after)
    return sorted(found)


def count_window(client: IMAPClient, selected: Selected, since: date | None) -> int:
    """How many messages the folder holds in the synced window."""
    if since is None:
        return selected.messages
    return len(uids_between(client, 0, selected.uidnext, since))


class FolderSync:
    """Reads one folder from its saved cursor."""

    def __init__(
        self,
        client: IMAPClient,
        reconnect: Callable[[], IMAPClient],
        folder: str,
        direction: str,
        plan: FolderPlan,
        account: str,
        key: str,
        open_client: Callable[[], IMAPClient] | None = None,
    ) -> None:
        """``open_client`` opens a new session, for a helper process (None: no helper)."""
        self.client = client
        self.reconnect = reconnect
        self.folder = folder
        self.direction = direction
        self.plan = plan
        self.account = account
        #: the banco.toml key that names this folder, for messages
        self.key = key
        self.open_client = open_client

    def pages(self, saved: Any) -> Iterator[Page]:
        cursor = FolderCursor.load(saved)
        status = folder_status(self.client, self.folder, self.account, self.key)
        if cursor is not None and _unchanged(cursor, status):
            return
        selected = examine(self.client, self.folder)
        if cursor is None or cursor.uidvalidity != selected.uidvalidity:
            start = self.plan.window_start
            cursor = FolderCursor(selected.uidvalidity, 0, since=start, backfilling=True)
        since = cursor.since if cursor.backfilling else None
        uids = uids_between(self.client, cursor.last_uid, selected.uidnext, since)
        if cursor.backfilling and cursor.last_uid == 0:
            count = len(uids)  # the first pass reads exactly the window
        else:
            count = count_window(self.client, selected, cursor.since)
        session = FolderSession(self.client, self.folder, selected.uidvalidity, self.reconnect)
        yield from self._read(session, uids, cursor, selected, count)

    def _read(
        self,
        session: FolderSession,
        uids: list[int],
        cursor: FolderCursor,
        selected: Selected,
        count: int,
    ) -> Iterator[Page]:
        pending: list[Record] = []
        for uid, record in self._messages(session, uids):
            if record is not None:
                pending.append(record)
            cursor = cursor.after(uid)
            if len(pending) >= self.plan.page_size:
                remaining = len(uids) - bisect_right(uids, cursor.last_uid)
                yield self._page(cursor, pending, remaining, count)
                pending = []
        last = max(cursor.last_uid, (selected.uidnext or 1) - 1)
        final = FolderCursor(
            selected.uidvalidity,
            last,
            since=cursor.since,
            messages=selected.messages,
            highestmodseq=selected.highestmodseq,
        )
        yield self._page(final, pending, 0, count)

    def _messages(self, session: FolderSession, uids: list[int]) -> Iterator[Read]:
        """Read here, or by a helper process when there is a lot to read."""
        limits = self.plan.limits
        helper_from = self.plan.helper_from
        if self.open_client is None or helper_from is None or len(uids) < helper_from:
            return read_messages(MessageReader(session, self.direction, limits), uids, limits)
        job = Job(self.open_client, self.folder, session.uidvalidity, self.direction, limits, uids)
        return read_in_helper(job)

    def _page(
        self, cursor: FolderCursor, records: list[Record], remaining: int, count: int
    ) -> Page:
        return Page(
            stream=self.folder,
            cursor=cursor.dump(),
            records=records,
            remaining=max(remaining, 0),
            source_count=count,
        )


def _unchanged(cursor: FolderCursor, status: dict[bytes, int]) -> bool:
    """True when STATUS shows the folder exactly as the cursor left it."""
    if cursor.backfilling or status.get(b"UIDVALIDITY") != cursor.uidvalidity:
        return False
    uidnext = status.get(b"UIDNEXT")
    return (
        uidnext is not None
        and uidnext - 1 <= cursor.last_uid
        and cursor.messages is not None
        and status.get(b"MESSAGES") == cursor.messages
    )


def _missing(client: IMAPClient, folder: str, account: str, key: str) -> FolderMissing:
    names = sorted(name for _, _, name in client.list_folders() if isinstance(name, str))
    return FolderMissing(
        'There is no folder "{folder}" in the mailbox of the account "{account}" (its folders'
        " are: {folders}). Check `{key}` in banco.toml.",
        folder=folder,
        account=account,
        folders=", ".join(names),
        key=key,
    )
