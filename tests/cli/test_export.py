"""`banco export` writes files other programs open (the csv module, json, an email parser,
mailbox.mbox), owner-only and without the orders' link tokens; `banco messages reprocess` turns a
stored unreadable mail into a readable one once the parser reads it."""

from __future__ import annotations

import csv
import email
import email.policy
import json
import mailbox
from pathlib import Path

from sources import MaildirSource, email_bytes

from banco.connectors.base import unreadable_record
from banco.connectors.email.parse import RAW_TYPE
from banco.inbox.collect.ingest import Ingest
from banco.inbox.store.database import Store


def make_shop(tmp_path: Path, n: int) -> Path:
    mail = MaildirSource(tmp_path / "Maildir", n)
    home = tmp_path / "shop"
    home.mkdir()
    (home / "banco.toml").write_text(
        '[shop]\naddresses = ["giulia@shop.example"]\n'
        f'[[accounts]]\nname = "mail"\nkind = "maildir"\npath = "{mail.root}"\n'
    )
    return home


def test_export_as_csv_with_eml_files_opens_in_other_programs(tmp_path: Path, run) -> None:
    home = make_shop(tmp_path, 12)
    assert run("--home", str(home), "collect").exit_code == 0
    out = tmp_path / "export"
    result = run("--home", str(home), "export", str(out))
    assert result.exit_code == 0, result.output
    with (out / "orders.csv").open(encoding="utf-8") as f:
        assert f.read(1) == "\ufeff"  # spreadsheet programs read UTF-8 by its BOM
    with (out / "orders.csv").open(encoding="utf-8-sig", newline="") as f:
        orders = list(csv.DictReader(f))
    with (out / "messages.csv").open(encoding="utf-8-sig", newline="") as f:
        messages = list(csv.DictReader(f))
    with (out / "contacts.csv").open(encoding="utf-8-sig", newline="") as f:
        contacts = list(csv.DictReader(f))
    assert len(messages) == 12 and orders and contacts
    assert "token" not in orders[0]  # an order's link for its customer stays in Banco
    assert orders[0]["ref"].startswith("B-")
    assert "tazze blu" in messages[0]["text"]
    assert any(m["attachments"] == "schizzo-0.pdf" for m in messages)
    emls = sorted((out / "messages").glob("*.eml"))
    assert len(emls) == 12
    parsed = email.message_from_bytes(emls[0].read_bytes(), policy=email.policy.default)
    assert parsed["Subject"].startswith("Order question")
    assert {p.stat().st_mode & 0o777 for p in [*out.iterdir(), *emls]} <= {0o600, 0o700}


def test_export_as_json_with_one_mbox(tmp_path: Path, run) -> None:
    home = make_shop(tmp_path, 5)
    assert run("--home", str(home), "collect").exit_code == 0
    out = tmp_path / "export"
    result = run("--home", str(home), "export", "--format", "json", "--messages", "mbox", str(out))
    assert result.exit_code == 0, result.output
    assert "5 messages" in result.output
    rows = json.loads((out / "messages.json").read_text(encoding="utf-8"))
    assert [r["subject"] for r in rows][:1] == ["Order question 0: tazze e piatti"]
    assert all("raw" not in r for r in rows)
    assert json.loads((out / "tasks.json").read_text(encoding="utf-8")) == []
    box = mailbox.mbox(out / "messages.mbox")
    subjects = sorted(m["Subject"] for m in box)
    assert subjects == sorted(f"Order question {n}: tazze e piatti" for n in range(5))
    assert not (out / "messages").exists()


def test_reprocess_makes_a_stored_unreadable_mail_readable(tmp_path: Path, run, clock) -> None:
    home = make_shop(tmp_path, 0)
    raw = email_bytes(7, attachment=True)
    store = Store(home)
    try:
        # as an older parser left it: kept raw, unreadable
        record = unreadable_record("mail-7", "email", raw, RAW_TYPE, "the parser gave up")
        Ingest(store, "mail", clock.now()).save_records([record], "INBOX")
    finally:
        store.close()
    listed = run("--home", str(home), "messages", "--unreadable")
    assert "unreadable" in listed.output

    result = run("--home", str(home), "messages", "reprocess", "--unreadable")
    assert result.exit_code == 0, result.output
    assert "readable now: 1" in result.output
    assert run("--home", str(home), "messages", "--unreadable").output.strip() == (
        "No messages match."
    )
    shown = json.loads(run("--home", str(home), "messages", "show", "1", "--json").output)
    assert shown["subject"] == "Order question 7: tazze e piatti"
    assert "tazze blu" in shown["text"]
    assert shown["status"] == "ok" and shown["waiting"] == 1
    [attachment] = shown["attachments"]
    assert attachment["filename"] == "schizzo-7.pdf"
    assert (home / attachment["path"]).read_bytes().startswith(b"%PDF-1.4 sketch 7")
    # read again: nothing changes a second time
    again = run("--home", str(home), "messages", "reprocess")
    assert "changed: 0" in again.output
