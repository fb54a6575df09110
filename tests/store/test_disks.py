"""A full disk, a read-only shop folder, a damaged banco.db and two collects at once, for real.

Every case runs the `banco` command in processes of its own, on real files:
- the full disk is a small tmpfs filled to the last byte (the tests run as root here and on CI,
  where `mount` works); where mounting is refused, each command runs with RLIMIT_FSIZE at 0 and
  SIGXFSZ ignored, so that every write that grows a file fails (EFBIG) as on a full disk;
- the read-only folder is a read-only bind mount when running as root (root writes through any
  chmod), else the folder with its write bits removed;
- the damaged store has bytes overwritten in its middle, as a failing disk leaves it.
"""

from __future__ import annotations

import os
import resource
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from crashed import BANCO, stored
from sources import MaildirSource

from banco.inbox.shop import Shop
from banco.inbox.store.backup import backup

Run = Callable[..., subprocess.CompletedProcess[str]]

#: what a screen must never say for a problem of the disk, the folder or the store
BUG_WORDS = ("please report", "Nothing was lost", "Traceback", "did not expect")


def make_shop(home: Path, mail: Path, language: str = "en") -> Path:
    home.mkdir(parents=True)
    (home / "banco.toml").write_text(
        f'[shop]\naddresses = ["giulia@shop.example"]\nlanguages = ["{language}"]\n'
        f'[[accounts]]\nname = "mail"\nkind = "maildir"\npath = "{mail}"\n'
    )
    return home


def banco(home: Path, *args: str, limited: bool = False) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*BANCO, "--home", str(home), *args],
        capture_output=True,
        text=True,
        preexec_fn=_no_file_may_grow if limited else None,
    )


def _no_file_may_grow() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails with EFBIG instead
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


def said_once(done: subprocess.CompletedProcess[str], *words: str) -> str:
    """The one line a failed command says; it holds ``words`` and nothing of a bug's."""
    assert done.returncode == 1, done
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert all(w in lines[0] for w in words), lines[0]
    assert not any(w in done.stderr for w in BUG_WORDS), done.stderr
    return lines[0].split(": ", 1)[1]  # after click's "Error: "


