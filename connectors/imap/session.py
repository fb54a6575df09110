"""The session a folder is read through, opened again when the server drops it.

Some servers drop the connection on a message they cannot read (Dovecot says "FETCH failed:
Internal error" and disconnects). To find that message and keep the others, the reader reconnects
and selects the folder again; if the folder was renumbered meanwhile, it stops and the next collect
starts the folder over.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from imapclient import IMAPClient

from banco.connectors.errors import TryLater


@dataclass(frozen=True)
class Selected:
    uidvalidity: int
    uidnext: int | None
    messages: int
    highestmodseq: int | None


def examine(client: IMAPClient, folder: str) -> Selected:
    """Select ``folder`` read-only (EXAMINE): nothing Banco does there can change a flag."""
    answer = client.select_folder(folder, readonly=True)
    uidnext, modseq = answer.get(b"UIDNEXT"), answer.get(b"HIGHESTMODSEQ")
    return Selected(
        uidvalidity=int(answer[b"UIDVALIDITY"]),
        uidnext=uidnext if isinstance(uidnext, int) else None,
        messages=int(answer.get(b"EXISTS", 0)),
        highestmodseq=modseq if isinstance(modseq, int) else None,
    )


class FolderSession:
    """A logged-in client with ``folder`` selected read-only."""

    def __init__(
        self,
        client: IMAPClient,
        folder: str,
        uidvalidity: int,
        reconnect: Callable[[], IMAPClient],
    ) -> None:
        self.client = client
        self.folder = folder
        self.uidvalidity = uidvalidity
        self._reconnect = reconnect

    def reopen(self) -> None:
        """A new session on the same folder (raises TryLater if the server is gone)."""
        client = self._reconnect()
        examine_again(client, self.folder, self.uidvalidity)
        self.client = client


def examine_again(client: IMAPClient, folder: str, uidvalidity: int) -> None:
    """Select ``folder`` read-only in another session; TryLater if it was renumbered meanwhile."""
    if examine(client, folder).uidvalidity != uidvalidity:
        raise TryLater(
            'The folder "{folder}" was renumbered by the mail server while Banco read it; Banco'
            " will read it again at the next collect.",
            folder=folder,
        )
