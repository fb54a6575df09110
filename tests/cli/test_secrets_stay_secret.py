"""Secrets never leave: no bot token or mail password in what `banco run` and `banco collect -v`
print, in any file of the shop folder or in the store, whatever the logging libraries write; a
`{command = ...}` secret that hangs is stopped (with every process it started) and only its
account needs the maker; the redaction filter lets no revealed secret through."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest import mock

import pytest
from fixtures_imap import Mailbox, free_port, mail
from fixtures_telegram import ANNA, BotApi, account_toml
from hypothesis import given, settings
from hypothesis import strategies as st

from banco.config import secrets
from banco.config.secrets import Secret, SecretError
from banco.inbox.logs import HIDDEN, Redact, redact

BANCO = [sys.executable, "-m", "banco.inbox"]


def shop_with_secrets(
    write_shop: Callable[..., Path], bot_api: BotApi, mailbox: Mailbox, extra: str = ""
) -> Path:
    """A shop with a Telegram account and a mailbox, each holding a message to collect."""
    bot_api.message(ANNA, "Vorrei sei tazze blu")
    mailbox.append("INBOX", [mail(1)])
    return write_shop(
        account_toml(bot_api) + f'\n[[accounts]]\nname = "mail"\n{mailbox.account()}' + extra
    )


def leaks(home: Path, secret_values: list[str], *outputs: str) -> list[str]:
    """Where any of ``secret_values`` shows: an output, or a file under the shop folder (the store
    and its write-ahead log included)."""
    found = [f"output {n}" for n, text in enumerate(outputs) for s in secret_values if s in text]
    for path in sorted(p for p in home.rglob("*") if p.is_file()):
        data = path.read_bytes()
        found += [str(path) for s in secret_values if s.encode() in data]
    return found


def test_banco_collect_verbose_prints_and_stores_no_secret(
    write_shop: Callable[..., Path], bot_api: BotApi, mailbox: Mailbox
) -> None:
    home = shop_with_secrets(write_shop, bot_api, mailbox)
    done = subprocess.run(
        [*BANCO, "--home", str(home), "collect", "-v"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "tg: 1 new" in done.stdout and "mail: 1 new" in done.stdout
    assert leaks(home, [bot_api.token, mailbox.user.password], done.stdout, done.stderr) == []


@pytest.fixture
def banco_run(
    write_shop: Callable[..., Path], bot_api: BotApi, mailbox: Mailbox
) -> Iterator[tuple[Path, subprocess.Popen[str], str]]:
    """`banco run` with its page on, started with a missed 00:00 collect (it runs at once);
    yields the shop folder, the process and the page's address."""
    port = free_port()
    home = shop_with_secrets(
        write_shop,
        bot_api,
        mailbox,
        f'\n[schedule]\ncollect = ["00:00"]\n\n[web]\nenabled = true\nport = {port}\n',
    )
    proc = subprocess.Popen(
        [*BANCO, "--home", str(home), "run", "-v"],  # every log line, the libraries' too
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield home, proc, f"http://127.0.0.1:{port}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_banco_run_logs_and_stores_no_secret(
    banco_run: tuple[Path, subprocess.Popen[str], str], bot_api: BotApi, mailbox: Mailbox
) -> None:
    home, proc, page = banco_run
    assert proc.stderr is not None
    lines = []
    while not any("collect done" in line for line in lines):  # the catch-up collect
        line = proc.stderr.readline()
        assert line, "".join(lines)  # Banco stopped before it had collected
        lines.append(line)
    assert "'new': 2" in lines[-1] and "'failed': []" in lines[-1], lines[-1]
    # A token in the page's address: its access log would print it.
    with urllib.request.urlopen(f"{page}/?token={bot_api.token}") as answer:
        assert answer.status == 200
    running = leaks(home, [bot_api.token, mailbox.user.password])  # the -wal while it is live
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0 and "Stopped." in out, err
    secret_values = [bot_api.token, mailbox.user.password]
    assert running + leaks(home, secret_values, out, "".join(lines) + err) == []


def test_a_hanging_secret_command_is_stopped_and_only_its_account_needs_you(
    write_shop: Callable[..., Path], bot_api: BotApi, mailbox: Mailbox, run, tmp_path: Path
) -> None:
    pid_file = tmp_path / "helper.pid"
    # A password manager that never answers, with an agent of its own holding the output pipe.
    hanging = f"sleep 60 & echo $! > {pid_file}; wait"
    bot_api.message(ANNA, "Vorrei sei tazze blu")
    password = {"command": hanging, "timeout_seconds": 0.5}
    home = write_shop(
        account_toml(bot_api)
        + f'\n[[accounts]]\nname = "mail"\n{mailbox.account(password=password)}'
    )
    result = run("--home", str(home), "collect")
    assert result.exit_code == 1
    assert "tg: 1 new" in result.output
    assert (
        'mail: failed (needs you): Banco could not read the password of the account "mail": the'
        f" command '{hanging}' took longer than 0.5 s and was stopped" in result.output
    )
    helper = Path(f"/proc/{pid_file.read_text().strip()}/stat")
    # Gone, or a zombie waiting for whoever adopted it: not a sleeping agent left behind.
    assert not helper.exists() or helper.read_text().split(") ")[1].startswith("Z")


