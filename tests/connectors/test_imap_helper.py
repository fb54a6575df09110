"""A long read runs in a helper process: the same records and cursors, and nothing left running."""

from __future__ import annotations

import copy
import multiprocessing
import os
import pickle
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from crashed import BANCO, collect_until_killed, stored
from fixtures_imap import Mailbox, mail

from banco.connectors.base import Attachment, Handle, OrderFields, Person, Record
from banco.connectors.errors import TryLater
from banco.connectors.imap import helper, packing


def read_all(mailbox: Mailbox, helper_from: int | None, cursors: dict[str, Any] | None = None):
    connector = mailbox.connector(page_size=7)
    connector.HELPER_FROM = helper_from
    connector.FETCH_BATCH = 4
    try:
        return list(connector.fetch(cursors or {}))
    finally:
        connector.close()


def leftovers() -> list[str]:
    threads = [t.name for t in threading.enumerate() if t.name == "banco-imap-receive"]
    return threads + [p.name for p in multiprocessing.active_children()]


@pytest.fixture
def filled(mailbox: Mailbox) -> Mailbox:
    seen = (b"\\Seen",)
    mailbox.append("INBOX", [mail(k) for k in range(0, 30, 2)], flags=seen)
    mailbox.append("INBOX", [mail(k) for k in range(1, 30, 2)])
    mailbox.append("INBOX", [b"no headers at all, just words\r\n"])
    return mailbox


def test_the_helper_reads_the_same_records_into_the_same_pages_as_banco_itself(
    filled: Mailbox,
) -> None:
    flags_before = filled.flags()
    here = read_all(filled, helper_from=None)
    helped = read_all(filled, helper_from=1)

    def shape(pages: list[Any]) -> list[Any]:
        return [(p.cursor, p.remaining, p.source_count, p.records) for p in pages]

    assert shape(helped) == shape(here)
    assert sum(len(p.records) for p in helped) == 31
    assert [r.status for p in helped for r in p.records].count("unreadable") == 1
    assert filled.flags() == flags_before  # read-only there too: nothing marked as read
    assert leftovers() == []


def test_a_record_crosses_the_pipe_whole() -> None:
    record = Record(
        external_id="INBOX/7/42",
        channel="email",
        direction="out",
        sent_at=datetime(2026, 11, 20, 9, 30, tzinfo=timezone(timedelta(hours=1))),
        sender=Person("Anna", [Handle("email", "anna@example.com"), Handle("phone", "+39 333")]),
        recipients=[Person("", [Handle("email", "b@example.com")]), Person("C", [])],
        subject="Tazze",
        text="Vorrei sei tazze blu — grazie \udcc3",  # a lone surrogate too
        raw=b"raw bytes",
        raw_type="json",
        status="too_large",
        problem="too large",
        size=9,
        message_key="k@example.com",
        reply_keys=("a@example.com", "b@example.com"),
        conversation="c",
        auto="bulk",
        attachments=[Attachment("a.pdf", "application/pdf", 3, b"pdf"), Attachment("b", "x/y", 0)],
        order=OrderFields(title="Mugs", quantity=6, deadline=date(2026, 12, 1), custom={"k": "v"}),
        order_ref="B-0042",
        button="done",
    )
    fingerprint = copy.copy(record).fingerprint()  # the helper works it out as it packs
    defaults = Record("x", "telegram")
    crossed = packing.unpack(pickle.loads(pickle.dumps(packing.pack(record))))
    unset = [f.name for f in fields(Record) if getattr(record, f.name) == getattr(defaults, f.name)]
    assert unset == []  # every field is set, so that one the packing forgets shows
    assert crossed == record and crossed._fingerprint == fingerprint
    assert crossed.sent_at == record.sent_at and crossed.sent_at.tzinfo == UTC


def test_a_read_stopped_after_one_page_leaves_nothing_running_and_resumes(
    filled: Mailbox,
) -> None:
    connector = filled.connector(page_size=5)
    connector.HELPER_FROM = 1
    connector.FETCH_BATCH = 2
    pages = connector.fetch({})
    first = next(pages)
    assert len(first.records) == 5
    pages.close()  # type: ignore[attr-defined]
    connector.close()
    assert leftovers() == []
    rest = [r.external_id for page in read_all(filled, 1, {"INBOX": first.cursor})
            for r in page.records]  # fmt: skip
    assert len(rest) == 26 and not {r.external_id for r in first.records} & set(rest)


def test_a_helper_that_dies_is_a_collect_to_try_again(
    mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Long mail, so that the pipe and the records received ahead hold only a part of the folder.
    body = "Vorrei sei tazze blu, grazie. " * 1_000
    monkeypatch.setattr(helper, "AHEAD", 2)
    mailbox.append("INBOX", [mail(k, body=body) for k in range(40)])
    connector = mailbox.connector(page_size=5)
    connector.HELPER_FROM = 1
    connector.FETCH_BATCH = 2
    pages = connector.fetch({})
    next(pages)
    for process in multiprocessing.active_children():
        process.kill()
    with pytest.raises(TryLater, match="stopped unexpectedly; Banco will try again"):
        for _ in pages:
            pass
    connector.close()
    assert leftovers() == []


def banco_processes(home: Path) -> list[int]:
    """Processes running Banco on ``home``: a `banco collect` and the helpers it forked."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue  # not a process, or it has just ended
        if str(home).encode() in command:
            found.append(int(entry.name))
    return found


def test_killing_banco_mid_read_ends_its_helper_and_the_next_collect_loses_nothing(
    mailbox: Mailbox, write_shop: Callable[..., Path]
) -> None:
    # Enough mail for the helper (500 and more) and for a long run (1,000 and more: the log
    # copied on a thread), long enough that it cannot all wait in the pipe.
    body = "Vorrei sei tazze blu, grazie. " * 300
    for k in range(1_100):
        mailbox.deliver("INBOX", mail(k, body=body), name=f"{k:04d}.banco")
    home = write_shop(f'\n[[accounts]]\nname = "mail"\n{mailbox.account()}')
    collect_until_killed(home, at_least=100)
    kept = stored(home)
    assert 100 <= kept < 1_100
    deadline = time.monotonic() + 60
    while banco_processes(home):  # the orphaned helper ends at its next send
        assert time.monotonic() < deadline, "the helper outlived Banco"
        time.sleep(0.01)  # polling for the process to end, not waiting for time to pass
    done = subprocess.run([*BANCO, "--home", str(home), "collect"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(home / "banco.db") as db:
        rows = db.execute("select external_id, message_key from messages").fetchall()
    assert len(rows) == len({r[0] for r in rows}) == len({r[1] for r in rows}) == 1_100


def test_the_pipe_from_the_helper_takes_a_megabyte_before_the_helper_waits() -> None:
    receiving, sending = multiprocessing.Pipe(duplex=False)
    try:
        helper._widen(receiving)
        os.set_blocking(sending.fileno(), False)
        assert os.write(sending.fileno(), bytes(helper.PIPE_BYTES)) == helper.PIPE_BYTES
        with pytest.raises(BlockingIOError):  # and no more: a full pipe makes the helper wait
            os.write(sending.fileno(), b"x")
    finally:
        receiving.close()
        sending.close()
