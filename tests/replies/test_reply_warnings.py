"""A reply that would reach nobody (a bounce, mailer-daemon, postmaster, a no-reply address) is
queued only after a warning and a yes; an editor that is missing or fails is one line and the
session and the draft go on; with no editor set, Banco asks for plain lines, never vim."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from fixtures_web import server_stopped
from listsource import ListConnector
from sessions import Script

from banco.connectors import Registry
from banco.inbox.cli.main import cli
from banco.inbox.collect.sync import collect
from banco.inbox.orders.senders import change
from banco.inbox.replies.editor import chosen_editor, edit
from banco.inbox.replies.outbox import NobodyReads, queue_reply
from banco.inbox.replies.terminal import run_terminal_session
from banco.inbox.shop import Shop
from banco.inbox.store.senders import Answer
from banco.inbox.web import start

ITEMS = [
    {
        "id": "n1",
        "at": "2026-11-18T10:00:00+00:00",
        "from": "noreply@market.example",
        "name": "Market",
        "subject": "New sale: two mugs",
        "text": "You sold two mugs. Do not reply to this message.",
    },
    {
        "id": "d1",
        "at": "2026-11-18T10:30:00+00:00",
        "from": "mailer-daemon@mx.example",
        "name": "Mail Delivery System",
        "subject": "Undelivered Mail Returned to Sender",
        "text": "This is the mail system. Your message could not be delivered.",
        "auto": "bounce",
    },
    {
        "id": "a1",
        "at": "2026-11-18T11:00:00+00:00",
        "from": "ann@example.com",
        "name": "Ann Lee",
        "subject": "Six mugs",
        "text": "Hello, could you make six blue mugs? Thank you",
    },
]


@pytest.fixture
def registry(registry: Registry) -> Registry:
    return Registry(kinds={**registry.kinds, "list": ListConnector})  # type: ignore[dict-item]


@pytest.fixture
def home(write_shop, open_shop) -> Path:
    """A shop whose sending account holds a no-reply sale notice, a bounce (as the email
    parser marks one) and a customer's mail."""
    made = write_shop('\n[[accounts]]\nname = "mail"\nkind = "list"\npath = "items.json"\n')
    (made / "items.json").write_text(json.dumps(ITEMS))
    collect(open_shop(made))
    return made


def message_id(shop: Shop, sender: str) -> int:
    return int(shop.store.scalar("select id from messages where sender_handle = ?", [sender]))


def outbox(shop: Shop) -> list[str]:
    return [r["text"] for r in shop.store.all("select text from outbox order by id")]


def reply(home: Path, clock, registry, *args: str, input: str | None = None):
    return CliRunner().invoke(
        cli,
        ["--home", str(home), "messages", "reply", *args, "--queue"],
        obj={"clock": clock, "registry": registry},
        input=input,
    )


# Warned before it is queued -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sender", "said"),
    [
        ("noreply@market.example", "noreply@market.example does not take replies"),
        ("mailer-daemon@mx.example", "a reply to mailer-daemon@mx.example reaches a mail server"),
    ],
)
def test_the_command_warns_and_asks_before_a_reply_that_reaches_nobody(
    home: Path, open_shop, clock, registry, sender: str, said: str
) -> None:
    shop = open_shop(home)
    number = str(message_id(shop, sender))
    refused = reply(home, clock, registry, number, "--text", "Thanks!", input="n\n")
    assert refused.exit_code == 1 and said in refused.output
    assert "Nothing was queued." in refused.output and outbox(shop) == []
    asked = reply(home, clock, registry, number, "--text", "Thanks!", input="y\n")
    assert asked.exit_code == 0 and said in asked.output and outbox(shop) == ["Thanks!"]
    skipped = reply(home, clock, registry, number, "--text", "Again", "--yes")
    assert skipped.exit_code == 0 and said not in skipped.output
    assert outbox(shop) == ["Thanks!", "Again"]


def test_a_reply_to_a_person_is_not_questioned(home: Path, open_shop, clock, registry) -> None:
    shop = open_shop(home)
    number = str(message_id(shop, "ann@example.com"))
    result = reply(home, clock, registry, number, "--text", "Hello Ann")
    assert result.exit_code == 0 and "anyway" not in result.output
    assert outbox(shop) == ["Hello Ann"]


def test_no_screen_queues_a_reply_that_reaches_nobody_unconfirmed(home: Path, open_shop) -> None:
    """The page, the owner chat and the session all queue through here."""
    shop = open_shop(home)
    for sender in ("noreply@market.example", "mailer-daemon@mx.example"):
        with pytest.raises(NobodyReads):
            queue_reply(shop, message_id(shop, sender), "Thanks!")
    assert outbox(shop) == []


def test_the_terminal_session_warns_and_keeps_the_draft_when_she_says_no(
    home: Path, open_shop
) -> None:
    shop = open_shop(home)
    script = Script(["a", "n", "a", "y", "q"])
    run_terminal_session(shop, script.echo, script.prompt, script.edit)
    assert "noreply@market.example does not take replies" in script.output
    assert "Not queued; your reply is kept." in script.output
    assert script.prompts.count("Send it anyway? [y/N]") == 2
    assert len(outbox(shop)) == 1  # queued once, after the yes