def failures(home: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(f"file:{home / 'banco.db'}?mode=ro", uri=True) as db:
        return db.execute("select account, failures from account_state").fetchall()


class Disk:
    """A small filesystem that can be filled to the last byte and freed again."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir()
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", str(folder)],
            capture_output=True,
        )
        self.mounted = mounted.returncode == 0
        self.full = False

    def fill(self) -> None:
        if self.mounted:
            with (self.folder / "filler").open("wb") as filler:
                try:
                    while True:
                        filler.write(b"\0" * 65536)
                        filler.flush()
                except OSError:
                    pass
            assert os.statvfs(self.folder).f_bavail == 0
        self.full = True

    def free(self) -> None:
        (self.folder / "filler").unlink(missing_ok=True)
        self.full = False

    def run(self, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return banco(home, *args, limited=self.full and not self.mounted)

    def unmount(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.folder)], check=True)


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Disk]:
    small = Disk(tmp_path / "disk")
    yield small
    small.unmount()


READING = [
    ("orders", "B-0001"),
    ("messages", "Order question 39"),
    ("status", "B-0001"),
    ("search", "tazze"),
    ("digest", "B-0001"),
    ("schedule", ""),
]


def test_a_full_disk_shows_everything_and_refuses_writes_in_one_line(
    tmp_path: Path, disk: Disk
) -> None:
    mail = MaildirSource(tmp_path / "Maildir", 40)
    home = make_shop(disk.folder / "shop", mail.root)
    assert banco(home, "collect").returncode == 0
    mail.add(10)
    disk.fill()

    for command, shown in READING:
        args = [command, "tazze"] if command == "search" else [command]
        done = disk.run(home, *args)
        assert done.returncode == 0, done.stderr
        assert shown in done.stdout
    assert "free" in disk.run(home, "plan").stdout  # reading the plan writes nothing
    planned = disk.run(home, "plan", "--ics")
    assert "BEGIN:VCALENDAR" in planned.stdout  # the calendar is shown, then its file is refused
    full = said_once(planned, str(home))
    checked = disk.run(home, "check")
    assert "✓ store" in checked.stdout
    if disk.mounted:  # under RLIMIT_FSIZE the disk has room: the store opens for writing
        assert full in checked.stdout

    collected = disk.run(home, "collect")
    said_once(collected, str(home), "disk that holds")  # EFBIG is no SQLITE_FULL: either one

    disk.free()
    assert failures(home) == [("mail", 0)]  # the disk's problem, not the account's
    assert banco(home, "collect").returncode == 0
    assert stored(home) == 50


def test_the_full_disk_sentence_says_what_to_do(tmp_path: Path, disk: Disk) -> None:
    home = make_shop(disk.folder / "shop", MaildirSource(tmp_path / "Maildir", 3).root, "it")
    assert banco(home, "collect").returncode == 0
    disk.fill()
    line = said_once(disk.run(home, "collect"), str(home))
    if disk.mounted:
        assert "è pieno" in line and "libera" in line, line


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Callable[[Path], None]]:
    made: list[Path] = []

    def make(folder: Path) -> None:
        made.append(folder)
        if os.getuid() != 0:
            for inside in [folder, *folder.rglob("*")]:
                if inside.is_dir():
                    inside.chmod(0o500)
            return
        subprocess.run(["mount", "--bind", str(folder), str(folder)], check=True)
        subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], check=True)

    yield make
    for folder in made:
        if os.getuid() == 0:
            subprocess.run(["umount", "-l", str(folder)], check=True)
        for inside in [folder, *folder.rglob("*")]:
            if inside.is_dir():
                inside.chmod(0o700)


def test_a_read_only_shop_folder_shows_everything_and_says_why_it_cannot_collect(
    tmp_path: Path, read_only: Callable[[Path], None]
) -> None:
    mail = MaildirSource(tmp_path / "Maildir", 40)
    home = make_shop(tmp_path / "shop", mail.root, "fr")
    assert banco(home, "collect").returncode == 0
    mail.add(5)
    read_only(home)
    with pytest.raises(OSError):
        (home / "probe").touch()

    for command, shown in READING:
        args = [command, "tazze"] if command == "search" else [command]
        done = banco(home, *args)
        assert done.returncode == 0, done.stderr
        assert shown in done.stdout
    line = said_once(banco(home, "collect"), str(home), "lecture seule")
    assert said_once(banco(home, "plan", "--ics"), str(home)) == line
    with sqlite3.connect(f"file:{home / 'banco.db'}?immutable=1", uri=True) as db:
        assert db.execute("select count(*) from messages").fetchone() == (40,)


def test_attachments_that_cannot_be_kept_stop_the_collect_and_fail_no_account(
    tmp_path: Path, read_only: Callable[[Path], None]
) -> None:
    mail = MaildirSource(tmp_path / "Maildir", 10)
    home = make_shop(tmp_path / "shop", mail.root)
    assert banco(home, "collect").returncode == 0
    mail.add(20)  # two of them with an attachment
    read_only(home / "attachments")

    said_once(banco(home, "collect"), str(home), "read-only")
    assert failures(home) == [("mail", 0)]
    assert stored(home) == 10  # the page that holds an attachment is filed again next time


def damage_middle(home: Path) -> None:
    db = home / "banco.db"
    size = db.stat().st_size
    with db.open("r+b") as f:
        f.seek(size // 2)
        f.write(b"\xff" * 40_000)


def test_a_damaged_store_says_which_backup_to_restore(tmp_path: Path) -> None:
    home = make_shop(tmp_path / "shop", MaildirSource(tmp_path / "Maildir", 300).root)
    assert banco(home, "collect").returncode == 0
    shop = Shop.open(home)
    try:
        kept = backup(shop.store)
    finally:
        shop.close()
    damage_middle(home)

    line = said_once(banco(home, "check"), "damaged", f"banco restore {kept.path}")
    # a command that meets the damage says it
    assert said_once(banco(home, "search", "tazze")) == line


def test_a_damaged_store_without_a_backup_says_how_to_save_what_is_left(tmp_path: Path) -> None:
    home = make_shop(tmp_path / "shop", MaildirSource(tmp_path / "Maildir", 300).root)
    assert banco(home, "collect").returncode == 0
    damage_middle(home)

    line = said_once(banco(home, "check"), "damaged", "no backup", "banco export")
    # a command that meets the damage says it
    assert said_once(banco(home, "search", "tazze")) == line


def test_a_file_that_is_no_store_is_said_so(tmp_path: Path) -> None:
    home = make_shop(tmp_path / "shop", MaildirSource(tmp_path / "Maildir", 1).root)
    (home / "banco.db").write_bytes(b"not a database at all" * 500)
    said_once(banco(home, "orders"), "damaged")


def test_a_second_collect_says_one_is_running_and_a_killed_one_holds_nothing(
    tmp_path: Path,
) -> None:
    mail = MaildirSource(tmp_path / "Maildir", 1500)
    home = make_shop(tmp_path / "shop", mail.root)
    first = subprocess.Popen(
        [*BANCO, "--home", str(home), "collect"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while stored(home) < 1:
            assert first.poll() is None, "the first collect ended before filing"
            time.sleep(0.005)  # polling the store for progress, not waiting for time to pass
        first.send_signal(signal.SIGSTOP)  # it holds the lock for as long as the test needs

        second = banco(home, "collect")
        said_once(second, "A collect is already running (started ")
        assert failures(home) in ([], [("mail", 0)])
    finally:
        first.send_signal(signal.SIGKILL)  # kill -9 while holding the lock
        first.wait()

    assert banco(home, "collect").returncode == 0
    assert stored(home) == 1500
    assert failures(home) == [("mail", 0)]
