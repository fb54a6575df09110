"""A mailbox with marketplace notifications, collected by a real `banco collect` over a Maildir:
each sale is an order for its BUYER (never for "Etsy"), two sales are two orders, the same sale
seen again is not a second order, the buyer's message on Etsy joins their order, and a
marketplace's mail Banco cannot read is kept on no order, with no "Etsy" customer."""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from conftest import SHOP_HEADER
from crashed import BANCO, collect_until_killed
from sources import MaildirSource

from banco.inbox.shop import Shop

DATA = Path(__file__).parent.parent / "data" / "marketplace"
MAILBOX = [
    "etsy/sale-en.eml",
    "etsy/sale-en-two-items.eml",
    "etsy/message-en.eml",
    "shopify/new-order-en.eml",
    "woocommerce/admin-new-order-en.eml",
    "kofi/shop-order-en.eml",
]
UNREAD = b"""From: Etsy <transaction@etsy.com>
To: giulia@shop.example
Subject: Your Etsy statement is ready
Date: Mon, 30 Nov 2026 08:00:00 +0000
Message-ID: <statement-11@etsy.com>

Your November bill is $12.40.
"""


def deliver(maildir: Path, name: str, data: bytes) -> None:
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    (maildir / "new" / f"{name}.M1P1.test").write_bytes(data)


@pytest.fixture
def home(tmp_path: Path, run: Callable[..., Result]) -> Path:
    maildir = tmp_path / "mail"
    for n, path in enumerate(MAILBOX):
        deliver(maildir, f"{1_700_000_000 + n}", (DATA / path).read_bytes())
    deliver(maildir, "1700000100", UNREAD)
    folder = tmp_path / "shop"
    folder.mkdir()
    account = f'\n[[accounts]]\nname = "mail"\nkind = "maildir"\npath = "{maildir}"\n'
    (folder / "banco.toml").write_text(SHOP_HEADER + account, encoding="utf-8")
    collected = run("--home", str(folder), "collect")
    assert collected.exit_code == 0, collected.output
    return folder


def orders(shop: Shop) -> list[tuple[str, str, str, str, str]]:
    rows = shop.store.all(
        "select c.name, o.marketplace, o.marketplace_order, o.title, o.marketplace_url"
        " from orders o join contacts c on c.id = o.contact_id order by o.id"
    )
    return [tuple(r.values()) for r in rows]  # type: ignore[misc]


def test_every_sale_is_an_order_for_its_buyer(home: Path, open_shop) -> None:
    shop = open_shop(home)
    assert orders(shop) == [
        (
            "Hannah Schmidt",
            "etsy",
            "3187654321",
            "2 × Lemon mug, 350 ml",
            "https://www.etsy.com/your/orders/sold?order_id=3187654321",
        ),
        (
            "Sam Okafor",
            "etsy",
            "3187999001",
            "4 × Espresso cup, speckled, Serving bowl, large",
            "https://www.etsy.com/your/orders/sold?order_id=3187999001",
        ),
        (
            "Emma Walsh",
            "shopify",
            "1042",
            "2 × Custom dog mug, Espresso cup",
            "https://bottega-giulia.myshopify.com/admin/orders/5551234001",
        ),
        (
            "Olivia Bennett",
            "woocommerce",
            "1234",
            "Birthday plate, 2 × Mug, lemon",
            "https://bottegagiulia.example/wp-admin/post.php?post=1234&action=edit",
        ),
        (
            "Tom Hughes",
            "kofi",
            "0a1fac0c-f960-4506-a60e-824979a74e71",
            "6 × Flat white cup",
            "https://ko-fi.com/Home/CoffeeShop?txid=0a1fac0c-f960-4506-a60e-824979a74e71",
        ),
    ]
    hannah = shop.store.one(
        "select quantity, deadline, price, currency, details from orders where ref = 'B-0001'"
    )
    assert hannah == {
        "quantity": 2,
        "deadline": "2026-12-04",
        "price": 64.0,
        "currency": "USD",
        "details": "2 × Lemon mug, 350 ml\n  personalization: Names: Anna & Luca\n\nShip to:"
        " Hannah Schmidt, 14 Bergmann Street, Springfield, IL 62704, United States",
    }
    # Etsy and Ko-fi took the payment; a shop's new order may still wait for it (a transfer)
    payments = shop.store.all("select marketplace, payment from orders order by id")
    assert [tuple(p.values()) for p in payments] == [
        ("etsy", "paid"),
        ("etsy", "paid"),
        ("shopify", "none"),
        ("woocommerce", "none"),
        ("kofi", "paid"),
    ]
    # a sale is agreed on the marketplace: booked, and the history says why
    moves = shop.store.all(
        "select o.status, e.from_status, e.to_status, e.note from orders o"
        " join order_events e on e.order_id = o.id and e.kind = 'status' order by o.id"
    )
    assert [tuple(m.values()) for m in moves][:2] == [
        ("booked", "new", "booked", "a sale on Etsy"),
        ("booked", "new", "booked", "a sale on Etsy"),
    ]
    assert {m["status"] for m in moves} == {"booked"} and len(moves) == 5
    # the buyers are known by their address where the marketplace gave it (Etsy's HTML mail's
    # "Send them an email" link), and by their Etsy name
    handles = shop.store.all("select kind, value from handles order by id")
    assert [tuple(h.values()) for h in handles] == [
        ("etsy", "hannahschmidt84"),
        ("email", "sam.okafor@mail.example"),
        ("etsy", "samokafor"),
        ("email", "emma.walsh@fastmail.example"),
        ("email", "olivia.bennett@outlook.example"),
        ("email", "tom@flatwhite-hackney.example"),
    ]


