"""What a real `banco run` prints: one line per routine run in her words, never a library's log
line (those only with -v), "Banco is running" once, and what to add when nothing is scheduled;
and a SIGTERM the kernel hands to one of its scheduler threads still stops it."""

from __future__ import annotations

import ctypes
import os
import platform
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

from sources import MaildirSource

BANCO = [sys.executable, "-m", "banco.inbox"]
#: "10:42 collect: ...": a routine's line starts with the time in her zone
LINE = re.compile(r"^\d\d:\d\d (collect|reply|status|plan|digest): ")


def start(home: Path, *options: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [*BANCO, "--home", str(home), "run", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    return proc


def lines_until(proc: subprocess.Popen[str], n: int) -> list[str]:
    """Read ``n`` lines of its output (each blocks until Banco prints it). A line that never
    comes fails the test instead of hanging it: the process is stopped after a minute."""
    assert proc.stdout is not None
    guard = threading.Timer(60, proc.kill)
    guard.start()
    try:
        read = [proc.stdout.readline() for _ in range(n)]
    finally:
        guard.cancel()
    assert all(read), read
    return read


def stop(proc: subprocess.Popen[str]) -> tuple[str, str]:
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    return out, err


def test_each_missed_routine_says_what_it_did_in_one_line(tmp_path: Path, write_shop) -> None:
    mail = MaildirSource(tmp_path / "Maildir", 3)
    home = write_shop(
        '[schedule]\ncollect = ["00:00"]\nstatus = ["00:00"]\nplan = ["00:00"]\n'
        f'\n[[accounts]]\nname = "mail"\n{mail.account()}'
    )
    proc = start(home)
    try:
        first, *routines = lines_until(proc, 4)  # running, then the three catch-ups in order
    finally:
        out, err = stop(proc)
    assert first.startswith(f"Banco is running for {home}.")
    assert [LINE.match(line).group(1) for line in routines] == ["collect", "status", "plan"]  # type: ignore[union-attr]
    collect, status, plan = (line.split(": ", 1)[1].rstrip("\n") for line in routines)
    # (how many of the three mails open orders is the triage's business, not this test's)
    assert re.fullmatch(r"3 new messages, \d new orders?", collect), collect
    assert re.fullmatch(r"\d open orders? checked: \d wait for you, \d for the customer", status), (
        status
    )
    assert plan.startswith("plan.ics rewritten, ")
    assert out == "Stopped.\n"
    # nothing from APScheduler or Banco's log on either stream
    assert err == "", err


def test_v_shows_the_library_lines(write_shop) -> None:
    home = write_shop('[schedule]\nplan = ["00:00"]\n')
    proc = start(home, "-v")
    try:
        lines_until(proc, 2)
    finally:
        out, err = stop(proc)
    assert "Scheduler started" in err and "Added job" in err


def test_an_empty_schedule_says_what_to_add(write_shop) -> None:
    home = write_shop()
    proc = start(home)
    try:
        running, empty = lines_until(proc, 2)
    finally:
        out, err = stop(proc)
    assert running.startswith("Banco is running") and "Banco is running" not in out
    assert empty.startswith("Nothing is scheduled yet: add times under [schedule] in banco.toml")
    assert 'collect = ["08:00", "14:00"]' in empty and err == ""


def test_the_empty_schedule_line_in_italian(write_shop) -> None:
    home = write_shop()
    config = home / "banco.toml"
    config.write_text(config.read_text().replace('languages = ["en"]', 'languages = ["it"]'))
    proc = start(home)
    try:
        _, empty = lines_until(proc, 2)
    finally:
        stop(proc)
    assert empty.startswith("Non c'è ancora niente in programma"), empty


#: tgkill(2): a signal to one thread of a process (os.kill reaches the process, and Linux then
#: mostly picks the main thread)
TGKILL = {"x86_64": 234, "aarch64": 131}[platform.machine()]


def test_a_sigterm_on_a_scheduler_thread_stops_it(write_shop) -> None:
    """The kernel may hand a process's SIGTERM to any of its threads. Banco's main thread waits
    in os.read for it: it once never woke when the signal landed on a scheduler thread."""
    home = write_shop('[schedule]\nplan = ["00:00"]\n')
    proc = start(home)
    try:
        lines_until(proc, 2)  # running, and the catch-up plan done: the threads are up
        threads = sorted(int(t) for t in os.listdir(f"/proc/{proc.pid}/task"))
        other = next(t for t in threads if t != proc.pid)
        libc = ctypes.CDLL(None, use_errno=True)
        assert libc.syscall(TGKILL, proc.pid, other, signal.SIGTERM) == 0, ctypes.get_errno()
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()  # (only if it hung)
        proc.communicate()
    assert proc.returncode == 0 and out == "Stopped.\n", err
