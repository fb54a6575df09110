"""``banco customers`` through the real command, on a shop collected from a Maildir and a form
export: the list, one customer, merging and splitting, the suggestions and dismissing them,
merging two orders of one job, and one plain line for what cannot be done."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from customer_shop import contact_named, customers_shop, who_holds_what


def suggested(run: Any, home: str) -> set[tuple[str, str, tuple[str, str]]]:
    answer = run("--home", home, "customers", "suggestions", "--json")
    assert answer.exit_code == 0, answer.output
    return {(s["kind"], s["rule"], tuple(s["labels"])) for s in json.loads(answer.output)}


def test_the_list_shows_customers_heard_from_last_first(
    write_shop, open_shop, run, tmp_path: Path
) -> None:
    shop = customers_shop(write_shop, tmp_path, open_shop)
    home = str(shop.home)
    rows = json.loads(run("--home", home, "customers", "--json").output)
    assert [r["name"] for r in rows][:2] == ["Luca Neri", "Anna V."]
    assert [r["last_at"] for r in rows] == sorted((r["last_at"] for r in rows), reverse=True)
    assert len(rows) == 9
    anna = next(r for r in rows if r["name"] == "Anna Verdi")
    assert anna["handles"] == ["anna.verdi@mail.example", "+393477654321"]

    listed = run("--home", home, "customers", "--limit", "2")
    assert listed.exit_code == 0
    lines = listed.output.splitlines()
    assert lines[0].split()[1:3] == ["Luca", "Neri"] and "1 order, 1 open" in lines[0]
    assert lines[2] == "and 7 more: --all to see them all"
    assert lines[3].startswith("5 suggestions of customers or orders that may be one")


def test_show_names_a_customer_by_number_address_phone_or_name(
    write_shop, open_shop, run, tmp_path: Path
) -> None:
    shop = customers_shop(write_shop, tmp_path, open_shop)
    home = str(shop.home)
    anna = contact_named(shop, "anna.verdi@mail.example")
    for who in (
        str(anna),
        "anna.verdi@mail.example",
        "+39 347 765 4321",
        "anna verdi",
    ):
        shown = run("--home", home, "customers", "show", who)
        assert shown.exit_code == 0, shown.output
        assert shown.output.startswith(f"Customer {anna}: Anna Verdi\n")
    shown = run("--home", home, "customers", "show", "Anna Verdi").output
    assert "  email: anna.verdi@mail.example\n  phone: +393477654321\n" in shown
    assert "\nOrders:\n  B-" in shown and "Last message, from them:" in shown
    # Anna V. wrote the same phone another way: suggested, with the command that confirms it
    assert "may be one person (the same phone: +393477654321 / 3477654321)" in shown
    data = json.loads(run("--home", home, "customers", "show", str(anna), "--json").output)
    assert [h["value"] for h in data["handles"]] == ["anna.verdi@mail.example", "+393477654321"]


def test_each_rule_is_suggested_and_a_dismissed_one_never_comes_back(
    write_shop, open_shop, run, tmp_path: Path
) -> None:
    shop = customers_shop(write_shop, tmp_path, open_shop)
    home = str(shop.home)
    chiara_mail = shop.store.scalar(
        "select ref from orders where contact_id = ?",
        [contact_named(shop, "chiara.rossi@libero.example")],
    )
    chiara_form = shop.store.scalar(
        "select ref from orders where contact_id = ?", [contact_named(shop, "c.rossi@gmail.com")]
    )
    assert suggested(run, home) == {
        ("customers", "name", ("Chiara Rossi", "Chiara Rossi")),
        ("customers", "name", ("Bob Smith", "Bob Smith")),
        ("customers", "email", ("Luca Neri", "Luca Neri")),
        ("customers", "phone", ("Anna Verdi", "Anna V.")),
        ("orders", "job", (chiara_mail, chiara_form)),  # a form answer and an email, one job
    }
    bobs = sorted(contact_named(shop, h) for h in ("bob@smith.example", "bob.smith@work.example"))
    dismissed = run("--home", home, "customers", "dismiss", *map(str, bobs))
    assert dismissed.exit_code == 0 and dismissed.output == "Not suggested again.\n"
    gone = run("--home", home, "customers", "dismiss", "--orders", chiara_form, chiara_mail)
    assert gone.exit_code == 0
    assert suggested(run, home) == {
        ("customers", "name", ("Chiara Rossi", "Chiara Rossi")),
        ("customers", "email", ("Luca Neri", "Luca Neri")),
        ("customers", "phone", ("Anna Verdi", "Anna V.")),
    }
    # a new collect (nothing new) and the next look: still dismissed
    assert run("--home", home, "collect").exit_code == 0
    assert ("customers", "name", ("Bob Smith", "Bob Smith")) not in suggested(run, home)


def test_merge_joins_two_customers_and_split_gives_the_second_back_exactly(
    write_shop, open_shop, run, tmp_path: Path
) -> None:
    shop = customers_shop(write_shop, tmp_path, open_shop)
    home = str(shop.home)
    first = contact_named(shop, "chiara.rossi@libero.example")
    second = contact_named(shop, "c.rossi@gmail.com")
    before = who_holds_what(shop)

    merged = run("--home", home, "customers", "merge", str(first), "c.rossi@gmail.com")
    assert merged.exit_code == 0, merged.output
    assert merged.output == f"Customer {second} is now part of {first} (Chiara Rossi).\n"
    shown = run("--home", home, "customers", "show", str(first)).output
    assert "email: chiara.rossi@libero.example\n  email: c.rossi@gmail.com\n" in shown
    assert shown.count("  B-") == 2  # both orders are hers now
    rows = json.loads(run("--home", home, "customers", "--json").output)
    assert second not in [r["id"] for r in rows] and len(rows) == 8
    # now one customer, the order suggestion stays (same customer, same job); the name one goes
    assert ("customers", "name", ("Chiara Rossi", "Chiara Rossi")) not in suggested(run, home)

    split = run("--home", home, "customers", "split", str(first), "c.rossi@gmail.com")
    assert split.exit_code == 0, split.output
    assert split.output == f"c.rossi@gmail.com is customer {second} now.\n"
    assert who_holds_what(shop) == before


def test_split_a_handle_that_came_with_no_merge_takes_its_conversations(
    write_shop, open_shop, run, tmp_path: Path
) -> None:
    shop = customers_shop(write_shop, tmp_path, open_shop)
    home = str(shop.home)
    anna = contact_named(shop, "anna.verdi@mail.example")
    split = run("--home", home, "customers", "split", "Anna Verdi", "+39 347 765 4321")
    assert split.exit_code == 0, split.output
    new = contact_named(shop, "+393477654321")
    assert new != anna
    # the form answer came from her email address: it and its order stay with her
    assert shop.store.scalar("select count(*) from orders where contact_id = ?", [anna]) == 1
    assert shop.store.scalar("select count(*) from messages where contact_id = ?", [new]) == 0


def test_orders_merge_moves_everything_and_closes_the_other(
    write_shop, open_shop, run, tmp_path: Path
) -> None:
    shop = customers_shop(write_shop, tmp_path, open_shop)
    home = str(shop.home)
    kept = shop.store.one(
        "select id, ref from orders where contact_id = ?",
        [contact_named(shop, "chiara.rossi@libero.example")],
    )
    other = shop.store.one(
        "select id, ref from orders where contact_id = ?",
        [contact_named(shop, "c.rossi@gmail.com")],
    )
    messages = shop.store.scalar(
        "select count(*) from messages where order_id in (?, ?)", [kept["id"], other["id"]]
    )
    merged = run("--home", home, "orders", "merge", kept["ref"], other["ref"])
    assert merged.exit_code == 0, merged.output
    assert merged.output == f"{other['ref']} is merged into {kept['ref']}.\n"
    assert (
        shop.store.scalar("select count(*) from messages where order_id = ?", [kept["id"]])
        == messages
    )
    closed = shop.store.one("select status, merged_into from orders where id = ?", [other["id"]])
    assert closed == {"status": "cancelled", "merged_into": kept["id"]}
    assert (
        f"merged into {kept['ref']}" in run("--home", home, "orders", "show", other["ref"]).output
    )
    assert (
        f"{other['ref']} merged into this order"
        in run("--home", home, "orders", "show", kept["ref"]).output
    )
    assert not any(kind == "orders" for kind, _, _ in suggested(run, home))
    again = run("--home", home, "orders", "merge", kept["ref"], other["ref"])
    assert (again.exit_code, again.output) == (
        1,
        "Error: one of these orders is already merged into another\n",
    )


def test_what_cannot_be_done_is_one_plain_line(write_shop, open_shop, run, tmp_path: Path) -> None:
    shop = customers_shop(write_shop, tmp_path, open_shop)
    home = str(shop.home)
    bobs = sorted(contact_named(shop, h) for h in ("bob@smith.example", "bob.smith@work.example"))
    for args, line in (
        (
            ("show", "nobody@nowhere.example"),
            'no customer "nobody@nowhere.example"; `banco customers` lists them',
        ),
        (
            ("show", "bob smith"),
            f'2 customers are called "bob smith": use a number ({bobs[0]}, {bobs[1]})',
        ),
        (("merge", str(bobs[0]), str(bobs[0])), "that is the same customer twice"),
        (
            ("split", str(bobs[0]), "bob@smith.example"),
            "bob@smith.example is this customer's only address",
        ),
        (
            ("split", str(bobs[0]), "x@y.example"),
            f"customer {bobs[0]} has no address, phone or chat x@y.example",
        ),
        (
            ("works-again", str(bobs[0]), " "),
            "say which address, phone or chat, for example ann@example.com",
        ),
    ):
        answer = run("--home", home, "customers", *args)
        assert (answer.exit_code, answer.output) == (1, f"Error: {line}\n"), args
