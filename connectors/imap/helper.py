"""Reading a long run of messages in a helper process while Banco stores what was read.

Fetching and parsing mail keeps one processor busy, and storing it keeps another busy; in one
process they take turns, because Python runs one thread at a time. For a long read (the backfill
of a first collect), Banco forks a helper that opens its own read-only session on the folder, reads
the messages exactly as Banco would (``read_messages``) and sends each record through a pipe, in
UID order (as plain values: see ``packing``). Banco makes the pages and cursors and stores them as
usual, so what is stored, and where a collect resumes, is the same with or without the helper. A
thread takes the records off the pipe as they come, up to ``AHEAD`` of the one being stored, so
that the helper goes on reading while Banco stores (reading them in Banco's own thread instead:
1,515-1,679 msg/s against 1,969-2,041 at 100k). One record per message keeps every buffer small:
whole batches of a megabyte or two made the memory allocator hold on to some twenty megabytes
more. The pipe itself holds a megabyte (the most Linux gives a user), not 64 kB: with a message of
45 kB on average the helper otherwise waited on the pipe at nearly every message, and both
processes took turns more than they worked side by side.

The helper never touches the store. An error in it is raised in Banco where the next record would
have come, so it is handled as if Banco had read the folder itself. When Banco stops reading early
the helper is stopped; when Banco dies, the helper's next send fails and it ends.

Forking is only used where it is the platform's usual way to start a process (Linux); elsewhere
Banco reads in its own process.
"""

from __future__ import annotations

import fcntl
import gc
import multiprocessing
import pickle
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from multiprocessing.connection import Connection
from queue import Empty, Queue

from imapclient import IMAPClient

from banco.connectors.errors import TryLater

from .client import close_session
from .messages import Limits, MessageReader, Read, read_messages
from .packing import pack, unpack
from .session import FolderSession, examine_again

_READ, _END, _FAILED = "read", "end", "failed"
#: records received ahead of the one being stored, so the helper rarely waits for Banco (a
#: little over a page: at 100k mails as fast as 100, 1,561 and 1,580 msg/s, with 2 MB less held)
AHEAD = 64
#: what the pipe from the helper holds (at 100k mails, 1,375-1,405 msg/s with Linux's 64 kB,
#: 1,604 with 512 kB, 1,562-1,652 with 1 MB)
PIPE_BYTES = 1 << 20
#: how long a helper that sent everything may take to log out before it is stopped
_LOGOUT_SECONDS = 5.0


def available() -> bool:
    """True where a helper can be forked safely."""
    return sys.platform.startswith("linux")


@dataclass(frozen=True)
class Job:
    """What the helper reads: ``uids`` of ``folder`` (as numbered under ``uidvalidity``)."""

    open_client: Callable[[], IMAPClient]
    folder: str
    uidvalidity: int
    direction: str
    limits: Limits
    uids: list[int]


def read_in_helper(job: Job) -> Iterator[Read]:
    """The records of ``job``, read by a helper process."""
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    _widen(receiving)
    helper = context.Process(
        target=_serve, args=(job, sending, receiving), name="banco-imap-reader", daemon=True
    )
    gc.freeze()  # the helper's collector then leaves Banco's objects alone: fewer copied pages
    try:
        helper.start()
    finally:
        gc.unfreeze()
    sending.close()  # the helper holds the only sending end: its death ends our reads
    arrived: Queue[bytes | None] = Queue(maxsize=AHEAD)
    receiver = threading.Thread(
        target=_receive, args=(receiving, arrived), name="banco-imap-receive", daemon=True
    )
    receiver.start()
    finished = False
    try:
        while True:
            message = arrived.get()
            if message is None:
                raise TryLater(
                    'Reading the folder "{folder}" stopped unexpectedly; Banco will try again.',
                    folder=job.folder,
                )
            kind, item = pickle.loads(message)
            if kind == _END:
                finished = True
                return
            if kind == _FAILED:
                raise item
            uid, values = item
            yield uid, None if values is None else unpack(values)
    finally:
        if finished:
            helper.join(_LOGOUT_SECONDS)
        if helper.is_alive():
            helper.kill()  # it holds no data of ours: only a session on the mail server
        helper.join()
        while receiver.is_alive():  # it ends at the end of the pipe; make room for its last word
            with suppress(Empty):
                arrived.get_nowait()
            receiver.join(0.01)
        receiving.close()


def _widen(pipe: Connection) -> None:
    """Let the pipe hold ``PIPE_BYTES``; where the system refuses, it keeps its size."""
    with suppress(OSError, AttributeError):  # AttributeError: fcntl without F_SETPIPE_SZ
        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def _receive(receiving: Connection, arrived: Queue[bytes | None]) -> None:
    """Take what the helper sends off the pipe as it comes, up to ``AHEAD`` ahead of the one being
    stored; None when the pipe ends."""
    try:
        while True:
            arrived.put(receiving.recv_bytes())
    except (EOFError, OSError):
        pass  # the helper has gone; what it sent before is in the queue
    finally:
        arrived.put(None)  # always, so that Banco never waits for a thread that ended


def _serve(job: Job, sending: Connection, receiving: Connection) -> None:
    """The helper's whole life: read every message and send it, then the end (or the error)."""
    receiving.close()
    sessions = _Sessions(job.open_client)
    try:
        session = FolderSession(
            sessions.reconnect(), job.folder, job.uidvalidity, sessions.reconnect
        )
        examine_again(session.client, job.folder, job.uidvalidity)
        reader = MessageReader(session, job.direction, job.limits)
        for uid, record in read_messages(reader, job.uids, job.limits):
            read = (_READ, (uid, None if record is None else pack(record)))
            # plain pickle: multiprocessing's own pickler writes through a file object (twice
            # as long: 16 -> 8 us per bench mail) for kinds of object a record never holds
            sending.send_bytes(pickle.dumps(read, pickle.HIGHEST_PROTOCOL))
        sending.send((_END, None))
    except BrokenPipeError:
        pass  # Banco has gone: nobody to tell
    except BaseException as e:  # Banco raises it in its own process
        _send_failure(sending, e)
    finally:
        sessions.close()
        sending.close()


def _send_failure(sending: Connection, error: BaseException) -> None:
    try:
        sending.send((_FAILED, error))
    except BrokenPipeError:
        pass
    except Exception:  # an error that cannot be pickled: its words are enough
        failed = TryLater(
            "reading the mailbox failed ({said}); Banco will try again", said=str(error)
        )
        sending.send((_FAILED, failed))


class _Sessions:
    """The helper's own sessions: the first, and a new one each time the server drops it."""

    def __init__(self, open_client: Callable[[], IMAPClient]) -> None:
        self.open_client = open_client
        self.client: IMAPClient | None = None

    def reconnect(self) -> IMAPClient:
        if self.client is not None:
            close_session(self.client, log_out=False)
        self.client = None
        self.client = self.open_client()
        return self.client

    def close(self) -> None:
        if self.client is not None:
            close_session(self.client)
