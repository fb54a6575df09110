"""The people's search index under a real collect: killed with SIGKILL mid-way, then run again
while another process searches, every customer's address still finds her order, once."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

from crashed import BANCO, collect_until_killed
from sources import MaildirSource

from banco.inbox.store.database import Store
from banco.inbox.store.queries import search

CUSTOMERS = 40


def test_a_killed_collect_and_a_search_racing_the_next_lose_no_customer(tmp_path: Path) -> None:
    mail = MaildirSource(tmp_path / "Maildir", CUSTOMERS * 2)
    home = tmp_path / "shop"
    home.mkdir()
    (home / "banco.toml").write_text(
        '[shop]\naddresses = ["giulia@shop.example"]\n'
        f'[[accounts]]\nname = "mail"\nkind = "maildir"\npath = "{mail.root}"\n'
    )
    collect_until_killed(home, at_least=CUSTOMERS // 2)
    collecting = subprocess.Popen(
        [*BANCO, "--home", str(home), "collect"], stdout=subprocess.DEVNULL
    )
    searching = subprocess.run(
        [*BANCO, "--home", str(home), "search", "customer7@example.com", "--json"],
        capture_output=True,
        text=True,
    )
    assert collecting.wait() == 0
    assert searching.returncode == 0, searching.stderr  # what was there, or all of it
    store = Store(home)
    try:
        for n in range(CUSTOMERS):
            found = search(store, f"customer{n}@example.com")
            assert [r["type"] for r in found].count("order") == 1, (n, found)
    finally:
        store.close()
    with sqlite3.connect(home / "banco.db") as db:
        db.execute("insert into people_fts (people_fts, rank) values ('integrity-check', 1)")
        assert db.execute("select count(*) from people_stale").fetchone() == (0,)
        assert (
            db.execute("select count(*) from people_fts").fetchone()
            == db.execute("select count(*) from contacts").fetchone()
        )
