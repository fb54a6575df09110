"""`banco setup telegram` as she runs it: a real `banco` process, its questions answered on its
stdin, against the local Bot API server: the token checked, the webhook removed, the one-time
code sent from her chat claims it (a stranger's wrong code claims nothing), the wait times out
in a plain line, and no customer's message is confirmed (lost) on the way."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

from fixtures_telegram import ANNA, TOKEN, BotApi, account_toml
from hypothesis import given
from hypothesis import strategies as st

from banco.inbox.collect.lock import collecting
from banco.inbox.setup.telegram import claimed, pairing_code

BANCO = str(Path(sys.executable).with_name("banco"))
MAKER = {"id": 4242, "is_bot": False, "first_name": "Giulia", "last_name": "Rinaldi"}
STRANGER = {"id": 6666, "is_bot": False, "first_name": "Someone"}
CODE_LINE = re.compile(r"/owner (\d{8})$")


def setup_telegram(home: Path, api: BotApi, *flags: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [BANCO, "--home", str(home), "setup", "telegram", "--telegram-api-url", api.url, *flags],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "LANGUAGE": "en", "NO_PROXY": "127.0.0.1,localhost"},
        start_new_session=True,  # no terminal: she types into a pipe
    )


def read_code(proc: subprocess.Popen[str]) -> tuple[str, list[str]]:
    """Read its lines until it prints the code (each read blocks until Banco prints one)."""
    assert proc.stdout is not None
    seen = []
    while line := proc.stdout.readline():
        seen.append(line)
        if found := CODE_LINE.search(line.rstrip()):
            return found.group(1), seen
    raise AssertionError("".join(seen) + (proc.stderr.read() if proc.stderr else ""))


def test_her_code_from_her_chat_claims_it_and_a_strangers_does_not(
    bot_api: BotApi, write_shop
) -> None:
    home = write_shop()
    bot_api.webhook_url = "https://old-tool.example/hook"  # left by another program
    bot_api.message(ANNA, "Ciao, vorrei una tazza blu")  # a customer waiting since before
    proc = setup_telegram(home, bot_api)
    assert proc.stdin is not None
    # the token, yes to removing the webhook, the proposed account name
    proc.stdin.write(f"{TOKEN}\ny\n\n")
    proc.stdin.flush()
    code, before = read_code(proc)
    said = "".join(before)  # (a question and the next line share a line: she typed into a pipe)
    assert "Telegram knows this bot: @banco_shop_bot.\n" in said
    assert f"open https://t.me/banco_shop_bot?start={code} and press Start" in said
    assert bot_api.webhook_url == ""

    wrong = "00000000" if code != "00000000" else "11111111"
    bot_api.message(STRANGER, f"/owner {wrong}")
    bot_api.message(
        STRANGER, f"/owner {code}", chat={"id": -100777, "type": "group", "title": "A group"}
    )
    bot_api.message(MAKER, f"/owner {code}")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, out + err

    assert "This chat is yours: Giulia Rinaldi (chat 4242), written as owner_chat." in out
    assert "Settings, Telegram Business, Chatbots, type @banco_shop_bot" in out
    config = tomllib.loads((home / "banco.toml").read_text())
    assert config["shop"]["owner_chat"] == 4242
    [account] = config["accounts"]
    assert account["kind"] == "telegram" and account["api_url"] == bot_api.url
    token_file = home / account["token"]["file"]
    assert token_file.read_text().strip() == TOKEN
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert TOKEN not in (home / "banco.toml").read_text()
    # only her chat heard from Banco; the stranger got nothing
    assert [s["chat_id"] for s in bot_api.sent] == [4242]
    # nothing was confirmed: every message stays for the next collect
    assert set(bot_api.offsets) == {None} and len(bot_api.pending) == 4

    checked = subprocess.run(
        [BANCO, "--home", str(home), "check"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_PROXY": "127.0.0.1,localhost"},
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_collect_while_she_pairs_leaves_her_code_to_the_wait(bot_api: BotApi, write_shop) -> None:
    """Two real processes: `banco collect` (as `banco run` would) while the step waits. Its next
    read would confirm her /owner message to Telegram, and the wait would never see it: the step
    holds the shop's collect lock, so the collect does nothing."""
    home = write_shop(account_toml(bot_api))
    proc = setup_telegram(home, bot_api, "--no-input", "--bot-token", TOKEN)
    code, _ = read_code(proc)
    bot_api.message(ANNA, "Ciao!")  # a customer writes while Banco waits
    collect = subprocess.run(
        [BANCO, "--home", str(home), "collect"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_PROXY": "127.0.0.1,localhost"},
    )
    assert "A collect is already running" in collect.stdout + collect.stderr, collect
    bot_api.message(MAKER, f"/owner {code}")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, out + err
    assert tomllib.loads((home / "banco.toml").read_text())["shop"]["owner_chat"] == 4242
    assert set(bot_api.offsets) == {None}  # nothing confirmed by anyone


def test_a_collect_running_already_stops_the_step_in_one_line(
    bot_api: BotApi, write_shop, open_shop
) -> None:
    home = write_shop(account_toml(bot_api))
    with collecting(open_shop(home)):
        proc = setup_telegram(home, bot_api, "--no-input", "--bot-token", TOKEN)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert "A collect is already running" in err and "again when it has ended" in err
    assert len(err.strip().splitlines()) == 1


def test_the_wait_ends_in_a_plain_line_and_keeps_the_bot(bot_api: BotApi, write_shop) -> None:
    home = write_shop()
    proc = setup_telegram(home, bot_api, "--no-input", "--bot-token", TOKEN, "--wait", "0")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert re.search(r"No /owner \d{8} came in 1 minute, and the code has expired\.", out), out
    assert err == "Error: your Telegram chat is not set yet (see above)\n"
    config = tomllib.loads((home / "banco.toml").read_text())
    assert "owner_chat" not in config["shop"] and config["accounts"][0]["kind"] == "telegram"


def test_a_token_telegram_refuses_is_one_line(bot_api: BotApi, write_shop) -> None:
    home = write_shop()
    for token, said in (
        ("123456789:AAH-not-the-token_of_this_bot", "Telegram did not accept the bot token"),
        ("hello", "That is not a bot token"),
    ):
        proc = setup_telegram(home, bot_api, "--no-input", "--bot-token", token)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 2, out + err
        assert said in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "accounts" not in tomllib.loads((home / "banco.toml").read_text())


def test_a_kept_webhook_stops_with_the_fix(bot_api: BotApi, write_shop) -> None:
    home = write_shop()
    bot_api.webhook_url = "https://old-tool.example/hook"
    proc = setup_telegram(home, bot_api, "--no-input", "--bot-token", TOKEN, "--keep-webhook")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and "Banco cannot read this bot while its webhook is set" in err
    assert bot_api.webhook_url == "https://old-tool.example/hook"


def message(text: str, chat_type: str = "private", chat_id: int = 4242) -> dict[str, object]:
    return {"message": {"text": text, "chat": {"id": chat_id, "type": chat_type}, "from": MAKER}}


def test_only_the_exact_code_in_a_private_chat_claims() -> None:
    code = pairing_code()
    assert claimed(message(f"/owner {code}"), "shop_bot", code) is not None
    assert claimed(message(f"/start {code}"), "shop_bot", code) is not None
    assert claimed(message(f"/owner@Shop_Bot {code}"), "shop_bot", code) is not None
    for text in (f"/owner@other_bot {code}", f"/owner {code}0", f"/owner {code} please", code):
        assert claimed(message(text), "shop_bot", code) is None, text
    assert claimed(message(f"/owner {code}", "group", -5), "shop_bot", code) is None


@given(st.text(), st.sampled_from(["private", "group", "supergroup", "channel"]))
def test_any_text_claims_nothing_unless_it_is_the_code(text: str, chat_type: str) -> None:
    code = "12345678"
    owner = claimed(message(text, chat_type), "shop_bot", code)
    words = text.split()
    if owner is not None:
        assert chat_type == "private" and words[1] == code
        assert words[0].split("@")[0] in ("/owner", "/start")
