"""The maildir connector on real Maildirs built in tmp_path: order, pages, cursors, renames by the
mail program, folders, oversize and unreadable files, and the errors a maker reads."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from banco.connectors.base import Connector, Context, Page
from banco.connectors.errors import NeedsUser
from banco.connectors.maildir import MaildirConnector

T0 = 1_730_000_000  # a fixed time, so files are ordered by the mtimes the tests give them


def mail(n: int, sender: str = "ann@example.com", body: str = "Vorrei una tazza blu.") -> bytes:
    return (
        f"From: Customer {n} <{sender}>\nTo: shop@example.it\nSubject: Ordine {n}\n"
        f"Date: Mon, 4 Nov 2024 10:00:00 +0100\nMessage-ID: <m{n}@example.com>\n\n{body}\n"
    ).encode()


def make_maildir(path: Path) -> Path:
    for sub in ("cur", "new", "tmp"):
        (path / sub).mkdir(parents=True, exist_ok=True)
    return path


def deliver(
    folder: Path, unique: str, mtime: int, data: bytes | None = None, flags: str | None = None
) -> Path:
    """Write a message as a mail program would: new/ while unseen, cur/ with ":2,flags" after."""
    path = folder / "new" / unique if flags is None else folder / "cur" / f"{unique}:2,{flags}"
    path.write_bytes(mail(mtime) if data is None else data)
    os.utime(path, ns=(mtime * 10**9, mtime * 10**9))
    return path


def connector(root: Path, page_size: int = 200, **settings: Any) -> MaildirConnector:
    context = Context(home=root.parent, timezone=ZoneInfo("Europe/Rome"))
    made = MaildirConnector("shop-mail", {"path": root, **settings}, context)
    made.PAGE_SIZE = page_size
    return made


def ids(pages: list[Page]) -> list[str]:
    return [record.external_id for page in pages for record in page.records]


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every path under ``root`` with its mtime and size: what a read-only fetch must not change."""
    return {
        str(path.relative_to(root)): (path.lstat().st_mtime_ns, path.lstat().st_size)
        for path in sorted(root.rglob("*"))
    }


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_maildir(tmp_path / "Maildir")


def test_is_a_connector(root: Path) -> None:
    assert isinstance(connector(root), Connector)
    assert MaildirConnector.kind == "maildir"
    assert MaildirConnector.options["path"].required


def test_first_fetch_gets_everything_in_order_in_pages(root: Path) -> None:
    deliver(root, "c", T0 + 3, flags="S")
    deliver(root, "a", T0 + 1)
    deliver(root, "e", T0 + 5, flags="RS")
    deliver(root, "b2", T0 + 2)
    deliver(root, "b1", T0 + 2)  # same mtime: the unique name decides
    deliver(root, "d", T0 + 4)
    deliver(root, "f", T0 + 6)
    (root / "new" / ".hidden").write_bytes(mail(0))
    (root / "tmp" / "g").write_bytes(mail(0))
    os.utime(root / "tmp" / "g", (T0, T0))  # a leftover in tmp/ is not a message

    pages = list(connector(root, page_size=3).fetch({}))

    assert ids(pages) == ["a", "b1", "b2", "c", "d", "e", "f"]
    assert [len(p.records) for p in pages] == [3, 3, 1]
    assert [p.remaining for p in pages] == [4, 1, 0]
    assert {p.stream for p in pages} == {"INBOX"}
    assert [p.cursor for p in pages] == [
        {"mtime_ns": (T0 + 2) * 10**9, "name": "b2"},
        {"mtime_ns": (T0 + 5) * 10**9, "name": "e"},
        {"mtime_ns": (T0 + 6) * 10**9, "name": "f"},
    ]
    first = pages[0].records[0]
    assert (first.channel, first.direction, first.status, first.subject) == (
        "email",
        "in",
        "ok",
        f"Ordine {T0 + 1}",
    )


def test_resuming_from_each_cursor_gives_exactly_the_rest(root: Path) -> None:
    for n in range(10):
        deliver(root, f"m{n:02d}", T0 + n)
    pages = list(connector(root, page_size=4).fetch({}))
    for i, page in enumerate(pages):
        again = list(connector(root, page_size=4).fetch({"INBOX": page.cursor}))
        assert ids(again) == ids(pages[i + 1 :])


