"""Telegram at volume, and a real `banco collect` killed mid-way: no update lost, none twice, and
Telegram never told to forget an update Banco had not stored."""

from __future__ import annotations

import copy
import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from fixtures_telegram import BotApi, account_toml

from banco.inbox.collect.sync import collect

BANCO = [sys.executable, "-c", "from banco.inbox.cli.main import main; main()"]
UPDATES = 3000


def external_id(update: dict[str, Any]) -> str:
    message = update["message"]
    return f"{message['chat']['id']}:{message['message_id']}"


def write_backlog(api: BotApi, n: int) -> None:
    """``n`` messages from 40 customers, every 100th with a photo to download."""
    for k in range(n):
        who = api.user(6_000_000 + k % 40, f"Cliente{k % 40}", "Verdi", f"verdi_{k % 40}")
        if k % 100 == 0:
            api.add_file(f"photo-{k}", b"\xff\xd8 photo %d" % k, f"photos/file_{k}.jpg")
            size = {"file_id": f"photo-{k}", "file_unique_id": f"u{k}", "width": 800, "height": 600}
            api.message(who, photo=[size], caption=f"foto {k}")
        else:
            api.message(who, f"Vorrei {k % 9 + 1} vasi, messaggio {k}")


def make_shop(home: Path, api: BotApi) -> Path:
    home.mkdir(parents=True)
    (home / "banco.toml").write_text(
        '[shop]\naddresses = ["giulia@shop.example"]\n' + account_toml(api), encoding="utf-8"
    )
    return home


def read(home: Path, sql: str) -> list[Any]:
    try:
        with sqlite3.connect(f"file:{home / 'banco.db'}?mode=ro", uri=True, timeout=5) as db:
            return db.execute(sql).fetchall()
    except sqlite3.OperationalError:  # not created yet, or the schema is still being written
        return []


def stored(home: Path) -> int:
    rows = read(home, "select count(*) from messages")
    return int(rows[0][0]) if rows else 0


def stored_offset(home: Path) -> int:
    rows = read(home, "select cursor from sync_state where account = 'tg'")
    return int(json.loads(rows[0][0])["offset"]) if rows else 0


def collect_until_killed(home: Path, api: BotApi, at_least: int, mid_page: bool) -> None:
    """Start `banco collect` and SIGKILL it once ``at_least`` messages are stored: right then
    (between a commit and the next getUpdates), or with ``mid_page`` as soon as Telegram has
    handed over the next page and before Banco stores it."""
    asked_before = len(api.offsets)
    proc = subprocess.Popen(
        [*BANCO, "--home", str(home), "collect"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    try:
        while proc.poll() is None:
            assert time.monotonic() < deadline, "collect made no progress"
            if stored(home) >= at_least:
                if not mid_page:
                    break
                offset = stored_offset(home)
                if offset and offset in api.offsets[asked_before:]:
                    break  # the page after the stored one is out, and not stored yet
            time.sleep(0.001)  # polling the store and the server, not waiting for time to pass
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()


def snapshot(home: Path) -> dict[str, Any]:
    return {
        "messages": read(home, "select external_id, text from messages order by 1"),
        "duplicates": read(
            home, "select external_id from messages group by external_id having count(*) > 1"
        ),
        "orders": read(home, "select count(*) from orders"),
        "contacts": read(home, "select count(*) from contacts"),
        "handles": read(home, "select kind, value from handles order by 1, 2"),
        "threads": read(home, "select key from threads order by 1"),
        "attachments": read(home, "select count(*), count(distinct sha256) from attachments"),
        "fts": read(home, "select count(*) from messages_fts"),
    }


def test_killing_collect_loses_nothing_and_confirms_nothing_unstored(tmp_path, bot_api) -> None:
    write_backlog(bot_api, UPDATES)
    backlog = copy.deepcopy(bot_api.updates)
    expected = sorted(external_id(u) for u in backlog)

    crashed = make_shop(tmp_path / "crashed", bot_api)
    after_kills = []
    kills = [(0, False), (1, True), (400, False), (900, True), (1300, True), (2000, True)]
    for at_least, mid_page in kills:
        collect_until_killed(crashed, bot_api, at_least, mid_page)
        offset = stored_offset(crashed)
        asked = max((o for o in bot_api.offsets if o is not None), default=0)
        # Telegram was never asked to forget an update beyond the stored offset...
        assert asked <= offset, f"offset {asked} confirmed while only {offset} was stored"
        # ...and every update it was told to forget is in the store.
        kept = {row[0] for row in read(crashed, "select external_id from messages")}
        assert {external_id(u) for u in backlog if u["update_id"] < asked} <= kept
        after_kills.append(len(kept))
    interrupted = [n for n in after_kills if n < UPDATES]
    assert len(interrupted) >= 4, f"the kills should interrupt the collect: {after_kills}"
    asked = [o for o in bot_api.offsets if o is not None]
    # Some kills came after Telegram handed a page over and before Banco stored it: the next
    # collect asked for that page again (the same offset twice) and got it.
    assert len(asked) > len(set(asked)), "no kill landed between a getUpdates and its commit"

    done = subprocess.run(
        [*BANCO, "--home", str(crashed), "collect"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert bot_api.pending == []
    result = snapshot(crashed)
    assert [row[0] for row in result["messages"]] == expected
    assert result["duplicates"] == []

    # The same backlog collected in one go gives the same store.
    clean_api = BotApi()
    try:
        clean_api.updates = copy.deepcopy(backlog)
        clean_api.files = dict(bot_api.files)
        clean = make_shop(tmp_path / "clean", clean_api)
        run = subprocess.run(
            [*BANCO, "--home", str(clean), "collect"], capture_output=True, text=True
        )
        assert run.returncode == 0, run.stderr
    finally:
        clean_api.close()
    assert snapshot(clean) == result


def test_a_backlog_of_ten_thousand_updates_is_collected_once(tg_shop, bot_api) -> None:
    shop, _ = tg_shop()
    bot_api.customers_write(10_000, customers=60)
    first, last = bot_api.updates[0]["update_id"], bot_api.updates[-1]["update_id"]
    expected = sorted(external_id(u) for u in bot_api.updates)
    [result] = collect(shop)
    assert result.ok, result.error
    assert result.counts.new == 10_000 and result.counts.unreadable == 0
    ids = [r["external_id"] for r in shop.store.all("select external_id from messages order by 1")]
    assert ids == expected  # every one, once
    assert bot_api.offsets == [None, *range(first + 100, last + 2, 100)]
    assert bot_api.pending == []
    assert shop.store.scalar("select count(*) from orders") == 60
    [again] = collect(shop)
    assert again.ok and again.counts.new == 0
