"""`banco auth ACCOUNT` for a Gmail or Outlook mailbox, then `banco collect`, as real processes:
the maker's browser is played over real HTTP against the fake provider, the mail is read from
a Dovecot that checks each XOAUTH2 token with it. A withdrawn sign-in needs the maker for that
account only; a token endpoint that stalls is retried later; no token shows anywhere."""

from __future__ import annotations

import re
import signal
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from fixtures_imap import Mailbox, mail, new_mailbox
from fixtures_oauth import OAuthServer

BANCO = [sys.executable, "-m", "banco.inbox"]


@pytest.fixture
def boxes(oauth_dovecot: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[Mailbox, Mailbox]:
    """Her Gmail (signed in with Google) and a second mailbox that logs in with a password."""
    gmail, other = new_mailbox(oauth_dovecot, monkeypatch), new_mailbox(oauth_dovecot, monkeypatch)
    gmail.append("INBOX", [mail(1)])
    other.append("INBOX", [mail(2)])
    return gmail, other


def shop(
    write_shop: Callable[..., Path],
    oauth: OAuthServer,
    boxes: tuple[Mailbox, Mailbox],
    tmp_path: Path,
    language: str = "en",
    **more: Any,
) -> Path:
    gmail, other = boxes
    client = oauth.google_client(tmp_path)
    signed = gmail.account(password=None, auth="google", oauth_client={"file": str(client)}, **more)
    header = (
        '\n[shop]\nname = "Test shop"\nowner = "Giulia"\naddresses = ["giulia@shop.example"]\n'
        f'timezone = "Europe/Rome"\nlanguages = ["{language}"]\n'
    )
    return write_shop(
        f'\n[[accounts]]\nname = "mail"\n{signed}\n[[accounts]]\nname = "other"\n{other.account()}',
        header=header,
    )


def banco_auth(home: Path, oauth: OAuthServer, user: str) -> tuple[int, str, str]:
    """Run `banco auth mail` and, as the maker's browser on this computer, open the address it
    prints: the provider sends the browser back to Banco's loopback address."""
    oauth.provider.user = user
    process = subprocess.Popen(
        [*BANCO, "--home", str(home), "auth", "mail"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line)
        if line.startswith(oauth.http_url):
            assert requests.get(line.strip(), timeout=30).ok  # the page says Banco ✓
            break
    # the rest through the same reader: communicate() would skip what it has read ahead
    assert process.stdin is not None and process.stderr is not None
    process.stdin.close()  # nothing typed: the browser came back by itself
    out, err = process.stdout.read(), process.stderr.read()
    return process.wait(timeout=120), "".join(lines) + out, err


def banco(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*BANCO, "--home", str(home), *args], capture_output=True, text=True, timeout=120
    )


def no_token_outside_its_file(home: Path, oauth: OAuthServer, *outputs: str) -> list[str]:
    """Where a token shows: any output, any file of the shop (the store, its log), and an access
    token even in the sign-in file, which keeps only the refresh token."""
    issued = oauth.provider.issued
    found = [f"output {n}" for n, text in enumerate(outputs) for t in issued if t in text]
    for path in sorted(p for p in home.rglob("*") if p.is_file()):
        data = path.read_bytes()
        kept = (
            [t for t in issued if t.startswith("at-")] if path.name == "mail-mail.json" else issued
        )
        found += [str(path) for t in kept if t.encode() in data]
    return found


def test_auth_then_collect_then_a_withdrawn_sign_in_needs_her_for_that_account_only(
    write_shop: Callable[..., Path],
    oauth: OAuthServer,
    boxes: tuple[Mailbox, Mailbox],
    tmp_path: Path,
) -> None:
    home = shop(write_shop, oauth, boxes, tmp_path)
    status, out, err = banco_auth(home, oauth, boxes[0].name)
    assert status == 0, err
    assert "1. Open this address in your browser and sign in as" in out
    assert '2. Click "Allow"' in out and "paste it here" in out
    assert "Signed in. Banco keeps the sign-in in" in out and "mail: IMAP " in out
    first = banco(home, "collect", "-v")
    assert first.returncode == 0, first.stderr
    assert "mail: 1 new" in first.stdout and "other: 1 new" in first.stdout
    oauth.provider.revoke()  # she removed Banco's access in her Google account
    boxes[0].append("INBOX", [mail(3)])
    boxes[1].append("INBOX", [mail(4)])
    second = banco(home, "collect", "-v")
    assert second.returncode == 1
    assert "other: 1 new" in second.stdout
    assert "mail: failed (needs you): Google no longer accepts the sign-in" in second.stderr
    assert "Run `banco auth mail` to sign in again." in second.stderr
    assert "Traceback" not in second.stderr
    check = banco(home, "check")
    assert "banco auth mail" in check.stdout + check.stderr
    found = no_token_outside_its_file(
        home, oauth, out, err, first.stdout, first.stderr, second.stdout, second.stderr
    )
    assert found == []
    # signing in again mends it
    assert banco_auth(home, oauth, boxes[0].name)[0] == 0
    third = banco(home, "collect")
    assert third.returncode == 0, third.stderr
    assert "mail: 1 new" in third.stdout


def test_a_token_endpoint_that_stalls_is_a_will_retry_line(
    write_shop: Callable[..., Path],
    oauth: OAuthServer,
    boxes: tuple[Mailbox, Mailbox],
    tmp_path: Path,
) -> None:
    home = shop(write_shop, oauth, boxes, tmp_path, timeout_seconds=1)
    assert banco_auth(home, oauth, boxes[0].name)[0] == 0
    oauth.provider.stalled.set()
    done = banco(home, "collect")
    oauth.provider.release.set()
    assert "other: 1 new" in done.stdout
    assert "mail: failed (will retry): Banco could not reach Google" in done.stderr
    assert "Traceback" not in done.stderr


def test_auth_speaks_her_language(
    write_shop: Callable[..., Path],
    oauth: OAuthServer,
    boxes: tuple[Mailbox, Mailbox],
    tmp_path: Path,
) -> None:
    home = shop(write_shop, oauth, boxes, tmp_path, language="it")
    status, out, err = banco_auth(home, oauth, boxes[0].name)
    assert status == 0, err
    assert "1. Apri questo indirizzo nel browser e accedi come" in out
    assert "Accesso fatto. Banco conserva l'accesso in" in out
    oauth.provider.revoke()
    done = banco(home, "collect")
    assert "non accetta più l'accesso dell'account" in done.stderr


def test_auth_on_a_password_account_says_there_is_nothing_to_sign_in_to(
    write_shop: Callable[..., Path],
    oauth: OAuthServer,
    boxes: tuple[Mailbox, Mailbox],
    tmp_path: Path,
) -> None:
    home = shop(write_shop, oauth, boxes, tmp_path)
    done = banco(home, "auth", "other")
    assert done.returncode == 1
    assert '"other" logs in with its password' in done.stderr
    assert "Traceback" not in done.stderr


def test_a_wrong_auth_value_is_one_plain_line(
    write_shop: Callable[..., Path],
    oauth: OAuthServer,
    boxes: tuple[Mailbox, Mailbox],
    tmp_path: Path,
) -> None:
    home = shop(write_shop, oauth, boxes, tmp_path)
    text = (home / "banco.toml").read_text().replace('auth = "google"', 'auth = "gmail"')
    (home / "banco.toml").write_text(text)
    done = banco(home, "check")
    assert done.returncode == 2
    assert "auth" in done.stderr and "Traceback" not in done.stderr


def microsoft_shop(
    write_shop: Callable[..., Path], oauth: OAuthServer, boxes: tuple[Mailbox, Mailbox]
) -> Path:
    outlook, other = boxes
    signed = outlook.account(
        password=None,
        auth="microsoft",
        oauth_client_id="banco-test-client",
        oauth_authority=oauth.authority(),
    )
    return write_shop(
        f'\n[[accounts]]\nname = "mail"\n{signed}\n[[accounts]]\nname = "other"\n{other.account()}'
    )


def test_outlook_device_code_then_collect(
    write_shop: Callable[..., Path], oauth: OAuthServer, boxes: tuple[Mailbox, Mailbox]
) -> None:
    home = microsoft_shop(write_shop, oauth, boxes)
    process = subprocess.Popen(
        [*BANCO, "--home", str(home), "auth", "mail"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    lines = []
    for line in process.stdout:
        lines.append(line)
        told = re.search(r"enter the code (\w+)\.", line)
        if told:  # she opens the address on her phone and types the code
            assert "Open https://microsoft.com/devicelogin" in line
            oauth.approve(told.group(1), boxes[0].name)
            break
    out, err = process.stdout.read(), process.stderr.read()
    assert process.wait(timeout=120) == 0, err
    assert "Signed in." in out and "mail: IMAP " in out
    done = banco(home, "collect")
    assert done.returncode == 0, done.stderr
    assert "mail: 1 new" in done.stdout


def test_a_collect_killed_while_renewing_the_sign_in_loses_nothing(
    write_shop: Callable[..., Path], oauth: OAuthServer, boxes: tuple[Mailbox, Mailbox]
) -> None:
    """kill -9 at the worst moment: the token endpoint has the request (Microsoft hands a new
    refresh token with each answer) and the sign-in file is not yet written."""
    home = microsoft_shop(write_shop, oauth, boxes)
    process = subprocess.Popen([*BANCO, "--home", str(home), "auth", "mail"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert process.stdout is not None
    for line in process.stdout:
        if told := re.search(r"enter the code (\w+)\.", line):
            oauth.approve(told.group(1), boxes[0].name)
    assert process.wait(timeout=120) == 0
    oauth.provider.rotate = True
    saved = (home / "mail-mail.json").read_text()
    oauth.provider.asked.clear()
    oauth.provider.stalled.set()
    collecting = subprocess.Popen([*BANCO, "--home", str(home), "collect"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    assert oauth.provider.asked.wait(60)
    collecting.send_signal(signal.SIGKILL)
    collecting.wait(timeout=60)
    oauth.provider.release.set()
    oauth.provider.stalled.clear()
    assert (home / "mail-mail.json").read_text() == saved
    assert [p.name for p in home.glob(".mail-mail.json*")] == []
    done = banco(home, "collect")
    assert done.returncode == 0, done.stderr
    assert "mail: 1 new" in done.stdout
    assert (home / "mail-mail.json").read_text() != saved  # the newest refresh token kept
    assert stat.S_IMODE((home / "mail-mail.json").stat().st_mode) == 0o600
