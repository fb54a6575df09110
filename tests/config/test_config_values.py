"""Every wrong value in banco.toml is one plain line and exit status 2, through the real command:
each key is typed and ranged at load (names, addresses, chat ids, ports, timeouts, sizes, counts),
an empty file says what is missing, a byte-order mark is read, deep nesting is refused plainly,
and a slot whose days wrap past Sunday ("fri-mon 08:00") works in check, schedule and run alike.
A hypothesis strategy writes banco.toml documents from the schema itself: no traceback, ever.
"""

from __future__ import annotations

import json
import math
import signal
import subprocess
import sys
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from banco.config import Option, Slot
from banco.config.load import ACCOUNT_COMMON, SECTIONS
from banco.connectors import load_registry
from banco.inbox.cli.main import cli
from banco.inbox.clock import FixedClock
from banco.scheduler.slots import SlotTrigger

ACCOUNT = '\n[[accounts]]\nname = "{name}"\nkind = "imap"\nhost = "imap.example"\nusername = "u"\n'
UNEXPECTED = "did not expect"


def problems(home: Path, run: Callable[..., Any], command: str = "check") -> tuple[int, list[str]]:
    """``banco <command>``'s exit status and its problem lines, the file's path left out."""
    result = run("--home", str(home), command)
    assert UNEXPECTED not in result.output
    prefix = f"{home / 'banco.toml'}: "
    return result.exit_code, [
        line.removeprefix(prefix) for line in result.output.splitlines() if line.startswith(prefix)
    ]


