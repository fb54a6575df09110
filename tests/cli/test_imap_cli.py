"""`banco collect` and `banco check` with an imap account, as the maker types them."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fixtures_imap import Mailbox, mail

BANCO = [sys.executable, "-c", "from banco.inbox.cli.main import main; main()"]


@pytest.fixture
def home(mailbox: Mailbox, write_shop: Callable[..., Path]) -> Path:
    mailbox.append("INBOX", [mail(1), mail(2, sender="ben@example.com"), mail(3)])
    mailbox.append("Orders", [mail(4, sender="carla@example.com")])
    return write_shop(
        f'\n[[accounts]]\nname = "mail"\n{mailbox.account(folders=["INBOX", "Orders"])}'
    )


def test_check_compares_each_folder_with_the_store(
    home: Path, mailbox: Mailbox, run: Callable[..., Any]
) -> None:
    before = run("--home", str(home), "check")
    assert before.exit_code == 0, before.output
    summary = f"✓ mail: IMAP {mailbox.name} at 127.0.0.1: 3 messages in INBOX, 1 in Orders"
    assert summary in before.output
    assert "  INBOX: 3 at the source, 0 in Banco  <- 3 not yet collected" in before.output
    assert "  Orders: 1 at the source, 0 in Banco  <- 1 not yet collected" in before.output

    collected = run("--home", str(home), "collect")
    assert collected.exit_code == 0, collected.output
    assert "mail: 4 new, 0 updated, 3 new orders" in collected.output

    after = run("--home", str(home), "check")
    assert "  INBOX: 3 at the source, 3 in Banco\n" in after.output
    assert "  Orders: 1 at the source, 1 in Banco\n" in after.output
    assert "at the source" not in run("--home", str(home), "digest").output  # no gap


def test_check_and_collect_say_what_the_maker_must_fix(
    home: Path, mailbox: Mailbox, run: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(mailbox.password_env, "wrong")
    check = run("--home", str(home), "check")
    assert check.exit_code == 1
    assert (
        "✗ mail: needs you: The mail server 127.0.0.1 refused the user name or password"
        in check.output
    )
    collect = run("--home", str(home), "collect")
    assert collect.exit_code == 1
    assert "mail: failed (needs you): The mail server 127.0.0.1 refused" in collect.output
    digest = run("--home", str(home), "digest").output
    assert "refused the user name or password" in digest


def test_banco_collect_as_a_separate_process(home: Path) -> None:
    done = subprocess.run(
        [*BANCO, "--home", str(home), "collect"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "mail: 4 new" in done.stdout
    again = subprocess.run(
        [*BANCO, "--home", str(home), "collect"], capture_output=True, text=True, timeout=120
    )
    assert "mail: 0 new" in again.stdout
