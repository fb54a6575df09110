"""Every command, as a maker types it: good input, bad input, a broken config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sources import CsvSource, MaildirSource, email_bytes


@pytest.fixture
def shop(tmp_path: Path, write_shop, run) -> Path:
    mail = MaildirSource(tmp_path / "Maildir", 12)
    form = CsvSource(tmp_path / "answers.csv", 3)
    home = write_shop(
        f'\n[[accounts]]\nname = "mail"\n{mail.account()}\n[[accounts]]\nname = "form"\n{form.account()}'
    )
    result = run("--home", str(home), "collect")
    assert result.exit_code == 0, result.output
    return home


def test_init_writes_a_config_that_loads_and_refuses_to_overwrite(tmp_path: Path, run) -> None:
    home = tmp_path / "new-shop"
    first = run("--home", str(home), "init")
    assert first.exit_code == 0 and "banco check" in first.output
    text = (home / "banco.toml").read_text()
    [kinds] = [line for line in text.splitlines() if "Kinds Banco knows:" in line]
    assert "csv" in kinds and "maildir" in kinds
    assert run("--home", str(home), "check").exit_code == 0
    again = run("--home", str(home), "init")
    assert again.exit_code == 1 and "already exists" in again.output


def test_a_broken_config_names_the_key_and_exits_2(write_shop, run) -> None:
    home = write_shop('\n[[accounts]]\nname = "mail"\nkind = "maildir"\npaht = "x"\n')
    for command in (["check"], ["collect"], ["orders"], ["digest"]):
        result = run("--home", str(home), *command)
        assert result.exit_code == 2
        assert 'accounts[1] (mail).paht: unknown key; did you mean "path"?' in result.output
        assert "Traceback" not in result.output


def test_no_config_at_all_says_to_run_init(tmp_path: Path, run) -> None:
    result = run("--home", str(tmp_path / "nothing"), "orders")
    assert result.exit_code == 2 and "run `banco init`" in result.output


def test_collect_reports_per_account(shop: Path, run) -> None:
    result = run("--home", str(shop), "collect")
    assert result.exit_code == 0
    assert "mail: 0 new" in result.output and "form: 0 new" in result.output
    only = run("--home", str(shop), "collect", "--account", "mail")
    assert "form" not in only.output
    unknown = run("--home", str(shop), "collect", "--account", "mial")
    assert (
        unknown.exit_code == 2 and 'no account named "mial"; did you mean "mail"?' in unknown.output
    )


def test_collect_with_a_missing_source_fails_in_words(tmp_path: Path, write_shop, run) -> None:
    home = write_shop(
        f'\n[[accounts]]\nname = "mail"\nkind = "maildir"\npath = "{tmp_path / "gone"}"\n'
    )
    result = run("--home", str(home), "collect")
    assert result.exit_code == 1
    assert "mail: failed (needs you)" in result.output and "Traceback" not in result.output
    check = run("--home", str(home), "check")
    assert check.exit_code == 1 and "✗ mail: needs you" in check.output


def test_check_compares_the_source_with_the_store(shop: Path, run, tmp_path: Path) -> None:
    (tmp_path / "Maildir" / "new" / "late.M1P1.test").write_bytes(email_bytes(99))
    result = run("--home", str(shop), "check")
    assert result.exit_code == 0, result.output
    assert "✓ mail:" in result.output and "✓ form:" in result.output
    assert "INBOX: 13 at the source, 12 in Banco  <- 1 not yet collected" in result.output


def test_messages_lists_filters_and_json(shop: Path, run) -> None:
    listing = run("--home", str(shop), "messages")
    assert listing.exit_code == 0 and len(listing.output.splitlines()) == 15
    as_json = json.loads(run("--home", str(shop), "messages", "--json").output)
    assert len(as_json) == 15 and {"id", "sender", "order_ref", "waiting"} <= set(as_json[0])
    limited = json.loads(run("--home", str(shop), "messages", "--json", "--limit", "4").output)
    assert len(limited) == 4
    forms = json.loads(run("--home", str(shop), "messages", "--channel", "form", "--json").output)
    assert len(forms) == 3
    waiting = json.loads(run("--home", str(shop), "messages", "--waiting", "--json").output)
    assert all(m["waiting"] for m in waiting) and len(waiting) == 15
    by_order = json.loads(
        run("--home", str(shop), "messages", "--order", "B-0001", "--json").output
    )
    assert by_order and all(m["order_ref"] == "B-0001" for m in by_order)
    bad = run("--home", str(shop), "messages", "--order", "B-9999")
    assert bad.exit_code == 1 and 'no order "B-9999"' in bad.output
    assert run("--home", str(shop), "messages", "--limit", "0").exit_code == 2


def test_message_show_and_raw(shop: Path, run) -> None:
    shown = run("--home", str(shop), "messages", "show", "1")
    assert shown.exit_code == 0 and "Subject: Order question 0" in shown.output
    assert "Attached: schizzo-0.pdf" in shown.output
    raw = run("--home", str(shop), "messages", "raw", "1")
    assert raw.exit_code == 0 and "Message-ID:" in raw.output
    missing = run("--home", str(shop), "messages", "show", "999")
    assert missing.exit_code == 1 and "no message 999" in missing.output


def test_orders_list_show_and_change(shop: Path, run) -> None:
    home = ["--home", str(shop)]
    listing = run(*home, "orders")
    assert listing.exit_code == 0 and "B-0001" in listing.output
    assert (
        run(*home, "orders", "status", "B-0001", "quoted", "--note", "sent the quote").exit_code
        == 0
    )
    assert run(*home, "orders", "deadline", "b-1", "20/12/2026").exit_code == 0
    assert run(*home, "orders", "estimate", "1", "9.5").exit_code == 0
    assert (
        run(*home, "orders", "price", "B-0001", "180", "--payment", "deposit_paid").exit_code == 0
    )
    assert (
        run(*home, "orders", "task", "B-0001", "Buy blue glaze", "--due", "2026-12-01").exit_code
        == 0
    )
    assert run(*home, "orders", "note", "B-0001", "Prefers a matte finish").exit_code == 0
    detail = json.loads(run(*home, "orders", "show", "B-0001", "--json").output)
    assert (detail["status"], detail["deadline"], detail["estimated_hours"], detail["price"]) == (
        "quoted",
        "2026-12-20",
        9.5,
        180.0,
    )
    # Entering "quoted" made that stage's default task; the maker added her own.
    assert [t["title"] for t in detail["tasks"]] == [
        "Follow up on the quote if there is no answer",
        "Buy blue glaze",
    ]
    assert [e["kind"] for e in detail["events"]] == [
        "created",
        "status",
        "fields",
        "fields",
        "fields",
        "note",
    ]
    text = run(*home, "orders", "show", "B-0001").output
    assert (
        "Status:    quote sent" in text
        and "Conversation (" in text
        and "Prefers a matte finish" in text
    )
    assert run(*home, "orders", "status", "B-0001", "completed").exit_code == 0
    assert "B-0001" not in run(*home, "orders").output
    assert "B-0001" in run(*home, "orders", "--all").output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["orders", "status", "B-0001", "finished"], "Invalid value for 'STATUS'"),
        (["orders", "status", "B-0404", "quoted"], 'no order "B-0404"'),
        (["orders", "deadline", "B-0001", "next week"], "Invalid value for 'DATE'"),
        (["orders", "estimate", "B-0001", "lots"], '"lots" is not a number of hours'),
        (["orders", "estimate", "B-0001", "--", "-3"], '"-3" is not a number of hours'),
        (["orders", "show", "banana"], 'no order "banana"'),
    ],
)
def test_bad_order_input_is_one_line_and_non_zero(shop: Path, run, args, expected) -> None:
    result = run("--home", str(shop), *args)
    assert result.exit_code != 0 and expected in result.output and "Traceback" not in result.output


def test_search_finds_messages_and_orders_and_survives_odd_input(shop: Path, run) -> None:
    found = json.loads(run("--home", str(shop), "search", "tazze", "--json").output)
    assert any(r["type"] == "message" for r in found)
    assert any(
        r["type"] == "order"
        for r in json.loads(run("--home", str(shop), "search", "vasi", "--json").output)
    )
    for odd in ('mug"', "AND OR NOT", "B-0001"):
        result = run("--home", str(shop), "search", odd)
        assert result.exit_code == 0, result.output
    for blank in ("  ", "*", "("):  # no word to look for (tests/cli/test_search_cli.py)
        said = run("--home", str(shop), "search", blank)
        assert said.exit_code == 2 and 'say what to look for, for example: banco search "blue' in (
            said.output
        )


def test_digest_text_and_html(shop: Path, run) -> None:
    text = run("--home", str(shop), "digest")
    assert text.exit_code == 0
    assert "New orders (" in text.output and "Messages waiting for your reply (15)" in text.output
    html = run("--home", str(shop), "digest", "--html").output
    assert html.startswith("<!doctype html>") and "<h2>New orders (" in html


def test_forms_headers_prints_a_mapping_to_paste(shop: Path, run) -> None:
    result = run("--home", str(shop), "forms", "headers", "form")
    assert result.exit_code == 0 and 'email = "Indirizzo email"' in result.output
    wrong = run("--home", str(shop), "forms", "headers", "mail")
    assert wrong.exit_code == 1 and "not an order form account" in wrong.output