def test_a_sale_paid_on_its_marketplace_asks_for_no_deposit(
    home: Path, run: Callable[..., Result], open_shop
) -> None:
    assert run("--home", str(home), "status").exit_code == 0  # the stage tasks are made
    shop = open_shop(home)
    rows = shop.store.all(
        "select o.marketplace, t.done_at is not null as done from tasks t"
        " join orders o on o.id = t.order_id where t.title = 'Confirm the deposit'"
    )
    done = {row["marketplace"]: bool(row["done"]) for row in rows}
    # Etsy and Ko-fi took the payment; a shop's own order may wait for a bank transfer
    assert done == {"etsy": True, "kofi": True, "shopify": False, "woocommerce": False}


def test_no_marketplace_becomes_a_customer(home: Path, open_shop) -> None:
    shop = open_shop(home)
    names = [r["name"] for r in shop.store.all("select name from contacts")]
    assert not {"Etsy", "Etsy Conversations", "Bottega Giulia", "Ko-fi"} & set(names)
    statement = shop.store.one(
        "select order_id, auto, waiting from messages where subject like 'Your Etsy statement%'"
    )
    assert statement == {"order_id": None, "auto": "bulk", "waiting": 0}


def test_the_buyers_message_on_etsy_joins_their_order_and_waits(home: Path, open_shop) -> None:
    shop = open_shop(home)
    message = shop.store.one(
        "select o.ref, m.contact_id = o.contact_id as theirs, m.waiting, m.auto,"
        " m.thread_id = (select thread_id from messages where subject like 'You made%'"
        " and order_id = o.id) as same_thread"
        " from messages m join orders o on o.id = m.order_id where m.subject like 'Etsy Conv%'"
    )
    assert message == {"ref": "B-0001", "theirs": 1, "waiting": 1, "auto": None, "same_thread": 1}
    sale = shop.store.one("select waiting from messages where subject like '%#3187654321]'")
    assert sale == {"waiting": 0}  # a sale asks for her work, not for an answer


def test_collected_again_nothing_is_doubled(
    home: Path, open_shop, run: Callable[..., Result], tmp_path: Path
) -> None:
    """The same mails again, and Etsy's notice of the first sale sent again under a new
    Message-ID: still one order per sale."""
    again = (DATA / "etsy/sale-en.eml").read_bytes().replace(b"<sale-en.", b"<sale-en-again.")
    assert again != (DATA / "etsy/sale-en.eml").read_bytes()
    deliver(tmp_path / "mail", "1700000200", again)
    first = run("--home", str(home), "collect")
    second = run("--home", str(home), "collect")
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    shop = open_shop(home)
    assert len(orders(shop)) == 5
    assert shop.store.scalar("select count(*) from messages") == len(MAILBOX) + 2
    resent = shop.store.all(
        "select o.ref from messages m join orders o on o.id = m.order_id"
        " where m.subject like '%Order #3187654321]'"
    )
    assert [r["ref"] for r in resent] == ["B-0001", "B-0001"]
    assert shop.store.scalar("select count(*) from contacts") == 5


def sales(shop_home: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(f"file:{shop_home / 'banco.db'}?mode=ro", uri=True) as db:
        rows = db.execute(
            "select o.marketplace_order, c.name, count(m.id) from orders o"
            " join contacts c on c.id = o.contact_id left join messages m on m.order_id = o.id"
            " where o.marketplace is not null group by o.id order by o.marketplace_order"
        ).fetchall()
    return [tuple(r) for r in rows]


def test_a_collect_killed_at_any_moment_files_each_sale_once(tmp_path: Path) -> None:
    """`banco collect` killed (SIGKILL) again and again over a mailbox of sales among other
    mail, then run to the end: the same orders, each with its one notice, as a clean collect."""
    source = MaildirSource(tmp_path / "mail", 400)
    sale = (DATA / "etsy/sale-en.eml").read_bytes()
    for n in range(40):
        number = str(3_100_000_000 + n).encode()
        one = sale.replace(b"3187654321", number).replace(b"hannahschmidt84", b"buyer%d" % n)
        deliver(source.root, f"{1_800_000_000 + n}", one.replace(b"<sale-en.", b"<s%d." % n))
    homes = []
    for name in ("clean", "crashed"):
        home = tmp_path / name
        home.mkdir()
        (home / "banco.toml").write_text(
            '[shop]\naddresses = ["giulia@shop.example"]\n'
            f'[[accounts]]\nname = "mail"\nkind = "maildir"\npath = "{source.root}"\n'
        )
        homes.append(home)
    clean, crashed = homes
    subprocess.run([*BANCO, "--home", str(clean), "collect"], check=True, capture_output=True)
    for at_least in (0, 1, 90, 200, 330):
        collect_until_killed(crashed, at_least)
    done = subprocess.run([*BANCO, "--home", str(crashed), "collect"], capture_output=True)
    assert done.returncode == 0, done.stderr
    expected = sales(clean)
    assert len(expected) == 40 and {count for _, _, count in expected} == {1}
    assert sales(crashed) == expected
