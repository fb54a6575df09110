"""Nobody attaches themselves to another customer's order: only the order's link (its token)
joins a chat to its customer; a reference typed by someone else files their message on the order
"from a new sender", under their own contact, until the maker links them. Real peers: the local
Bot API server, a Maildir, a form's CSV export, the running web page."""

# Fixtures imported from fixtures_web are parameters of the tests below, by name.
# ruff: noqa: F811

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fixtures_telegram import BotApi
from fixtures_web import open_shop_at, web_server  # noqa: F401 (fixtures)
from sources import CsvSource
from sqlite_utils import Database

from banco.inbox.collect.sync import collect
from banco.inbox.replies.outbox import OutboxError, deliver, queue_reply
from banco.inbox.store.database import Store
from banco.inbox.store.migrations import migrations

#: the form's customer of B-0001 is "Cliente 0" <c0@example.com>, phone 051 0000000
CUSTOMER = {"id": 1001, "is_bot": False, "first_name": "Cliente", "username": "cliente_zero"}
STRANGER = {"id": 3003, "is_bot": False, "first_name": "Mallory", "username": "mallory_x"}
CUSTOMER_HANDLES = {("email", "c0@example.com"), ("phone", "0510000000")}


def shop_with_an_order(make: Callable[..., tuple[Any, Path]], folder: Path) -> tuple[Any, Path]:
    """A shop whose form answer made order B-0001; ``make`` is ``tg_shop``."""
    form = CsvSource(folder / "answers.csv", 1)
    shop, home = make(f'\n[[accounts]]\nname = "form"\n{form.account()}')
    collect_ok(shop)
    assert shop.store.scalar("select ref from orders") == "B-0001"
    return shop, home


def collect_ok(shop: Any) -> None:
    for result in collect(shop):
        assert result.ok, result.error


def telegram_messages(shop: Any) -> list[dict[str, Any]]:
    return shop.store.all("select * from messages where channel = 'telegram' order by id")


def handles_of(shop: Any, contact_id: int) -> set[tuple[str, str]]:
    rows = shop.store.all("select kind, value from handles where contact_id = ?", [contact_id])
    return {(h["kind"], h["value"]) for h in rows}


def form_answer(shop: Any) -> int:
    return int(shop.store.scalar("select id from messages where account = 'form'"))


# Telegram -----------------------------------------------------------------------------------------
def test_start_with_another_customers_reference_keeps_the_stranger_apart(
    tg_shop, bot_api: BotApi, tmp_path: Path, run
) -> None:
    shop, home = shop_with_an_order(tg_shop, tmp_path)
    bot_api.message(STRANGER, "/start B-0001")
    bot_api.message(STRANGER, "Mandatemi il prezzo e l'indirizzo")
    collect_ok(shop)

    start, asks = telegram_messages(shop)
    assert shop.store.scalar("select count(*) from orders") == 1  # on B-0001, nothing lost
    assert [(m["order_id"], m["new_sender"], m["waiting"]) for m in (start, asks)] == [
        (1, 1, 1),
        (1, 1, 1),
    ]
    assert start["contact_id"] == asks["contact_id"] != 1  # their own contact
    assert handles_of(shop, 1) == CUSTOMER_HANDLES
    shown = run("--home", str(home), "orders", "show", "B-0001").output
    assert "Customer:  Cliente 0  email: c0@example.com  phone: 0510000000\n" in shown
    assert (
        "Mallory via telegram (waiting for your reply)\n"
        f"From a new sender — link to Cliente 0? `banco orders link {start['id']}`\n"
        "/start B-0001"
    ) in shown


def test_a_reply_to_the_customer_never_reaches_a_stranger_who_typed_the_reference(
    tg_shop, bot_api: BotApi, tmp_path: Path
) -> None:
    shop, _ = shop_with_an_order(tg_shop, tmp_path)
    bot_api.message(STRANGER, "/start B-0001")
    collect_ok(shop)
    [start] = telegram_messages(shop)
    # The form cannot send and the customer has no chat or address an account of the shop
    # reaches: the stranger's chat is not one of theirs.
    with pytest.raises(OutboxError, match="no account of yours can send this reply"):
        queue_reply(shop, form_answer(shop), "Il prezzo è 120 €: ritiro in via Zamboni 3")
    queue_reply(shop, start["id"], "Buongiorno, di quale ordine parla?")
    [result] = deliver(shop)
    assert result.status == "sent"
    assert [sent["chat_id"] for sent in bot_api.sent] == [3003]  # the answered message's own
    # Her answer stays beside the message it answers, on the order's page
    reply = shop.store.one("select order_id, contact_id from messages where direction = 'out'")
    assert reply == {"order_id": 1, "contact_id": start["contact_id"]}