def test_incremental_fetch_gets_only_new_files_then_nothing(root: Path) -> None:
    deliver(root, "a", T0 + 1)
    deliver(root, "b", T0 + 2)
    [page] = connector(root).fetch({})
    deliver(root, "c", T0 + 3)
    deliver(root, "d", T0 + 4)

    newer = list(connector(root).fetch({"INBOX": page.cursor}))

    assert ids(newer) == ["c", "d"]
    assert list(connector(root).fetch({"INBOX": newer[-1].cursor})) == []


def test_older_cursor_repeats_and_unknown_cursor_starts_over(root: Path) -> None:
    deliver(root, "a", T0 + 1)
    deliver(root, "b", T0 + 2)
    older = {"mtime_ns": (T0 + 1) * 10**9, "name": "a"}
    assert ids(list(connector(root).fetch({"INBOX": older}))) == ["b"]
    assert ids(list(connector(root).fetch({"INBOX": "from an older Banco"}))) == ["a", "b"]


def test_flag_changes_and_new_to_cur_moves_keep_the_id(root: Path) -> None:
    unseen = deliver(root, "1730000001.M1P1.host", T0 + 1)
    seen = deliver(root, "1730000002.M2P1.host,S=120", T0 + 2, flags="S")
    [page] = connector(root).fetch({})

    os.rename(unseen, root / "cur" / "1730000001.M1P1.host:2,S")  # opened in the mail program
    os.rename(seen, root / "cur" / "1730000002.M2P1.host,S=120:2,RS")  # answered

    assert list(connector(root).fetch({"INBOX": page.cursor})) == []
    assert ids(list(connector(root).fetch({}))) == ids([page])
    assert ids([page]) == ["1730000001.M1P1.host", "1730000002.M2P1.host,S=120"]


def test_files_renamed_or_deleted_while_fetching(root: Path) -> None:
    first = deliver(root, "a", T0 + 1)
    second = deliver(root, "b", T0 + 2)
    third = deliver(root, "c", T0 + 3)
    pages = connector(root, page_size=1).fetch({})
    assert ids([next(pages)]) == ["a"]  # the folder is listed now; files are read page by page

    os.rename(second, root / "cur" / "b:2,S")  # read by the mail program meanwhile
    third.unlink()  # deleted meanwhile
    rest = list(pages)

    assert ids(rest) == ["b"]  # found under its new name
    assert rest[-1].cursor == {"mtime_ns": (T0 + 3) * 10**9, "name": "c"}
    assert first.exists()


def test_sent_folder_is_outgoing_mail(root: Path) -> None:
    sent = make_maildir(root / ".Sent")
    deliver(root, "in1", T0 + 1)
    deliver(sent, "out1", T0 + 2, mail(1, sender="giulia@shop.example"), flags="S")

    pages = list(connector(root, sent_folder="Sent").fetch({}))

    assert [(p.stream, [(r.external_id, r.direction) for r in p.records]) for p in pages] == [
        ("INBOX", [("in1", "in")]),
        ("Sent", [("out1", "out")]),
    ]
    assert pages[1].records[0].sender is not None
    assert pages[1].records[0].sender.handles[0].value == "giulia@shop.example"


@pytest.mark.parametrize("directory", [".Ordini è", ".Ordini &AOg-"], ids=["utf8", "mutf7"])
def test_non_ascii_subfolder(root: Path, directory: str) -> None:
    orders = make_maildir(root / directory)
    deliver(orders, "o1", T0 + 1)
    deliver(root, "i1", T0 + 2)

    made = connector(root, folders=["INBOX", "Ordini è"])
    pages = list(made.fetch({}))

    assert [(p.stream, ids([p])) for p in pages] == [("INBOX", ["i1"]), ("Ordini è", ["o1"])]
    assert made.check().counts == {"INBOX": 1, "Ordini è": 1}


def test_oversize_file_keeps_only_its_headers(root: Path) -> None:
    big = mail(1, body="x" * 5000)
    deliver(root, "big", T0 + 1, big)
    deliver(root, "small", T0 + 2)

    [page] = connector(root, max_message_mb=0.001).fetch({})
    large, small = page.records

    assert (large.status, large.size, large.text) == ("too_large", len(big), "")
    assert large.subject == "Ordine 1" and large.message_key == "m1@example.com"
    assert large.problem.startswith("too large to download (")
    assert b"xxx" not in large.raw and large.raw.startswith(b"From: ")
    assert small.status == "ok"