@pytest.mark.parametrize(
    ("case", "toml", "line"),
    [
        (
            "name = 42",
            "[shop]\nname = 42\n",
            "shop.name: is 42; expected a name in quotes, not empty",
        ),
        (
            "a date as a name",
            "[shop]\nname = 2026-01-01\n",
            "shop.name: is 2026-01-01; expected a name in quotes, not empty",
        ),
        (
            "a blank shop name",
            '[shop]\nname = "  "\n',
            'shop.name: is "  "; expected a name in quotes, not empty',
        ),
        (
            'owner_chat = "@me"',
            '[shop]\nowner_chat = "@me"\n',
            'shop.owner_chat: is "@me"; expected a chat id: a whole number such as 123456789,'
            " not a @username (your own Telegram chat id",
        ),
        (
            "a number in addresses",
            '[shop]\naddresses = ["giulia@shop.example", 7]\n',
            'shop.addresses: is ["giulia@shop.example", 7]; expected a list of email addresses',
        ),
        (
            "not an address in addresses",
            '[shop]\naddresses = ["giulia"]\n',
            'shop.addresses: is ["giulia"]; expected a list of email addresses',
        ),
        (
            "not an address in the digest's",
            '[shop]\nname = "S"\n[digest]\nemail_to = ["me at home"]\n',
            'digest.email_to: is ["me at home"]; expected a list of email addresses',
        ),
        (
            "deep nesting in a value",
            "[shop]\nname = " + "[" * 50 + "]" * 50 + "\n",
            "shop.name: is [[[[…]]]]; expected a name in quotes",
        ),
        (
            "nesting too deep for TOML",
            "[shop]\nname = " + "[" * 5000 + "]" * 5000 + "\n",
            "values nested too deeply to read",
        ),
        (
            "a nested table where a count goes",
            '[shop]\nname = "S"\n[plan]\nweeks = { a = { b = 1 } }\n',
            "plan.weeks: is {a = {b = 1}}; expected a whole number from 1 to 52",
        ),
        (
            "a number too long",
            "[shop]\nowner_chat = " + "9" * 5000 + "\n",
            "a number too long to read",
        ),
        (
            "web.port = 70000",
            "[web]\nport = 70000\n",
            "web.port: is 70000; expected a whole number from 1 to 65535",
        ),
        (
            "web.port = 0",
            "[web]\nport = 0\n",
            "web.port: is 0; expected a whole number from 1 to 65535",
        ),
        (
            "port 99999999",
            ACCOUNT.format(name="mail") + "port = 99999999\n",
            "accounts[1] (mail).port: is 99999999; expected a whole number from 0 to 65535",
        ),
        (
            "port -143",
            ACCOUNT.format(name="mail") + "smtp_port = -143\n",
            "accounts[1] (mail).smtp_port: is -143; expected a whole number from 0 to 65535",
        ),
        (
            "timeout_seconds = 0",
            ACCOUNT.format(name="mail") + "timeout_seconds = 0\n",
            "accounts[1] (mail).timeout_seconds: is 0; expected a number more than 0 and at most 3600",
        ),
        (
            "timeout_seconds = -1",
            ACCOUNT.format(name="mail") + "timeout_seconds = -1\n",
            "accounts[1] (mail).timeout_seconds: is -1; expected a number more than 0",
        ),
        (
            "timeout_seconds = nan",
            ACCOUNT.format(name="mail") + "timeout_seconds = nan\n",
            "accounts[1] (mail).timeout_seconds: is nan; expected a number more than 0",
        ),
        (
            "an empty account name",
            ACCOUNT.format(name=""),
            'accounts[1].name: is ""; expected a name in quotes, not empty',
        ),
        (
            "max_message_mb = -5",
            ACCOUNT.format(name="mail") + "max_message_mb = -5\n",
            "accounts[1] (mail).max_message_mb: is -5; expected a number more than 0 and at most 2048",
        ),
        (
            "max_message_mb = inf",
            '\n[[accounts]]\nname = "m"\nkind = "maildir"\npath = "M"\nmax_message_mb = inf\n',
            "accounts[1] (m).max_message_mb: is inf; expected a number more than 0",
        ),
        (
            "a month of 0",
            '[shop]\nname = "S"\n[status]\ncheckin_months = [0, 6]\n',
            "status.checkin_months: is [0, 6]; expected a list of whole numbers, such as [3, 6, 12],"
            " each from 1 to 120",
        ),
        (
            "a time zone that is a folder",
            '[shop]\ntimezone = "Europe"\n',
            'shop.timezone: "Europe" is not a time zone',
        ),
        (
            "a key with a new line",
            '[shop]\nname = "S"\n"nm\\nae" = 1\n',
            'shop."nm\\nae": unknown key; did you mean "name"?',
        ),
        (
            "a slot with a new line",
            '[shop]\nname = "S"\n[schedule]\ncollect = ["08:00\\nmon"]\n',
            'schedule.collect: "08:00\\nmon" is not a time',
        ),
        (
            "a NUL in a path",
            '[shop]\nname = "S"\n[templates]\ndir = "a\\u0000b"\n',
            'templates.dir: is "a\\u0000b"; expected a path in quotes',
        ),
        (
            "an empty file",
            "",
            "the file is empty; write at least a [shop] section with your shop's name and time zone",
        ),
    ],
)
def test_a_wrong_value_is_one_plain_line_and_exit_2(
    case: str, toml: str, line: str, write_shop: Callable[..., Path], run: Callable[..., Any]
) -> None:
    home = write_shop(header=toml)
    status, lines = problems(home, run)
    assert status == 2, case
    assert len(lines) == 1 and lines[0].startswith(line), (case, lines)


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        (
            "it",
            "web.port: vale 70000; ci vuole un numero intero da 1 a 65535 (la porta della pagina)",
        ),
        (
            "fr",
            "web.port : vaut 70000 ; il faut un nombre entier de 1 à 65535 (le port de la page)",
        ),
    ],
)
def test_a_range_is_said_in_her_language(
    lang: str, line: str, write_shop: Callable[..., Path], run: Callable[..., Any]
) -> None:
    home = write_shop(f'[shop]\nlanguages = ["{lang}"]\n[web]\nport = 70000\n', header="")
    result = run("--home", str(home), "check")
    assert (
        result.exit_code == 2
        and f"{home / 'banco.toml'}{' :' if lang == 'fr' else ':'} {line}" in result.output
    )


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("it", "il file è vuoto; scrivi almeno una sezione [shop]"),
        ("fr", "le fichier est vide ; écrivez au moins une section [shop]"),
    ],
)
def test_an_empty_file_is_said_in_her_computers_language(
    lang: str, words: str, write_shop: Callable[..., Path]
) -> None:
    home = write_shop(header="")
    locale = {"it": "it_IT.UTF-8", "fr": "fr_FR.UTF-8"}[lang]
    result = CliRunner().invoke(
        cli, ["--home", str(home), "check"], env={"LANGUAGE": "", "LC_ALL": "", "LANG": locale}
    )
    assert result.exit_code == 2 and words in result.output