# The editor ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("editor", ["/no/such/editor", "false"])
def test_an_editor_that_is_missing_or_fails_keeps_the_session_and_the_draft(
    home: Path, open_shop, monkeypatch: pytest.MonkeyPatch, editor: str
) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", editor)
    shop = open_shop(home)
    script = Script(["s", "e", "a"])  # skip the notice; edit Ann's reply, then send it as it was
    run_terminal_session(shop, script.echo, script.prompt, edit)
    assert f"The editor {editor} did not work" in script.output
    assert "Queued: it goes out when the session ends." in script.output
    [text] = outbox(shop)
    assert text.startswith("Hello Ann") or "Ann" in text


def test_a_missing_editor_in_messages_reply_is_one_line(
    home: Path, open_shop, clock, registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VISUAL", "/no/such/editor")
    shop = open_shop(home)
    result = reply(home, clock, registry, str(message_id(shop, "ann@example.com")))
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: The editor /no/such/editor did not work; set EDITOR to one you have"
        " (such as nano). Nothing was lost."
    )


def test_with_no_editor_set_she_types_lines_ending_with_a_dot_never_vim(
    home: Path, open_shop, clock, registry, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "vim").symlink_to("/usr/bin/true")  # vim installed, nano not
    monkeypatch.setenv("PATH", str(tools))
    assert chosen_editor() is None
    (tools / "nano").symlink_to("/usr/bin/true")
    assert chosen_editor() == "nano"
    (tools / "nano").unlink()
    shop = open_shop(home)
    number = str(message_id(shop, "ann@example.com"))
    result = reply(home, clock, registry, number, input="Hello Ann,\nsix blue mugs: yes.\n.\n")
    assert result.exit_code == 0, result.output
    assert 'a line with a single "." to finish' in result.output
    assert outbox(shop) == ["Hello Ann,\nsix blue mugs: yes."]


# The page -----------------------------------------------------------------------------------------
def test_the_page_warns_and_queues_only_with_send_anyway(
    home: Path, open_shop, clock, registry
) -> None:
    shop = open_shop(home)
    # triage left the marketplace's mail a conversation: the maker made it an order
    change(shop.store, clock.now(), "B", "email", "noreply@market.example", Answer.ORDER)
    ref = shop.store.scalar(
        "select o.ref from orders o join messages m on m.order_id = o.id"
        " where m.sender_handle = 'noreply@market.example'"
    )
    server = start(home, port=0, clock=clock, registry=registry)
    with server_stopped(server), httpx.Client(base_url=server.url) as client:
        page = client.get(f"/orders/{ref}").text
        assert "noreply@market.example does not take replies" in page
        assert ">Send anyway</button>" in page
        form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
        form.update(csrf=csrf(page), text="Thanks!")
        without = {k: v for k, v in form.items() if k != "confirmed"}
        client.post(f"/orders/{ref}/reply", data=without)
        assert outbox(shop) == []
        flashed = client.get(f"/orders/{ref}").text
        assert "does not take replies" in flashed and "Thanks!" in flashed  # her draft is kept
        form["nonce"] = dict(re.findall(r'name="(nonce)" value="([^"]*)"', flashed))["nonce"]
        client.post(f"/orders/{ref}/reply", data=form)
        assert outbox(shop) == ["Thanks!"]


def csrf(page: str) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]+)">', page)
    assert found is not None
    return found[1]


# The owner chat -----------------------------------------------------------------------------------
OWNER = 4242


def test_the_owner_chat_card_warns_and_sends_only_on_send_anyway(
    bot_api, write_shop, open_shop
) -> None:
    from fixtures_telegram import account_toml

    from banco.inbox.routines import day as routines

    home = write_shop(
        f'\nowner_chat = {OWNER}\n[schedule]\nreply = ["09:00", "17:00"]\n'
        f"{account_toml(bot_api)}"
        '\n[[accounts]]\nname = "mail"\nkind = "list"\npath = "items.json"\n'
    )
    (home / "items.json").write_text(json.dumps(ITEMS[:1]))  # the no-reply sale notice
    shop = open_shop(home)
    routines.collect(shop)
    routines.reply(shop)
    card = [m for m in bot_api.sent if m["chat_id"] == OWNER][-1]
    assert "⚠ noreply@market.example does not take replies" in card["text"]
    labels = [b["callback_data"] for row in card["buttons"]["inline_keyboard"] for b in row]
    assert "send" not in labels and labels[0] == "send!"
    giulia = bot_api.user(OWNER, "Giulia")
    bot_api.message(giulia, "Thanks!")  # typed: refused with the warning, nothing queued
    routines.owner_poll(shop)
    assert "does not take replies" in [m for m in bot_api.sent if m["chat_id"] == OWNER][-1]["text"]
    assert outbox(shop) == []
    bot_api.press(giulia, card, "send!")
    routines.owner_poll(shop)
    assert len(outbox(shop)) == 1