def test_start_with_the_orders_token_joins_the_chat_to_its_customer(
    tg_shop, bot_api: BotApi, tmp_path: Path, run
) -> None:
    shop, home = shop_with_an_order(tg_shop, tmp_path)
    token = shop.store.scalar("select token from orders where ref = 'B-0001'")
    assert re.fullmatch(r"[A-Za-z0-9_-]{12,64}", token) and "0001" not in token
    assert run("--home", str(home), "check").exit_code == 0  # learns the bot's link
    shown = run("--home", str(home), "orders", "show", "B-0001").output
    assert f"Link for the customer (tg): https://t.me/banco_shop_bot?start={token}\n" in shown

    bot_api.message(CUSTOMER, f"/start {token}")
    bot_api.message(CUSTOMER, "Ecco la foto del vaso")
    bot_api.message(CUSTOMER, "Per B-0001: meglio blu")  # her own reference, typed
    collect_ok(shop)
    assert [(m["order_id"], m["contact_id"], m["new_sender"]) for m in telegram_messages(shop)] == [
        (1, 1, 0),
        (1, 1, 0),
        (1, 1, 0),
    ]
    assert handles_of(shop, 1) == CUSTOMER_HANDLES | {
        ("telegram", "1001"),
        ("telegram_username", "cliente_zero"),
    }
    queue_reply(shop, form_answer(shop), "Il prezzo è 120 €")  # the form cannot send: her chat
    [result] = deliver(shop)
    assert result.status == "sent" and [sent["chat_id"] for sent in bot_api.sent] == [1001]


# Email --------------------------------------------------------------------------------------------
def mail(folder: Path, n: int, sender: str, subject: str, body: str) -> None:
    """Deliver one mail into a Maildir's new/, as a mail program would."""
    text = (
        f"From: {sender}\nTo: giulia@shop.example\nSubject: {subject}\n"
        f"Date: Wed, 18 Nov 2026 1{n}:00:00 +0100\nMessage-ID: <claim{n}@example.net>\n\n{body}\n"
    )
    (folder / "new" / f"{1_795_000_000 + n}.M{n}P1.test").write_bytes(text.encode())


@pytest.fixture
def mail_shop(
    write_shop: Callable[[str], Path], open_shop: Callable[[Path], Any], tmp_path: Path
) -> tuple[Any, Path, Path]:
    """A shop reading a form (B-0001 for Cliente 0) and a Maildir: (shop, home, maildir)."""
    form = CsvSource(tmp_path / "answers.csv", 1)
    maildir = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    home = write_shop(
        f'[[accounts]]\nname = "form"\n{form.account()}\n'
        f'[[accounts]]\nname = "mail"\nkind = "maildir"\npath = "{maildir}"\n'
    )
    shop = open_shop(home)
    collect_ok(shop)
    return shop, home, maildir


def mails(shop: Any) -> list[dict[str, Any]]:
    return shop.store.all("select * from messages where account = 'mail' order by sent_at")


def test_an_email_from_a_stranger_quoting_a_reference_waits_for_the_maker_to_link_it(
    mail_shop: tuple[Any, Path, Path], run
) -> None:
    shop, home, maildir = mail_shop
    mail(maildir, 1, "Mallory <mallory@example.net>", "Re: B-0001", "Sono il marito, l'indirizzo?")
    mail(maildir, 2, "Cliente 0 <c0@example.com>", "Ordine B-0001", "Confermo il vaso.")
    collect_ok(shop)
    theirs, hers = mails(shop)
    assert (theirs["order_id"], theirs["new_sender"]) == (1, 1) and theirs["contact_id"] != 1
    assert (hers["order_id"], hers["new_sender"], hers["contact_id"]) == (1, 0, 1)
    assert handles_of(shop, 1) == CUSTOMER_HANDLES
    shown = run("--home", str(home), "orders", "show", "B-0001").output
    assert f"From a new sender — link to Cliente 0? `banco orders link {theirs['id']}`" in shown

    linked = run("--home", str(home), "orders", "link", str(theirs["id"]))
    assert linked.exit_code == 0, linked.output
    assert linked.output == (
        "Mallory (email: mallory@example.net) is now Cliente 0, the customer of B-0001.\n"
    )
    assert shop.store.scalar("select count(*) from contacts") == 1
    assert handles_of(shop, 1) == CUSTOMER_HANDLES | {("email", "mallory@example.net")}
    shown = run("--home", str(home), "orders", "show", "B-0001").output
    assert "From a new sender" not in shown
    assert "Mallory (email: mallory@example.net) linked to the customer, Cliente 0" in shown

    mail(maildir, 3, "Mallory <mallory@example.net>", "Una domanda", "E il colore?")
    collect_ok(shop)
    latest = mails(shop)[-1]
    assert (latest["order_id"], latest["contact_id"], latest["new_sender"]) == (1, 1, 0)


def test_linking_a_message_that_is_not_from_a_new_sender_says_so(
    mail_shop: tuple[Any, Path, Path], run
) -> None:
    shop, home, _ = mail_shop
    answer = form_answer(shop)
    refused = run("--home", str(home), "orders", "link", str(answer))
    assert (refused.exit_code, refused.output) == (
        1,
        f"Error: message {answer} is not from a new sender; there is nothing to link\n",
    )
    unknown = run("--home", str(home), "orders", "link", "99")
    assert unknown.output == "Error: no message 99; `banco messages` lists them\n"