def test_a_secret_in_an_accounts_error_stays_out_of_the_store(
    write_shop: Callable[..., Path], run, tmp_path: Path
) -> None:
    token = "987654321:AAF" + "x" * 32  # shaped like a bot token: it was never revealed
    script = tmp_path / "token-helper"  # outside the shop folder, as a password manager is
    script.write_text(f"#!/bin/sh\necho 'cached token {token} has expired' >&2\nexit 2\n")
    script.chmod(0o755)
    home = write_shop(
        f'\n[[accounts]]\nname = "tg"\nkind = "telegram"\ntoken = {{command = "{script}"}}\n'
    )
    result = run("--home", str(home), "collect")
    assert result.exit_code == 1
    assert f"tg: failed (needs you): the command '{script}' failed: cached token *** has" in (
        result.output
    )
    assert leaks(home, [token], result.output) == []


def test_a_secret_command_that_prints_nothing_or_fails_says_so(tmp_path: Path) -> None:
    with pytest.raises(SecretError, match="the command 'true' printed nothing"):
        Secret("command", "true").reveal()
    with pytest.raises(SecretError, match="the command 'exit 3' failed: exit status 3"):
        Secret("command", "exit 3").reveal()
    assert Secret("command", "echo ' fresh-token '", tmp_path, 5).reveal() == "fresh-token"


@pytest.mark.parametrize(
    ("reference", "problem"),
    [
        ('{command = "pass show x", timeout_seconds = 0}', "must be a number of seconds above 0"),
        ('{command = "pass show x", timeout_seconds = "5"}', "must be a number of seconds above"),
        ('{env = "X", timeout_seconds = 5}', 'timeout_seconds only goes with {command = "..."}'),
    ],
)
def test_a_wrong_timeout_is_one_line_and_exit_status_2(
    write_shop: Callable[..., Path], run, reference: str, problem: str
) -> None:
    home = write_shop(f'\n[[accounts]]\nname = "tg"\nkind = "telegram"\ntoken = {reference}\n')
    result = run("--home", str(home), "orders")
    assert result.exit_code == 2
    assert problem in result.output and "Traceback" not in result.output


def test_every_handler_hides_secrets_with_the_page_on(write_shop: Callable[..., Path]) -> None:
    from banco.inbox import logs
    from banco.inbox.web import start

    logs.setup(logging.INFO)  # as `banco run` does before it starts the page
    page = start(write_shop())
    try:
        names = ["", *(n for n in logging.Logger.manager.loggerDict if n.startswith("uvicorn"))]
        handlers = [h for name in names for h in logging.getLogger(name).handlers]
        assert handlers and all(any(isinstance(f, Redact) for f in h.filters) for h in handlers)
    finally:
        page.stop()
        logs.setup()


# The redaction filter ---------------------------------------------------------------------------
#: Any one line without a star: a secret of stars could be spelt by the marker itself, and the
#: formatter joins a record's message, traceback and stack with line breaks of its own.
SECRETS = st.text(st.characters(exclude_characters="*\n"), min_size=1, max_size=40)


@settings(deadline=None)
@given(secret=SECRETS, before=st.text(max_size=60), after=st.text(max_size=60))
def test_a_revealed_secret_never_gets_through_whatever_surrounds_it(
    secret: str, before: str, after: str
) -> None:
    with mock.patch.object(secrets, "_revealed", set()):
        secrets.remember(secret)
        assert secret not in redact(before + secret + after + secret)


@settings(deadline=None)
@given(secret=SECRETS, words=st.text(max_size=60))
def test_a_log_record_hides_the_secret_in_its_arguments_and_traceback(
    secret: str, words: str
) -> None:
    handler = Kept()
    handler.addFilter(Redact())
    logger = logging.Logger("banco.test")  # on its own: no other handler sees these records
    logger.addHandler(handler)
    with mock.patch.object(secrets, "_revealed", set()):
        secrets.remember(secret)
        try:
            raise ConnectionError(f"login refused for {words}{secret}")
        except ConnectionError:
            logger.exception("%s failed with %r", words + secret, {"password": secret})
        logger.warning("%s", secret, stack_info=True)
    assert len(handler.lines) == 2
    for line in handler.lines:
        assert secret not in line and HIDDEN in line


class Kept(logging.Handler):
    """Keeps each record as its handler writes it (a stream would add its own line ends)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        (
            "HTTP Request: POST http://127.0.0.1:80/bot123456789:AAH-abcdefghijklmnopqrstu/getMe",
            "AAH-abc",
        ),
        ("connecting to imaps://giulia:s3cr3t-pw@mail.example/INBOX", "s3cr3t-pw"),
        ("GET /callback?code=4/0Ab&access_token=ya29.a0AfH6SM&state=1", "ya29.a0AfH6SM"),
        ("refresh failed: {'refresh_token': '1//0gLmnop-qrstuvwxyz01234'}", "1//0gLmnop"),
        ("headers: {'Authorization': 'Bearer eyJhbGciOi.payload'}", "eyJhbGciOi"),
        ("Authorization: Basic Z2l1bGlhOnMzY3IzdA==", "Z2l1bGlhOnMzY3IzdA"),
        ("login with password=hunter2hunter2 refused", "hunter2hunter2"),
    ],
)
def test_secrets_never_revealed_here_are_hidden_by_their_shape(line: str, secret: str) -> None:
    with mock.patch.object(secrets, "_revealed", set()):
        assert secret not in redact(line)