def make_unreadable(path: Path) -> None:
    """A file that exists but cannot be read. Root reads anything, so for root it is a link to
    /proc/self/mem, whose first byte can never be read."""
    if os.geteuid() != 0:
        path.write_bytes(mail(1))
        path.chmod(0)
    elif Path("/proc/self/mem").exists():
        path.symlink_to("/proc/self/mem")
    else:
        pytest.skip("no way to make a file unreadable for root here")


def test_unreadable_file_becomes_an_unreadable_record(root: Path) -> None:
    deliver(root, "fine", T0 + 1)
    make_unreadable(root / "cur" / "locked:2,S")

    [page] = connector(root).fetch({})
    records = {r.external_id: r for r in page.records}

    assert records["fine"].status == "ok"
    locked = records["locked"]
    assert (locked.status, locked.channel, locked.raw) == ("unreadable", "email", b"")
    assert locked.problem.startswith("the file could not be read: ")


def test_delivery_in_progress_holds_back_newer_files(root: Path) -> None:
    now = int(time.time())
    deliver(root, "old", T0 + 1)
    slow = root / "tmp" / "slow"  # a delivery still being written, started a minute ago
    slow.write_bytes(mail(2))
    os.utime(slow, (now - 60, now - 60))
    deliver(root, "quick", now - 30)

    [page] = connector(root).fetch({})
    assert ids([page]) == ["old"]

    os.rename(slow, root / "new" / "slow")  # delivered, older than "quick"
    assert ids(list(connector(root).fetch({"INBOX": page.cursor}))) == ["slow", "quick"]


def test_old_leftover_in_tmp_holds_nothing_back(root: Path) -> None:
    now = int(time.time())
    leftover = root / "tmp" / "crashed"
    leftover.write_bytes(b"From: ")
    os.utime(leftover, (now - 3600, now - 3600))
    deliver(root, "a", now - 30)
    assert ids(list(connector(root).fetch({}))) == ["a"]


def test_fetch_and_check_change_nothing(root: Path) -> None:
    deliver(root, "a", T0 + 1)
    deliver(root, "b", T0 + 2, flags="S")
    make_maildir(root / ".Sent")
    deliver(root / ".Sent", "s", T0 + 3, flags="S")
    (root / "tmp" / "left").write_bytes(b"partial")
    before = snapshot(root)

    made = connector(root, sent_folder="Sent")
    pages = list(made.fetch({}))
    made.check()
    made.close()

    assert len(ids(pages)) == 3
    assert snapshot(root) == before


def test_check_counts_messages_per_folder(root: Path) -> None:
    sent = make_maildir(root / ".Sent")
    deliver(root, "a", T0 + 1)
    deliver(root, "b", T0 + 2, flags="S")
    deliver(sent, "s", T0 + 3, flags="S")

    result = connector(root, sent_folder="Sent").check()

    assert result.counts == {"INBOX": 2, "Sent": 1}
    assert result.summary == f"Maildir {root}: 2 messages in INBOX, 1 in Sent"


def test_check_missing_path(tmp_path: Path) -> None:
    with pytest.raises(NeedsUser) as raised:
        connector(tmp_path / "nowhere").check()
    assert str(raised.value) == (
        f"The mail folder {tmp_path / 'nowhere'} does not exist. "
        'Check `path` in the account "shop-mail".'
    )


def test_check_not_a_maildir(tmp_path: Path) -> None:
    (tmp_path / "Mail" / "INBOX").mkdir(parents=True)
    with pytest.raises(NeedsUser) as raised:
        connector(tmp_path / "Mail").check()
    assert str(raised.value) == (
        f"{tmp_path / 'Mail'} is not a mail folder in Maildir format: it should contain cur, new "
        'and tmp folders. Check `path` in the account "shop-mail".'
    )


def test_check_missing_folder_lists_the_folders_there(root: Path) -> None:
    make_maildir(root / ".Sent")
    make_maildir(root / ".Ordini &AOg-")
    with pytest.raises(NeedsUser) as raised:
        connector(root, folders=["INBOX", "Orders"]).check()
    assert str(raised.value) == (
        f'There is no folder "Orders" in the mail folder {root} (its folders are: INBOX, '
        'Ordini è, Sent). Check `folders` in the account "shop-mail".'
    )
    with pytest.raises(NeedsUser, match="Check `sent_folder`"):
        list(connector(root, sent_folder="Inviata").fetch({}))