def test_the_order_page_shows_a_new_sender_and_links_them(
    tg_shop, bot_api: BotApi, tmp_path: Path, web_server, clock, registry
) -> None:
    shop, home = shop_with_an_order(tg_shop, tmp_path)
    token = shop.store.scalar("select token from orders")
    bot_api.message(CUSTOMER, f"/start {token}")
    bot_api.message(CUSTOMER, "Ecco la foto del vaso")
    bot_api.message(STRANGER, "/start B-0001")  # the latest message on the order
    collect_ok(shop)
    _, photo, theirs = telegram_messages(shop)
    server = web_server(home)
    with httpx.Client(base_url=server.url) as browser:
        page = browser.get("/orders/B-0001").text
        assert "From a new sender — link to Cliente 0?" in page
        # The reply box answers the customer's last message, not the stranger's later one.
        assert f'name="reply_to" value="{photo["id"]}"' in page
        csrf = re.search(r'<meta name="csrf-token" content="([^"]+)">', page)
        assert csrf
        done = browser.post(
            "/orders/B-0001/link", data={"csrf": csrf[1], "message": str(theirs["id"])}
        )
        assert done.status_code == 303
        page = browser.get("/orders/B-0001").text
    assert (
        "Mallory (telegram: 3003, telegram_username: mallory_x) is now Cliente 0, the customer."
    ) in page
    assert "From a new sender" not in page
    again = open_shop_at(home, clock, registry)
    try:
        assert ("telegram", "3003") in handles_of(again, 1)
    finally:
        again.close()


# Stores made before order tokens ------------------------------------------------------------------
def test_orders_made_before_tokens_get_one_and_the_saved_link_names_it(tmp_path: Path) -> None:
    home = tmp_path / "shop"
    home.mkdir()
    old = Database(str(home / "banco.db"))
    migrations.apply(old, stop_before="m014_order_tokens")
    for n in (1, 2):
        old["orders"].insert(
            {"id": n, "ref": f"B-000{n}", "title": "Tazze", "created_at": "", "updated_at": ""}
        )
    old["account_state"].insert(
        {"account": "tg", "details": '{"order_link": "https://t.me/shop_bot?start={ref}"}'}
    )
    old.close()
    store = Store(home)
    try:
        tokens = [row["token"] for row in store.all("select token from orders")]
        assert len(set(tokens)) == 2 and all(re.fullmatch(r"[A-Za-z0-9_-]{12}", t) for t in tokens)
        details = store.scalar("select details from account_state")
        assert details == '{"order_link": "https://t.me/shop_bot?start={token}"}'
    finally:
        store.close()


def test_the_courier_in_cc_of_her_mail_never_joins_the_customer(store: Any) -> None:
    """Her mail to Anna with the courier in Cc: the courier is not one of Anna's addresses, so
    no reply meant for Anna can ever go to the courier."""
    from datetime import UTC, datetime

    from banco.connectors import Handle, Page, Person, Record
    from banco.inbox.collect.ingest import Ingest

    at = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
    ingest = Ingest(store, "mail", at, owner={Handle("email", "giulia@shop.example")})
    anna = Person("Anna", [Handle("email", "anna@example.com")])
    question = Record("m1", "email", sent_at=at, sender=anna, subject="Tazze", message_key="m1@x")
    note = Record(
        "m2",
        "email",
        direction="out",
        sent_at=at,
        sender=Person("Giulia", [Handle("email", "giulia@shop.example")]),
        recipients=[anna, Person("Corriere", [Handle("email", "ritiri@corriere.example")])],
        subject="Re: Tazze",
        reply_keys=("m1@x",),
        message_key="m2@shop.example",
    )
    ingest.save_page(Page("INBOX", 1, [question, note]))
    handles = store.all(
        "select c.name, h.value from handles h join contacts c on c.id = h.contact_id"
    )
    assert [(h["name"], h["value"]) for h in handles] == [("Anna", "anna@example.com")]


def test_the_session_answers_a_new_sender_apart_and_tells_them_nothing_of_the_order(
    mail_shop: tuple[Any, Path, Path],
) -> None:
    from banco.inbox.replies.session import prepare_session

    shop, _, maildir = mail_shop
    shop.store.db.execute("update orders set status = 'quoted', price = 420 where id = 1")
    mail(maildir, 1, "Cliente 0 <c0@example.com>", "Ordine B-0001", "Confermo il vaso.")
    mail(maildir, 2, "Mallory <mallory@example.net>", "Re: B-0001", "Sono il marito, il prezzo?")
    collect_ok(shop)
    items = {item.key: item for item in prepare_session(shop)}
    theirs = mails(shop)[-1]
    customer, stranger = items["o1"], items[f"m{theirs['id']}"]
    assert [m["text"] for m in customer.messages][-1] == "Confermo il vaso."
    assert [m["text"] for m in stranger.messages] == ["Sono il marito, il prezzo?"]
    assert stranger.suggestion.purpose == "acknowledge"
    assert "420" not in stranger.suggestion.text and "420" in customer.suggestion.text