def test_a_byte_order_mark_is_read(
    write_shop: Callable[..., Path], run: Callable[..., Any]
) -> None:
    home = write_shop()
    config = home / "banco.toml"
    config.write_bytes(b"\xef\xbb\xbf" + config.read_bytes())  # as Notepad saves it
    result = run("--home", str(home), "check")
    assert result.exit_code == 0, result.output


# Week-wrapping day ranges ------------------------------------------------------------------------
WRAPPING = '[schedule]\ncollect = ["fri-mon 08:00"]\nplan = ["sun-sun 07:00"]\n'


def test_fri_mon_is_friday_to_monday_in_check_and_schedule(
    write_shop: Callable[..., Path], run: Callable[..., Any]
) -> None:
    home = write_shop(WRAPPING)
    assert run("--home", str(home), "check").exit_code == 0
    result = run("--home", str(home), "schedule")
    assert result.exit_code == 0, result.output
    # The clock says Friday 2026-11-20 10:00 in Rome: the next is Saturday, then Sunday.
    lines = result.output.splitlines()
    assert lines[0].startswith("collect  next Sat 21 Nov 08:00 (fri-mon 08:00)")
    assert lines[3].startswith("plan     next Sun 22 Nov 07:00 (sun-sun 07:00)")


def test_fri_mon_fires_friday_saturday_sunday_monday() -> None:
    trigger = SlotTrigger(Slot("fri-mon 08:00", "fri-mon", 8, 0), ZoneInfo("Europe/Rome"))
    fire: datetime | None = None
    start = datetime(2026, 11, 16, tzinfo=ZoneInfo("Europe/Rome"))  # a Monday, midnight
    days = []
    while (fire := trigger.get_next_fire_time(fire, fire or start)) < start + timedelta(days=7):
        days.append(fire.strftime("%a %H:%M"))
    assert days == ["Mon 08:00", "Fri 08:00", "Sat 08:00", "Sun 08:00"]


