"""Killing a real `banco collect` at any point loses nothing and duplicates nothing."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

from crashed import BANCO, collect_until_killed, stored
from sources import CsvSource, MaildirSource

MESSAGES = 1500
ANSWERS = 300


def make_shop(home: Path, mail: Path, answers: Path) -> Path:
    home.mkdir(parents=True)
    (home / "banco.toml").write_text(
        '[shop]\naddresses = ["giulia@shop.example"]\n'
        f'[[accounts]]\nname = "mail"\nkind = "maildir"\npath = "{mail}"\n'
        f'[[accounts]]\nname = "form"\nkind = "csv"\npath = "{answers}"\n'
    )
    return home


def snapshot(home: Path) -> dict[str, object]:
    found = subprocess.run(
        [*BANCO, "--home", str(home), "search", "tazze", "--json"], capture_output=True, check=True
    )
    with sqlite3.connect(home / "banco.db") as db:
        # FTS5's own check that the index holds exactly the stored text (raises if not)
        db.execute("insert into messages_fts (messages_fts, rank) values ('integrity-check', 1)")

        def q(sql: str) -> list:
            return db.execute(sql).fetchall()

        return {
            "messages": q("select account, external_id from messages order by 1, 2"),
            "duplicates": q(
                "select external_id from messages group by account, external_id having count(*) > 1"
            ),
            "orders": q("select count(*) from orders"),
            "contacts": q("select count(*) from contacts"),
            "handles": q("select kind, value from handles order by 1, 2"),
            "attachments": q("select count(*), count(distinct sha256) from attachments"),
            "waiting": q("select count(*) from messages where waiting = 1"),
            "found": len(json.loads(found.stdout)),
        }


def test_killing_collect_at_any_point_loses_nothing_and_duplicates_nothing(tmp_path: Path) -> None:
    mail = MaildirSource(tmp_path / "Maildir", MESSAGES)
    answers = CsvSource(tmp_path / "answers.csv", ANSWERS)
    clean = make_shop(tmp_path / "clean", mail.root, answers.path)
    subprocess.run([*BANCO, "--home", str(clean), "collect"], check=True, capture_output=True)

    crashed = make_shop(tmp_path / "crashed", mail.root, answers.path)
    after_kills = []
    for at_least in (0, 1, 250, 700, 1300, MESSAGES + 50):
        collect_until_killed(crashed, at_least)
        after_kills.append(stored(crashed))
    interrupted = [n for n in after_kills if n < MESSAGES + ANSWERS]
    assert len(interrupted) >= 4, f"the kills should interrupt the collect: {after_kills}"
    done = subprocess.run(
        [*BANCO, "--home", str(crashed), "collect"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr

    expected = snapshot(clean)
    assert len(expected["messages"]) == MESSAGES + ANSWERS  # type: ignore[arg-type]
    assert snapshot(crashed) == expected
