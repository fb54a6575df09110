"""Issue 20's "Done when", end to end: a real mailbox in Dovecot holding, in English, Italian and
French, marketplace sales (Etsy, Shopify, WooCommerce) and an Etsy buyer's message, a supplier's
invoice, the maker's bank, a friend's dinner invitation, two newsletters, an out-of-office reply
known by its subject only, real inquiries (a price, a custom piece, a quantity with a date), a
customer writing again from a second address and a bounce of a quote sent to a mistyped
address. A real `banco collect` process reads it (its clock injected); everything is asserted
through the commands' real output and the reply session's own functions:

- every sale is an order for its buyer with its items, quantities, total, ship-by and link;
- no supplier, bank, friend, newsletter or out-of-office reply is an order; the inquiries are;
- no suggested reply of the session, for any template the maker could pick, claims a fact the
  store does not hold;
- the customer's two addresses are suggested for a merge, merged, then split again;
- the bounce is on the quote's order, its address failing;
- the maker's one-key triage answers (an order / not an order / never anyone at a domain) are
  remembered, and a second collect honours them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from claims import untrue
from click.testing import Result
from fixtures_imap import Mailbox

from banco.inbox.clock import FixedClock
from banco.inbox.replies.outbox import route
from banco.inbox.replies.session import SessionItem, prepare_session, suggestion_for
from banco.inbox.replies.templates import PURPOSES
from banco.inbox.replies.terminal import merge_lines
from banco.inbox.replies.triage import answer_sender, triage_choices
from banco.inbox.shop import Shop
from banco.inbox.store.senders import Answer

OWNER = "giulia@bottegagiulia.example"
#: the morning Giulia collects: after every mail below
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
DATA = Path(__file__).parent.parent / "data" / "marketplace"
#: the golden notifications of tests/data/marketplace (their sources: its SOURCES.md)
SALES = [
    "etsy/sale-en.eml",
    "etsy/sale-it.eml",
    "etsy/message-en.eml",
    "shopify/new-order-fr.eml",
    "woocommerce/admin-new-order-it.eml",
]
#: `banco collect` as a real process, on the test's clock
BANCO_AT = [
    sys.executable,
    "-c",
    "import sys\n"
    "from banco.inbox.clock import FixedClock, parse_iso\n"
    "from banco.inbox.cli.main import cli\n"
    "cli(sys.argv[2:], obj={'clock': FixedClock(parse_iso(sys.argv[1]))})",
]
SHOP = f"""
[shop]
name = "Bottega Giulia"
owner = "Giulia"
addresses = ["{OWNER}"]
timezone = "Europe/Rome"
languages = ["it", "en", "fr"]
"""


def mail(
    key: str,
    sender: str,
    subject: str,
    text: str,
    hours_ago: float,
    *,
    to: str = OWNER,
    headers: dict[str, str] | None = None,
    replies_to: str = "",
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(NOW - timedelta(hours=hours_ago))
    msg["Message-ID"] = f"<{key}@acceptance.example>"
    if replies_to:
        msg["In-Reply-To"] = f"<{replies_to}@acceptance.example>"
        msg["References"] = f"<{replies_to}@acceptance.example>"
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(text)
    return msg.as_bytes()


NEWSLETTER = {"List-Unsubscribe": "<https://news.example/unsubscribe?u=1>", "Precedence": "bulk"}

#: Élodie's inquiry, and Giulia's quote to the address she mistyped answering it
ELODIE = mail(
    "elodie-1",
    "Élodie Martin <elodie.martin@orange.example>",
    "Un vase pour un mariage",
    "Bonjour, pourriez-vous faire un vase personnalisé avec les prénoms des mariés ? Merci, Élodie",
    50,
)
QUOTE = mail(
    "quote-elodie",
    f"Giulia <{OWNER}>",
    "Re: Un vase pour un mariage",
    "Bonjour Élodie, le vase avec les prénoms coûte 120 €. Bonne journée, Giulia",
    40,
    to="elodie.martin@orange.exmaple",
    replies_to="elodie-1",
)

INBOX = [
    # a supplier's invoice (Italian), with a quantity and a due date
    mail(
        "fornaci-invoice",
        "Fornaci Toscane <fatture@fornacitoscane.example>",
        "Fattura n. 118/2026",
        "Gentile cliente, in allegato la fattura n. 118/2026 per 25 kg di argilla rossa,"
        " totale 180,00 €. Scadenza del pagamento: entro il 15 dicembre.\nFornaci Toscane srl",
        70,
    ),
    # the maker's bank (French), no list headers
    mail(
        "bank",
        "Banque Populaire <conseiller@banquepopulaire.example>",
        "Votre rendez-vous du 9 décembre",
        "Bonjour Madame, je vous confirme notre rendez-vous du 9 décembre à 10h pour"
        " faire le point sur votre compte professionnel. Bien cordialement, Paul Girard",
        65,
    ),
    # a friend's dinner invitation (Italian): a date, nothing asked of the shop
    mail(
        "sara-dinner",
        "Sara Conti <sara.conti@gmail.com>",
        "Cena venerdì?",
        "Ciao Giulia! Venerdì 4 dicembre facciamo una cena da noi, vieni? Porta anche Marco."
        " Un abbraccio, Sara",
        60,
    ),
    # two newsletters
    mail(
        "newsletter-en",
        "Ceramic Review <news@ceramicreview.example>",
        "This month: glazes, kilns and how much to charge for custom pieces",
        "Our December issue: 12 glaze recipes, and how much should you charge for custom work?",
        55,
        headers=NEWSLETTER,
    ),
    mail(
        "newsletter-fr",
        "La Boutique des Potiers <newsletter@potiers.example>",
        "Nos tarifs de Noël : -20 % sur les émaux",
        "Découvrez nos prix de Noël sur 50 émaux. Pour vous désinscrire, cliquez ici.",
        54,
        headers=NEWSLETTER,
    ),
    # a customer's out-of-office answer to Giulia, known by its subject alone (no header)
    mail(
        "out-of-office",
        "Paolo Greco <paolo.greco@studiogreco.example>",
        "Risposta automatica: Il tuo preventivo",
        "Sono fuori ufficio fino al 7 dicembre, con accesso limitato alla posta.",
        30,
    ),
    # the inquiries: a price (English), a custom piece (French), a quantity with a date (Italian)
    mail(
        "lucy-1",
        "Lucy Carter <lucy.carter@gmail.com>",
        "Pasta bowls",
        "Hello! How much would a set of four pasta bowls in your speckled glaze cost?",
        48,
    ),
    ELODIE,
    mail(
        "chiara-1",
        "Chiara Rossi <chiara.rossi@libero.example>",
        "Tazze per l'ufficio",
        "Buongiorno, avrei bisogno di 30 tazze con il logo dello studio, entro il 20 gennaio."
        " Grazie, Chiara",
        45,
    ),
    # a man who will be a customer, though his first mail asks for nothing
    mail(
        "marco-1",
        "Marco Ferri <marco.ferri@fastwebnet.example>",
        "La lampada del mercatino",
        "Ciao Giulia, ti ricordi la lampada blu che avevamo visto al mercatino di domenica?"
        " Mia moglie non smette di parlarne.",
        36,
    ),
    # Lucy again, from her work address
    mail(
        "lucy-2",
        "Lucy Carter <l.carter@harbourdesign.example>",
        "Pasta bowls, again",
        "Hi Giulia, Lucy again, from my work address this time. Did my question about the"
        " pasta bowls reach you?",
        20,
    ),
]


def bounce_of(returned: bytes, recipient: str, hours_ago: float) -> bytes:
    """Postfix's delivery status notification (RFC 3464) for ``returned``."""
    head = returned.split(b"\n\n", 1)[0].decode()
    date = format_datetime(NOW - timedelta(hours=hours_ago))
    return f"""\
Return-Path: <>
From: Mail Delivery System <MAILER-DAEMON@mx.bottegagiulia.example>
To: {OWNER}
Subject: Undelivered Mail Returned to Sender
Date: {date}
Message-ID: <bounce-1@mx.bottegagiulia.example>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="=_b1"

--=_b1
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.bottegagiulia.example.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<{recipient}>: Host or domain name not found.

--=_b1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.bottegagiulia.example

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822;{recipient}
Action: failed
Status: 5.4.4

--=_b1
Content-Type: text/rfc822-headers

{head}

--=_b1--
""".replace("\n", "\r\n").encode()


