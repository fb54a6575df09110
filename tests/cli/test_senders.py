"""`banco senders`: the maker's answers about senders (triage), listed, changed and forgotten, on
the demo shop whose supplier and sister wrote conversations, not orders."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import Result
from fixtures_web import demo_home  # noqa: F401 (a fixture)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from banco.inbox.orders.senders import SenderError, sender_key

Run = Callable[..., Result]
SUPPLIER = "ordini@argille-emiliane.example"
SISTER = "marta.rinaldi@libero.example"


def waiting_from(run: Run, home: Path) -> list[str]:
    shown = json.loads(run("--home", str(home), "messages", "--waiting", "--json").output)
    return [m["sender_handle"] for m in shown]


def test_answers_are_set_listed_changed_and_forgotten(demo_home: Path, run: Run) -> None:  # noqa: F811
    home = str(demo_home)
    listed = run("--home", home, "senders")
    # the demo's two past clients, answered "an order" long ago
    assert "marco.conti@alice.example  an order" in listed.output
    assert SUPPLIER in waiting_from(run, demo_home) and SISTER in waiting_from(run, demo_home)

    never = run("--home", home, "senders", "set", "@argille-emiliane.example", "never")
    assert never.exit_code == 0, never.output
    assert never.output.splitlines() == [
        "@argille-emiliane.example: never a customer.",
        "1 of their messages no longer waits for you.",
    ]
    assert SUPPLIER not in waiting_from(run, demo_home)

    order = run("--home", home, "senders", "set", SISTER, "order")
    assert order.output.splitlines()[-1].startswith("Opened B-00")
    assert SISTER in waiting_from(run, demo_home)  # still waiting, now on her order

    answers = json.loads(run("--home", home, "senders", "--json").output)
    assert {(a["kind"], a["value"], a["answer"]) for a in answers} >= {
        ("domain", "argille-emiliane.example", "never"),
        ("email", SISTER, "order"),
    }
    forgot = run("--home", home, "senders", "forget", "@argille-emiliane.example")
    assert "the next new message from @argille-emiliane.example is triaged again" in forgot.output
    again = run("--home", home, "senders", "forget", "@argille-emiliane.example")
    assert (again.exit_code, again.output.count("\n")) == (2, 1)
    assert "no answer for @argille-emiliane.example" in again.output


def test_a_wrong_sender_or_answer_is_one_line_and_exit_2(demo_home: Path, run: Run) -> None:  # noqa: F811
    home = str(demo_home)
    wrong = run("--home", home, "senders", "set", "nobody", "never")
    assert (wrong.exit_code, wrong.output.count("\n")) == (2, 1), wrong.output
    assert '"nobody" is not an address, a domain or a chat' in wrong.output
    assert "Traceback" not in wrong.output
    answer = run("--home", home, "senders", "set", SISTER, "maybe")
    assert answer.exit_code == 2 and "Traceback" not in answer.output


def test_the_senders_are_said_in_italian(demo_home: Path, run: Run) -> None:  # noqa: F811
    home = demo_home
    toml = home / "banco.toml"
    toml.write_text(toml.read_text().replace('languages = ["en"', 'languages = ["it"'))
    said = run("--home", str(home), "senders", "set", "@argille-emiliane.example", "never")
    assert "@argille-emiliane.example: mai un cliente." in said.output, said.output


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_what_she_types_for_a_sender_is_read_or_refused_plainly(text: str) -> None:
    try:
        kind, value = sender_key(text)
    except SenderError:
        return
    assert kind in ("email", "domain", "phone", "telegram", "telegram_username") and value
