"""Numbers and pipes: an estimate or a price from the command line and the page is read in the
maker's language or refused in one line; an id no row can have is "no message ..."; a command
whose reader stops reading (`| head -1`) ends quietly."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from conftest import NOW
from fixtures_web import seed_demo, server_stopped
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sources import MaildirSource

from banco.connectors import load_registry
from banco.inbox.clock import FixedClock
from banco.inbox.i18n.numbers import HoursError, parse_hours
from banco.inbox.shop import Shop
from banco.inbox.web import start

BANCO = str(Path(sys.executable).with_name("banco"))
HUGE = "99999999999999999999999"
LANGS = ("en", "it", "fr")
#: what people type instead of a number
NOT_NUMBERS = ["nan", "NaN", "inf", "-inf", "Infinity", "-5", "1e300", "2h30", "", "   ", "½"]


@pytest.fixture
def shop(tmp_path: Path, write_shop, run) -> Path:
    mail = MaildirSource(tmp_path / "Maildir", 3)
    home = write_shop(f'\n[[accounts]]\nname = "mail"\n{mail.account()}')
    assert run("--home", str(home), "collect").exit_code == 0
    return home


def estimate_of(home: Path, clock, registry) -> object:
    shop = Shop.open(home, clock=clock, registry=registry)
    try:
        return shop.store.scalar("select estimated_hours from orders where ref = 'B-0001'")
    finally:
        shop.close()


# Hours, read as her language writes them ---------------------------------------------------------
@pytest.mark.parametrize(
    ("lang", "text", "hours"),
    [("it", "2,5", "2.5"), ("fr", "2,5 h", "2.5"), ("en", "2.5", "2.5"), ("it", "1.250", "1250")],
)
def test_hours_are_read_the_way_her_language_writes_them(lang: str, text: str, hours: str) -> None:
    assert parse_hours(text, lang) == Decimal(hours)


@settings(max_examples=400)
@given(text=st.text(max_size=20) | st.sampled_from(NOT_NUMBERS), lang=st.sampled_from(LANGS))
def test_any_text_is_a_sane_number_of_hours_or_one_plain_sentence(text: str, lang: str) -> None:
    try:
        hours = parse_hours(text, lang)
    except HoursError as e:
        assert str(e) and "\n" not in str(e)
    else:
        assert hours.is_finite() and Decimal(0) <= hours < Decimal(10000)


@pytest.mark.parametrize("text", ["nan", "inf", "-5", "1e300", "100000", "2,5"])
def test_a_wrong_estimate_on_the_command_line_is_one_line_and_status_2(
    shop: Path, run, text: str, clock, registry
) -> None:
    result = run("--home", str(shop), "orders", "estimate", "B-0001", text)
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1 and text in result.output  # "2,5" is not English
    assert "Traceback" not in result.output and "did not expect" not in result.output
    assert estimate_of(shop, clock, registry) is None


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=12) | st.sampled_from(NOT_NUMBERS))
def test_any_estimate_or_price_typed_is_saved_or_refused_in_one_line(
    shop: Path, run, text: str
) -> None:
    for command in ("estimate", "price"):
        result = run("--home", str(shop), "orders", command, "B-0001", "--", text)
        assert result.exit_code in (0, 2), result.output
        assert "did not expect" not in result.output and "Traceback" not in result.output
        if result.exit_code == 2:
            assert result.output.startswith("Error: ") and result.output.count("\n") == 1


def test_an_estimate_in_italian_is_read_in_italian(write_shop, tmp_path: Path, run) -> None:
    mail = MaildirSource(tmp_path / "Maildir", 1)
    home = write_shop(
        f'\n[[accounts]]\nname = "mail"\n{mail.account()}',
        header=SHOP_IT,
    )
    run("--home", str(home), "collect")
    result = run("--home", str(home), "orders", "estimate", "B-0001", "2,5")
    assert result.exit_code == 0 and "2,5" in result.output
    wrong = run("--home", str(home), "orders", "estimate", "B-0001", "tanto")
    assert wrong.exit_code == 2 and '"tanto" non è un numero di ore' in wrong.output


SHOP_IT = """
[shop]
name = "Bottega"
owner = "Giulia"
addresses = ["giulia@shop.example"]
timezone = "Europe/Rome"
languages = ["it"]
"""


# The page, through its real HTTP handler ----------------------------------------------------------
@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[httpx.Client, str]]:
    clock = FixedClock(NOW)
    home = seed_demo(tmp_path_factory.mktemp("demo"), clock, load_registry(), "it")
    server = start(home, port=0, clock=clock, registry=load_registry())
    with server_stopped(server), httpx.Client(base_url=server.url) as client:
        found = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/orders/B-0005").text)
        assert found is not None
        yield client, found[1]


@settings(max_examples=60, deadline=None)
@given(
    field=st.sampled_from(["estimated_hours", "price"]),
    text=st.text(max_size=12) | st.sampled_from(NOT_NUMBERS),
)
def test_any_estimate_or_price_on_the_page_is_saved_or_said_plainly(
    page: tuple[httpx.Client, str], field: str, text: str
) -> None:
    client, csrf = page
    form = {"csrf": csrf, "next": "/orders/B-0005", field: text}
    answer = client.post("/orders/B-0005/fields", data=form, headers=JSON)
    assert answer.status_code in (200, 303, 400), (answer.status_code, text)  # 500: a crash
    if answer.status_code == 400:
        error = answer.json()["error"]
        assert error and "\n" not in error


def test_nan_hours_on_the_page_are_refused_in_her_language(page: tuple[httpx.Client, str]) -> None:
    client, csrf = page
    form = {"csrf": csrf, "next": "/orders/B-0005", "estimated_hours": "nan"}
    answer = client.post("/orders/B-0005/fields", data=form, headers=JSON)
    assert answer.status_code == 400
    assert answer.json()["error"] == '"nan" non è un numero di ore; scrivile così: 2,5.'


#: the page answers a script's request (fetch) in JSON, its refusals with status 400
JSON = {"Accept": "application/json"}


# Ids no row can have ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("command", "said"),
    [
        (["messages", "show", HUGE], f"no message {HUGE}"),
        (["messages", "raw", HUGE], f"no message {HUGE}"),
        (["messages", "reply", HUGE, "--text", "Ciao"], f"no message {HUGE}"),
        (["tasks", "done", HUGE], f"no open task {HUGE}"),
        (["outbox", "cancel", HUGE], f"no reply {HUGE} in the outbox"),
        (["outbox", "resend", HUGE], f"no reply {HUGE} in the outbox"),
        (["outbox", "mark-sent", HUGE], f"no reply {HUGE} in the outbox"),
        (["orders", "show", HUGE], f'no order "{HUGE}"'),
        (["orders", "estimate", f"B-{HUGE}", "2"], f'no order "B-{HUGE}"'),
        (["orders", "link", HUGE], f"no message {HUGE}"),
    ],
)
def test_an_id_no_row_can_have_names_nothing_plainly(
    shop: Path, run, command: list[str], said: str
) -> None:
    result = run("--home", str(shop), *command)
    assert result.exit_code == 1 and said in result.output, result.output
    assert "OverflowError" not in result.output and result.output.count("\n") == 1


# Pipes --------------------------------------------------------------------------------------------
def piped(home: Path, *command: str, reader: list[str]) -> tuple[int, bytes, bytes]:
    """``banco <command> | <reader>`` with two real processes: banco's status and stderr, and
    what the reader printed."""
    env = {**os.environ, "BANCO_DEBUG": ""}
    banco = subprocess.Popen(
        [BANCO, "--home", str(home), *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert banco.stdout is not None and banco.stderr is not None
    head = subprocess.Popen(reader, stdin=banco.stdout, stdout=subprocess.PIPE)
    banco.stdout.close()  # only head reads it now
    shown = head.communicate(timeout=120)[0]
    errors = banco.stderr.read()
    banco.stderr.close()
    return banco.wait(timeout=120), errors, shown


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A shop whose search for "tazza" prints more than a pipe holds (64 KiB), so banco is still
    writing when head has gone."""
    from click.testing import CliRunner
    from conftest import SHOP_HEADER

    from banco.inbox.cli.main import cli

    root = tmp_path_factory.mktemp("many")
    mail = MaildirSource(root / "Maildir", 900)
    home = root / "shop"
    home.mkdir()
    (home / "banco.toml").write_text(
        SHOP_HEADER + f'\n[[accounts]]\nname = "mail"\n{mail.account()}', encoding="utf-8"
    )
    obj = {"clock": FixedClock(NOW), "registry": load_registry()}
    assert CliRunner().invoke(cli, ["--home", str(home), "collect"], obj=obj).exit_code == 0
    return home


@pytest.mark.parametrize(
    "command",
    [["search", "tazza"], ["messages"], ["orders"], ["messages", "--json"]],
)
def test_a_command_piped_into_head_ends_quietly(many: Path, command: list[str]) -> None:
    status, errors, shown = piped(many, *command, reader=["head", "-1"])
    assert shown.count(b"\n") == 1
    assert errors == b"", errors.decode()
    # 128 + SIGPIPE, as cat or grep end when head has gone; 0 when head took it all before
    assert status in (0, 141)


def test_a_reader_gone_before_the_first_line_is_quiet_too(many: Path) -> None:
    read_end, write_end = os.pipe()
    reader = subprocess.Popen(["true"], stdin=read_end)
    assert reader.wait(timeout=60) == 0
    os.close(read_end)  # nobody will ever read: the first write breaks the pipe
    banco = subprocess.run(
        [BANCO, "--home", str(many), "messages", "raw", "1"],
        stdout=write_end,
        stderr=subprocess.PIPE,
        timeout=120,
    )
    os.close(write_end)
    assert (banco.returncode, banco.stderr) == (141, b"")