def collect(home: Path) -> None:
    done = subprocess.run(
        [*BANCO_AT, NOW.isoformat(), "--home", str(home), "collect"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def as_json(run: Callable[..., Result], home: Path, *args: str) -> Any:
    result = run("--home", str(home), *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture
def home(mailbox: Mailbox, tmp_path: Path, clock: FixedClock) -> Path:
    clock.at = NOW
    mailbox.append("INBOX", [(DATA / name).read_bytes() for name in SALES])
    mailbox.append("INBOX", INBOX)
    mailbox.append("Sent", [QUOTE], flags=(b"\\Seen",))
    mailbox.append("INBOX", [bounce_of(QUOTE, "elodie.martin@orange.exmaple", 39)])
    folder = tmp_path / "shop"
    folder.mkdir()
    account = mailbox.account(sent_folder="Sent", backfill_days="all")
    (folder / "banco.toml").write_text(
        SHOP + f'\n[[accounts]]\nname = "mail"\n{account}', encoding="utf-8"
    )
    collect(folder)
    return folder


def orders_by_customer(run: Callable[..., Result], home: Path) -> dict[str, list[dict[str, Any]]]:
    """Every order (open, closed, past), by its customer's name."""
    found: dict[str, list[dict[str, Any]]] = {}
    for order in as_json(run, home, "orders", "--all"):
        found.setdefault(order["contact"], []).append(order)
    return found


def customer_named(run: Callable[..., Result], home: Path, handle: str) -> dict[str, Any]:
    """The customer (``banco customers --json``) one of whose handles is ``handle``."""
    [found] = [c for c in as_json(run, home, "customers", "--all") if handle in c["handles"]]
    return dict(found)


@contextmanager
def opened(home: Path) -> Iterator[Shop]:
    """The shop, as the reply session opens it, on the test's clock."""
    shop = Shop.open(home, clock=FixedClock(NOW))
    try:
        yield shop
    finally:
        shop.close()


def session_items(shop: Shop) -> dict[str, SessionItem]:
    """The reply session's items, by their customer's name."""
    return {(i.contact or {}).get("name") or "?": i for i in prepare_session(shop)}


# The sales -----------------------------------------------------------------------------------------
#: each sale: its buyer, marketplace, number, quantity, total, currency, ship-by, link, an item
SOLD = {
    "Hannah Schmidt": (
        "etsy",
        "3187654321",
        2,
        64.0,
        "USD",
        "2026-12-04",
        "https://www.etsy.com/your/orders/sold?order_id=3187654321",
        "Lemon mug, 350 ml",
    ),
    "Marta Bianchi": (
        "etsy",
        "3187654400",
        2,
        64.0,
        "EUR",
        "2026-12-04",
        "https://www.etsy.com/your/orders/sold/3187654400",
        "Tazza «Limoni», 350 ml",
    ),
    "Julien Moreau": (
        "shopify",
        "1044",
        8,
        191.0,
        "EUR",
        None,  # Shopify's staff mail names no ship-by day
        "https://bottega-giulia.myshopify.com/admin/orders/5551234003",
        "Assiette plate, terre cuite",
    ),
    "Anna Colombo": (
        "woocommerce",
        "1235",
        1,
        94.0,
        "EUR",
        None,  # nor does WooCommerce's
        "https://bottegagiulia.example/wp-admin/post.php?post=1235&action=edit",
        "Piatto dipinto a mano",
    ),
}


def test_every_sale_is_an_order_for_its_buyer(home: Path, run: Callable[..., Result]) -> None:
    orders = orders_by_customer(run, home)
    assert not {"Etsy", "Etsy Conversations", "Bottega Giulia"} & set(orders)
    for buyer, (market, number, many, total, currency, ship_by, url, item) in SOLD.items():
        [order] = orders[buyer]  # two Etsy sales: two orders, each its buyer's
        shown = as_json(run, home, "orders", "show", order["ref"])
        assert (
            shown["marketplace"],
            shown["marketplace_order"],
            shown["quantity"],
            shown["price"],
            shown["currency"],
            shown["deadline"],
            shown["marketplace_url"],
        ) == (market, number, many, total, currency, ship_by, url), buyer
        assert item in shown["details"], buyer
        text = run("--home", str(home), "orders", "show", order["ref"]).output
        assert url in text and item in text, text
    hannah = as_json(run, home, "orders", "show", orders["Hannah Schmidt"][0]["ref"])
    assert "Names: Anna & Luca" in hannah["details"]  # the personalisation she asked for
    # the buyer's message on Etsy joined her order, and waits for Giulia
    assert [m["subject"].split(":")[0] for m in hannah["conversation"]] == [
        ["You made a sale on Etsy - Ship by Dec 4 - [$64.00, Order #3187654321]"][0],
        "Etsy Conversations",
    ]


# Who is not a customer -----------------------------------------------------------------------------
NOT_ORDERS = [
    "Fornaci Toscane",  # a supplier's invoice
    "Banque Populaire",  # the bank
    "Sara Conti",  # a friend's dinner
    "Ceramic Review",  # newsletters
    "La Boutique des Potiers",
    "Paolo Greco",  # an out-of-office reply, known by its subject
    "Marco Ferri",  # asks for nothing yet: a conversation until Giulia says
]
INQUIRIES = ["Lucy Carter", "Élodie Martin", "Chiara Rossi"]


def test_no_supplier_bank_friend_or_newsletter_is_an_order_and_the_inquiries_are(
    home: Path, run: Callable[..., Result]
) -> None:
    orders = orders_by_customer(run, home)
    assert [name for name in NOT_ORDERS if name in orders] == []
    for name in INQUIRIES:
        assert len(orders[name]) == 1 and orders[name][0]["status"] == "new", name
    assert len(orders) == len(SOLD) + len(INQUIRIES)
    # the automatic mail waits for nobody; the conversations wait for her one key
    waiting = {m["subject"] for m in as_json(run, home, "messages", "--waiting")}
    for subject in (
        "This month: glazes, kilns and how much to charge for custom pieces",
        "Nos tarifs de Noël : -20 % sur les émaux",
        "Risposta automatica: Il tuo preventivo",
        "Undelivered Mail Returned to Sender",
    ):
        assert subject not in waiting
    with opened(home) as shop:
        items = session_items(shop)
        for name in ("Fornaci Toscane", "Banque Populaire", "Sara Conti", "Marco Ferri"):
            assert items[name].order is None
            asked = [c.key for c in triage_choices(shop, items[name])]
            assert asked[:3] == ["1", "2", "3"], name


# What the suggested replies say --------------------------------------------------------------------
def test_no_suggested_reply_claims_a_fact_the_store_does_not_hold(home: Path) -> None:
    with opened(home) as shop:
        items = prepare_session(shop)
        answered = {"Lucy Carter", "Chiara Rossi", "Hannah Schmidt"}  # Élodie had her quote
        assert {(i.contact or {}).get("name") for i in items if i.order} >= answered
        today = NOW.date()
        for item in items:
            order = item.order or {"ref": "\0", "title": None}  # no order: no fact at all
            said = item.suggestion
            assert untrue(said.text, order, said.language, said.purpose, today) == [], item.key
            if item.order is None:
                continue
            for purpose in PURPOSES:  # every template she could pick instead
                picked = suggestion_for(shop, purpose, said.language, item.order, item.contact)
                claims = untrue(picked.text, item.order, said.language, picked.purpose, today)
                assert claims == [], (item.key, purpose, picked.text)


def suggested_again(run: Callable[..., Result], home: Path) -> list[dict[str, Any]]:
    return list(as_json(run, home, "customers", "suggestions"))


# One customer, two addresses -------------------------------------------------------------------------
def test_two_addresses_of_one_customer_are_suggested_merged_and_split(
    home: Path, run: Callable[..., Result]
) -> None:
    first = customer_named(run, home, "lucy.carter@gmail.com")
    second = customer_named(run, home, "l.carter@harbourdesign.example")
    assert first["id"] != second["id"]
    suggested = as_json(run, home, "customers", "suggestions")
    pair = {first["id"], second["id"]}
    [lucy] = [
        s for s in suggested if s["kind"] == "customers" and {s["first"], s["second"]} == pair
    ]
    assert lucy["labels"] == ["Lucy Carter", "Lucy Carter"]
    command = f"`banco customers merge {lucy['first']} {lucy['second']}`"
    assert command in run("--home", str(home), "customers", "suggestions").output
    with opened(home) as shop:  # her reply session says it under Lucy's name, with the command
        [asked] = [i for i in prepare_session(shop) if (i.contact or {}).get("id") == first["id"]]
        assert any(command in line for line in merge_lines(shop, asked))
    merged = run("--home", str(home), "customers", "merge", str(first["id"]), str(second["id"]))
    assert merged.exit_code == 0, merged.output
    one = as_json(run, home, "customers", "show", str(first["id"]))
    assert {h["value"] for h in one["handles"]} == {
        "lucy.carter@gmail.com",
        "l.carter@harbourdesign.example",
    }
    assert [s for s in suggested_again(run, home) if s == lucy] == []
    split = run(
        "--home",
        str(home),
        "customers",
        "split",
        str(first["id"]),
        "l.carter@harbourdesign.example",
    )
    assert split.exit_code == 0, split.output
    again = as_json(run, home, "customers", "show", str(first["id"]))
    assert [h["value"] for h in again["handles"]] == ["lucy.carter@gmail.com"]
    assert [o["ref"] for o in again["orders"]] == [o["ref"] for o in one["orders"]]
    back = customer_named(run, home, "l.carter@harbourdesign.example")
    assert back["id"] != first["id"]
    # split by her, they are two people: not suggested as one again
    apart = {first["id"], back["id"]}
    assert not any({s["first"], s["second"]} == apart for s in suggested_again(run, home))


# The bounce ----------------------------------------------------------------------------------------
def test_the_bounce_is_on_the_quotes_order_and_its_address_fails(
    home: Path, run: Callable[..., Result]
) -> None:
    """IMAP reads INBOX before the Sent folder: the bounce is filed before the quote it returned,
    and the quote, filed later, takes it onto its order (collect/bounces.py)."""
    [elodie] = orders_by_customer(run, home)["Élodie Martin"]
    shown = as_json(run, home, "orders", "show", elodie["ref"])
    assert [m["subject"] for m in shown["conversation"]] == [
        "Un vase pour un mariage",
        "Re: Un vase pour un mariage",
        "Undelivered Mail Returned to Sender",
    ]
    bounce = shown["conversation"][-1]
    assert not bounce["waiting"]
    text = run("--home", str(home), "orders", "show", elodie["ref"]).output
    assert "Undelivered Mail Returned to Sender" in text
    with opened(home) as shop:
        failing = shop.store.one(
            "select value, bounce_id, returned_id from failing_addresses where kind = 'email'"
        )
        assert failing == {
            "value": "elodie.martin@orange.exmaple",
            "bounce_id": bounce["id"],
            "returned_id": shown["conversation"][1]["id"],
        }
        # her next reply goes to the address she wrote from, never to the mistyped one
        [asked] = [m for m in shown["conversation"] if m["direction"] == "in"][:1]
        found = route(shop, shop.store.one("select * from messages where id = ?", [asked["id"]]))
        assert found is not None and found[2].value == "elodie.martin@orange.example"
    # her quote never arrived: the customer is not the one to move, she is
    states = {s["ref"]: s for s in as_json(run, home, "status")}
    assert states[elodie["ref"]]["waiting_on"] == "us"


# Her one key, remembered ---------------------------------------------------------------------------
SECOND_COLLECT = [
    mail(
        "fornaci-order",
        "Fornaci Toscane Ordini <ordini@fornacitoscane.example>",
        "Preventivo spedizione argilla",
        "Buongiorno, quanto costa per voi la spedizione di 50 kg? Le mandiamo il preventivo.",
        5,
    ),
    mail(
        "sara-again",
        "Sara Conti <sara.conti@gmail.com>",
        "Re: Cena venerdì?",
        "Allora ci sei venerdì? Quanto vino porto?",
        4,
        replies_to="sara-dinner",
    ),
    mail(
        "marco-2",
        "Marco Ferri <marco.ferri@fastwebnet.example>",
        "La lampada",
        "Riusciresti a farne una simile per il suo compleanno?",
        3,
    ),
    mail(
        "bank-2",
        "Banque Populaire <conseiller@banquepopulaire.example>",
        "Votre nouvelle carte",
        "Bonjour Madame, votre nouvelle carte professionnelle est disponible en agence.",
        2,
    ),
]


def test_her_triage_answers_are_remembered_and_the_next_collect_honours_them(
    home: Path, mailbox: Mailbox, run: Callable[..., Result]
) -> None:
    keys = {
        "Marco Ferri": "1",  # an order
        "Sara Conti": "2",  # not an order
        "Banque Populaire": "3",  # never a customer: this sender
        "Fornaci Toscane": "4",  # never anyone at fornacitoscane.example
    }
    with opened(home) as shop:
        items = session_items(shop)
        for name, key in keys.items():
            [choice] = [c for c in triage_choices(shop, items[name]) if c.key == key]
            answer_sender(shop, items[name], choice)
        # answered, she is not asked again
        still_asked = {n for n, i in session_items(shop).items() if triage_choices(shop, i)}
        assert not still_asked & set(keys)
    answers = {(a["kind"], a["value"]): a["answer"] for a in as_json(run, home, "senders")}
    assert answers == {
        ("email", "marco.ferri@fastwebnet.example"): str(Answer.ORDER),
        ("email", "sara.conti@gmail.com"): str(Answer.NOT_ORDER),
        ("email", "conseiller@banquepopulaire.example"): str(Answer.NEVER),
        ("domain", "fornacitoscane.example"): str(Answer.NEVER),
    }
    [marco] = orders_by_customer(run, home)["Marco Ferri"]
    mailbox.append("INBOX", SECOND_COLLECT)
    collect(home)
    orders = orders_by_customer(run, home)
    assert [o["ref"] for o in orders["Marco Ferri"]] == [marco["ref"]]
    assert marco["messages"] + 1 == orders["Marco Ferri"][0]["messages"]
    assert not {"Fornaci Toscane Ordini", "Fornaci Toscane", "Sara Conti", "Banque Populaire"} & (
        set(orders)
    )
    waiting = {m["subject"] for m in as_json(run, home, "messages", "--waiting")}
    assert "Re: Cena venerdì?" in waiting  # not an order: still hers to answer
    assert "Preventivo spedizione argilla" not in waiting  # never: waits for nobody
    assert "Votre nouvelle carte" not in waiting
