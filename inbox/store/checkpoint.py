"""Copying the write-ahead log into the database on a thread while a long run of mail is filed.

SQLite appends every commit to the log (``banco.db-wal``) and, once the log passes a thousand
pages, copies it into the database and waits for the disk before the next commit: filing a big
mailbox spent about a fifth of its time waiting so. During a long run a thread of Banco's own does
that copy on its own connection every few pages while filing goes on. The log starts again from
its beginning only when a transaction begins with all of it copied, so every ``RESTART_EVERY``
pages the filing waits for the thread and copies the last page itself (the thread copies up to
the page before: at 100k mails the filing waited 0.8 s for these copies instead of 2.6); the log
stays a few hundred megabytes long at most (and is removed when Banco closes the store). Nothing
here changes what is stored or when it is safe: it only moves who copies.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from types import TracebackType

#: pages filed between two restarts of the log (a page of mail is two megabytes or so of log):
#: measured 3-5% faster than 16, and no faster at 64
RESTART_EVERY = 32
#: pages filed between two copies by the thread: the index pages every page touches are copied
#: (and the disk waited for) once for four pages; at 100k mails 4% faster than copying after
#: every page, and no faster at 8 or 16
COPY_EVERY = 4


class Checkpointer:
    """Use as a context manager around a long run; call :meth:`filed` after each commit."""

    def __init__(self, path: Path, writer: sqlite3.Connection) -> None:
        self.writer = writer
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.wanted = threading.Event()
        self.idle = threading.Event()
        self.idle.set()
        self.stopping = False
        self.commits = 0
        self.thread = threading.Thread(target=self._run, name="banco-checkpoint", daemon=True)

    def __enter__(self) -> Checkpointer:
        self.writer.execute("PRAGMA wal_autocheckpoint = 0")
        self.thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.idle.wait()
        self.stopping = True
        self.wanted.set()
        self.thread.join()
        self.conn.close()
        self.writer.execute("PRAGMA wal_autocheckpoint = 1000")  # SQLite's default again

    def filed(self) -> None:
        """The writer committed a page."""
        self.commits += 1
        if self.commits % RESTART_EVERY == 0:
            self.idle.wait()
            # What was committed while the thread copied: then the next transaction finds the
            # whole log copied and writes it again from its start.
            self.writer.execute("PRAGMA wal_checkpoint(PASSIVE)")
        elif self.idle.is_set() and (
            self.commits % COPY_EVERY == 0 or self.commits % RESTART_EVERY == RESTART_EVERY - 1
        ):
            self.idle.clear()
            self.wanted.set()

    def _run(self) -> None:
        while True:
            self.wanted.wait()
            self.wanted.clear()
            if self.stopping:
                return
            try:
                self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error:
                pass  # the writer's own copies every few pages keep the log bounded
            finally:
                self.idle.set()
