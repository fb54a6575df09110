"""The whole `banco setup` with its Telegram step (H's, inbox/setup/telegram.py) in its place:
the bot checked against the local Bot API server, her chat claimed with the code, then her day,
and the checks passing."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from fixtures_telegram import TOKEN, BotApi

BANCO = str(Path(sys.executable).with_name("banco"))
MAKER = {"id": 4242, "is_bot": False, "first_name": "Giulia"}
CODE_LINE = re.compile(r"/owner (\d{8})$")


def test_the_whole_flow_pairs_her_telegram_chat_then_writes_her_day(
    tmp_path: Path, bot_api: BotApi
) -> None:
    home = tmp_path / "shop"
    flow = subprocess.Popen(
        [
            BANCO,
            "--home",
            str(home),
            "setup",
            "--no-input",
            "--language",
            "fr",
            "--skip",
            "mail",
            "--skip",
            "form",
            "--telegram-api-url",
            bot_api.url,
            "--remove-webhook",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={
            **os.environ,
            "BANCO_SETUP_BOT_TOKEN": TOKEN,
            "LANGUAGE": "en",
            "NO_PROXY": "127.0.0.1,localhost",
        },
        start_new_session=True,
    )
    assert flow.stdout is not None
    seen = []
    while line := flow.stdout.readline():  # each read waits for Banco's next line
        seen.append(line)
        if found := CODE_LINE.search(line.rstrip()):
            bot_api.message(MAKER, f"/owner {found.group(1)}")
            break
    out, err = flow.communicate(timeout=120)
    assert flow.returncode == 0, "".join(seen) + out + err
    assert "Votre boutique est prête" in out
    assert "après un redémarrage : `banco service install`" in out
    config = tomllib.loads((home / "banco.toml").read_text())
    assert config["shop"]["owner_chat"] == 4242 and config["shop"]["languages"] == ["fr"]
    assert [a["kind"] for a in config["accounts"]] == ["telegram"]
    assert config["schedule"]["collect"] == ["08:00", "12:00", "16:00"]