def test_banco_run_starts_with_a_fri_mon_slot(write_shop: Callable[..., Path]) -> None:
    home = write_shop(WRAPPING)
    proc = subprocess.Popen(
        [sys.executable, "-m", "banco.inbox", "--home", str(home), "run"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()  # blocks until Banco says it is running (or exits)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert "Banco is running" in line and proc.returncode == 0, line + err


# Any banco.toml, built from the schema ------------------------------------------------------------
KINDS = load_registry().options()
TEXT = st.one_of(
    st.text(max_size=8),
    st.sampled_from(
        ["", " ", "\x7f", "a\nb", "@me", "x@y", "Europe", "mon-fri 08:00", "fri-mon 25:00"]
    ),
)
NUMBERS = st.one_of(
    st.integers(-(2**64), 2**64),
    st.sampled_from([0, -1, 1, 65535, 65536, 99999999, -143, 2**52 + 1]),
    st.floats(),  # nan and inf too
)
#: text a key of the schema takes, by what its help says (a zone, a currency, a time, a slot...)
GOOD_TEXT = [
    "Europe/Rome", "EUR", "gbp", "B", "ABC", "09:00", "it", "Bottega", "Orders", "dmy", "auto",
    "cp1252", "utf-8", "http://127.0.0.1:9", "a@b.example", "Sent",
]  # fmt: skip
GOOD_LISTS = [
    ["it", "en"], ["fr"], ["fri-mon 08:00", "12:30"], ["sun 23:59"], ["2026-12-24"],
    ["INBOX", "Orders"], ["private", "groups", "-100123"],
]  # fmt: skip
DATES = st.one_of(st.dates(), st.times(), st.datetimes())
SCALARS = st.one_of(TEXT, NUMBERS, st.booleans(), DATES)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)


def right(option: Option) -> st.SearchStrategy[Any]:
    """A value of the option's type, near and past its range, or its default."""
    if option.choices:
        return st.sampled_from(option.choices)
    low = option.minimum if option.minimum is not None else -3
    high = option.maximum if option.maximum is not None else 100
    by_type: dict[str, st.SearchStrategy[Any]] = {
        "int": st.integers(int(low) - 2, int(high) + 2),
        "chat": st.integers(-(2**53), 2**53),
        "number": st.floats(low - 2, high + 2),
        "bool": st.booleans(),
        "ints": st.lists(st.integers(int(low) - 2, int(high) + 2), max_size=3),
        "list": st.lists(TEXT, max_size=3),
        "addresses": st.lists(st.sampled_from(["a@b.example", "x", " c@d.example "]), max_size=2),
        "secret": st.sampled_from([{"env": "SHOP_PW"}, {"file": "pw"}, {"command": "true"}]),
        "table": st.dictionaries(TEXT, VALUES, max_size=3),
    }
    typed = by_type.get(option.type, TEXT)
    if option.type in ("str", "name", "path", "list"):  # what the key's help says it takes
        typed = typed | st.sampled_from(GOOD_TEXT if option.type != "list" else GOOD_LISTS)
    return typed if option.required else typed | st.just(option.default)


def table(options: Mapping[str, Option], wild: bool) -> st.SearchStrategy[dict[str, Any]]:
    """A section or an account: its required keys and some others, each a value of its type
    (near and past its range), or, ``wild``, sometimes any value TOML can write."""

    def value(option: Option) -> st.SearchStrategy[Any]:
        return st.one_of(right(option), VALUES) if wild else right(option)

    return st.fixed_dictionaries(
        {k: value(o) for k, o in options.items() if o.required},
        optional={k: value(o) for k, o in options.items() if not o.required},
    )


def documents(wild: bool) -> st.SearchStrategy[dict[str, Any]]:
    """banco.toml documents: every section and account kind of the schema; ``wild``, any value
    in place of a section or a key, and a section Banco does not know."""
    accounts = st.sampled_from(sorted(KINDS)).flatmap(
        lambda kind: table({**ACCOUNT_COMMON, **KINDS[kind]}, wild).map(
            lambda t: {**t, "kind": kind}
        )
    )
    sections: dict[str, st.SearchStrategy[Any]] = {
        **{name: table(options, wild) for name, options in SECTIONS.items()},
        "accounts": st.lists(accounts, max_size=2),
    }
    if wild:
        sections = {name: section | VALUES for name, section in sections.items()}
        sections["shopp"] = VALUES
    return st.fixed_dictionaries({}, optional=sections)


DOCUMENTS = documents(wild=False) | documents(wild=True)


def toml(data: dict[str, Any]) -> str:
    """``data`` as a banco.toml: each top-level key on its line, every value inline."""
    return "".join(f"{_key(k)} = {_value(v)}\n" for k, v in data.items())


def _key(key: str) -> str:
    return _string(key)


def _string(text: str) -> str:
    # JSON's escapes are TOML's; TOML also refuses a raw DEL
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    return repr(value)


#: the commands that read banco.toml and reach no peer
OFFLINE = ("schedule", "plan", "digest", "status", "orders")


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=DOCUMENTS)
def test_any_banco_toml_from_the_schema_is_exit_0_or_2_never_a_traceback(
    data: dict[str, Any], tmp_path: Path
) -> None:
    home = tmp_path / "shop"
    home.mkdir(exist_ok=True)
    (home / "banco.toml").write_text(toml(data), encoding="utf-8")
    clock = FixedClock(datetime(2026, 11, 20, 9, 0, tzinfo=ZoneInfo("UTC")))
    obj = {"clock": clock, "registry": load_registry()}
    result = CliRunner().invoke(cli, ["--home", str(home), "schedule"], obj=obj)
    event(f"exit {result.exit_code}")  # --hypothesis-show-statistics: how many load
    assert result.exit_code in (0, 2), result.output
    assert UNEXPECTED not in result.output, result.output
    if result.exit_code == 2:
        config = str(home / "banco.toml")
        said = result.output.splitlines()
        # one line per problem, then "Fix banco.toml..." in her language
        assert all(line.startswith(config) for line in said[:-1]), said
        assert "banco.toml" in said[-1] and not said[-1].startswith(config)
        return
    for command in OFFLINE[1:]:  # a banco.toml that loads serves every command
        ran = CliRunner().invoke(cli, ["--home", str(home), command], obj=obj)
        assert ran.exit_code == 0 and UNEXPECTED not in ran.output, (command, ran.output)
