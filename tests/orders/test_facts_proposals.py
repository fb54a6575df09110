"""Facts, not guesses: what a customer writes (in English, Italian or French) is PROPOSED with the
sentence it came from, never applied; the maker confirms or dismisses each. The shop collects
through a test connector (tests/listsource.py) and the real filing code."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import SHOP_HEADER
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from listsource import ListConnector

from banco.connectors import Registry
from banco.inbox.collect.backfill import BACKFILL_RECORDS
from banco.inbox.collect.sync import collect
from banco.inbox.orders.facts import FactError, confirm, dismiss, facts_of, pending, propose
from banco.inbox.orders.proposals import read_facts, sentences
from banco.inbox.shop import Shop
from banco.inbox.store.database import Store
from banco.inbox.store.orders import find_order

ROME = timezone(timedelta(hours=1))
#: a Friday: "next Monday" is 23 November
WRITTEN = datetime(2026, 11, 20, 10, 0, tzinfo=ROME)


@pytest.fixture
def registry(registry: Registry) -> Registry:
    return Registry(kinds={**registry.kinds, "list": ListConnector})  # type: ignore[dict-item]


def found(text: str) -> set[tuple[str, str]]:
    return {(p.fact, p.value) for p in read_facts(text, WRITTEN)}


# Reading ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a quote accepted, with or without its amount
        ("Va bene, procediamo!", {("accepted", "")}),
        ("Il preventivo va benissimo, dimmi tu quando passo.", {("accepted", "")}),
        ("Ok for 420, let's go ahead.", {("accepted", "420.00")}),
        ("The quote looks great, go ahead.", {("accepted", "")}),
        ("C'est parfait, on part là-dessus !", {("accepted", "")}),
        ("D'accord pour 420 €.", {("accepted", "420.00")}),
        ("Accetto il preventivo di 1.250,50 €.", {("accepted", "1250.50")}),
        # a payment announced, and how
        (
            "Ho fatto il bonifico di 120 € stamattina.",
            {("paid", "120.00"), ("method", "transfer")},
        ),
        ("I've sent the deposit via PayPal.", {("paid", ""), ("method", "paypal")}),
        ("J'ai fait le virement hier.", {("paid", ""), ("method", "transfer")}),
        ("I have paid €1,250.50 by card.", {("paid", "1250.50"), ("method", "card")}),
        # dates, against the day the message was written
        ("I need them by December 20th.", {("deadline", "2026-12-20")}),
        ("Ci servono per il 15 gennaio.", {("deadline", "2027-01-15")}),
        ("C'est pour le 1er mars 2027.", {("deadline", "2027-03-01")}),
        ("Could they be ready by 20/12?", {("deadline", "2026-12-20")}),
        ("Passo lunedì prossimo.", {("deadline", "2026-11-23")}),
        ("Je passe vendredi prochain.", {("deadline", "2026-11-27")}),
        # quantities she asks for
        ("Vorrei 60 tazzine e 24 tazze.", {("quantity", "60"), ("quantity", "24")}),
        ("I'd like two mugs.", {("quantity", "2")}),
        ("Je voudrais huit assiettes.", {("quantity", "8")}),
        ("40 pezzi in tutto.", {("quantity", "40")}),
        # addresses
        (
            "Consegna al nuovo locale: Caffè Ferri, via Saragozza 112, 40123 Bologna.",
            {("address", "Caffè Ferri, via Saragozza 112, 40123 Bologna")},
        ),
        (
            "Please send them to 12 Baker Street, London NW1 6XE.",
            {("address", "12 Baker Street, London NW1 6XE")},
        ),
        (
            "Livraison au 5 rue de la Paix, 75002 Paris.",
            {("address", "5 rue de la Paix, 75002 Paris")},
        ),
    ],
)
def test_a_sentence_proposes_its_facts(text: str, expected: set[tuple[str, str]]) -> None:
    assert found(text) == expected
    for proposal in read_facts(text, WRITTEN):
        assert proposal.sentence == text  # each keeps the sentence it came from


@pytest.mark.parametrize(
    "text",
    [
        "Per il pagamento va bene un acconto con bonifico?",  # a question announces nothing
        "Comment puis-je vous régler l'acompte ?",
        "Can I pay by bank transfer?",
        "Non ho ancora fatto il bonifico.",  # a denial neither
        "I haven't paid yet, sorry.",
        "Je n'ai pas encore fait le virement.",
        "I received the parcel on 3 November.",  # a day before the message is no deadline
        "My mum turns 70 years old.",  # a number that is no quantity
        "It is 20 cm wide and costs 35 €.",
        "Thanks a lot!",
    ],
)
def test_questions_denials_and_other_numbers_propose_nothing(text: str) -> None:
    assert found(text) == set()


def test_only_her_own_words_are_read_not_what_she_quotes() -> None:
    text = (
        "Thanks, see you soon.\n\nOn Mon, 16 Nov 2026, Giulia wrote:\n> I've paid the deposit\n"
        "> by December 20th"
    )
    assert found(text) == set()
    assert found("Perfect.\n> Ho fatto il bonifico di 100 €\nCiao") == set()


def test_several_facts_each_keep_their_own_sentence() -> None:
    text = "C'est parfait, on part là-dessus !\nJ'ai fait le virement de 100 € ce matin."
    by_fact = {p.fact: p.sentence for p in read_facts(text, WRITTEN)}
    assert by_fact["accepted"] == "C'est parfait, on part là-dessus !"
    assert by_fact["paid"] == "J'ai fait le virement de 100 € ce matin."


TOKENS = [
    *"0123456789 ,.:;/?!€\n>-'abcdefghijklmnopqrstuvwxyzéèàìò",
    *("dicembre ", "December ", "mars ", "via ", "rue ", "bonifico ", "vorrei ", "ok for "),
    *("ho fatto il bonifico ", "c'est parfait ", "next Friday ", "pezzi ", "EUR "),
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), max_size=120).map("".join))
def test_any_text_never_breaks_the_reading(text: str) -> None:
    flat = " ".join(text.split())
    for proposal in read_facts(text, WRITTEN):
        assert proposal.sentence and proposal.sentence in flat
        if proposal.fact == "deadline":
            assert proposal.value > WRITTEN.date().isoformat()
        if proposal.fact == "quantity":
            assert 0 < int(proposal.value) < 10000
    assert all(sentences(text))


@given(st.text(max_size=400))
@settings(max_examples=200, deadline=None)
def test_any_unicode_never_breaks_the_reading(text: str) -> None:
    read_facts(text, WRITTEN)


# Filing proposes, never applies; the maker decides -----------------------------------------------
INQUIRY = {
    "id": "c1",
    "at": "2026-11-16T10:00:00+00:00",
    "from": "claire@example.com",
    "name": "Claire Dubois",
    "subject": "Assiettes",
    "text": "Bonjour, je voudrais un service de huit assiettes. Quel serait le prix ?",
}
QUOTE = {
    "id": "g1",
    "at": "2026-11-16T17:00:00+00:00",
    "from": "giulia@shop.example",
    "to": "claire@example.com",
    "name": "Giulia",
    "subject": "Re: Assiettes",
    "text": "Bonjour Claire, 420 € le service. Giulia",
}
ACCEPTED = {
    "id": "c2",
    "at": "2026-11-19T20:47:00+00:00",
    "from": "claire@example.com",
    "subject": "Re: Assiettes",
    "text": "C'est parfait, on part là-dessus !\n\nJ'ai fait le virement de 100 € ce matin.\n"
    "Livraison au 5 rue de la Paix, 75002 Paris.",
}


def shop_with(write_shop, open_shop, items: list[dict[str, Any]]) -> tuple[Shop, Path]:
    home = write_shop('[[accounts]]\nname = "mail"\nkind = "list"\npath = "items.json"\n')
    (home / "items.json").write_text(json.dumps(items))
    shop = open_shop(home)
    for result in collect(shop):
        assert result.ok, result.error
    return shop, home


def claire(shop: Shop) -> dict[str, Any]:
    order = shop.store.one(
        "select o.* from orders o join contacts c on c.id = o.contact_id"
        " where c.name = 'Claire Dubois'"
    )
    assert order is not None
    return order


def test_filing_proposes_with_the_sentence_and_changes_nothing(write_shop, open_shop) -> None:
    shop, home = shop_with(write_shop, open_shop, [INQUIRY, QUOTE, ACCEPTED])
    order = claire(shop)
    proposed = {(p.fact, p.value): p.sentence for p in pending(shop, order["id"])}
    assert proposed == {
        ("accepted", ""): "C'est parfait, on part là-dessus !",
        ("paid", "100.00"): "J'ai fait le virement de 100 € ce matin.",
        ("method", "transfer"): "J'ai fait le virement de 100 € ce matin.",
        ("address", "5 rue de la Paix, 75002 Paris"): "Livraison au 5 rue de la Paix, 75002 Paris.",
        ("quantity", "8"): "Bonjour, je voudrais un service de huit assiettes.",
    }
    # never applied by itself
    facts = facts_of(order, "EUR")
    assert order["status"] == "new" and order["payment"] == "none"
    assert facts.deposit is None and facts.shipping_address is None and facts.quantity is None
    # the same message read again (a collect repeated) proposes nothing twice
    message = shop.store.one("select * from messages where external_id = 'c2'")
    sent = datetime.fromisoformat(message["sent_at"])
    assert propose(shop.store, order["id"], message["id"], message["text"], sent, sent) == 0
    assert len(pending(shop, order["id"])) == 5


def test_confirming_sets_the_facts_and_books_an_accepted_quote(write_shop, open_shop) -> None:
    shop, _ = shop_with(write_shop, open_shop, [INQUIRY, QUOTE, ACCEPTED])
    order = claire(shop)
    shop.store.db.execute(
        "update orders set price = 420, status = 'quoted' where id = ?", [order["id"]]
    )
    by_fact = {p.fact: p for p in pending(shop, order["id"])}
    confirm(shop, order["ref"], by_fact["accepted"].id)
    confirm(shop, order["ref"], by_fact["paid"].id)
    confirm(shop, order["ref"], by_fact["address"].id)
    dismiss(shop, order["ref"], by_fact["quantity"].id)
    now = find_order(shop.store, order["ref"])
    facts = facts_of(now, "EUR")
    assert now["status"] == "booked"
    assert facts.quoted_price == 420 and facts.quoted_on == "2026-11-19"
    # the day she wrote it, in the shop's time zone (20:47 UTC is 21:47 in Rome)
    assert facts.deposit == 100 and facts.deposit_received_on == "2026-11-19"
    assert facts.deposit_received and facts.balance == 320
    assert facts.shipping_address == "5 rue de la Paix, 75002 Paris" and facts.quantity is None
    assert [p.fact for p in pending(shop, order["id"])] == ["method"]
    # the history keeps each change, so it can be read and undone
    kinds = shop.store.all("select kind, data from order_events where order_id = ?", [order["id"]])
    assert any(k["kind"] == "fields" and "deposit_received_on" in k["data"] for k in kinds)
    with pytest.raises(FactError):
        confirm(shop, order["ref"], by_fact["paid"].id)  # decided already
    with pytest.raises(FactError):
        dismiss(shop, order["ref"], 999)


def test_two_windows_confirming_one_proposal_apply_it_once(write_shop, open_shop) -> None:
    shop, home = shop_with(write_shop, open_shop, [INQUIRY, QUOTE, ACCEPTED])
    other = open_shop(home)  # a second connection to the same store: the page and the terminal
    order = claire(shop)
    paid = next(p for p in pending(shop, order["id"]) if p.fact == "paid")
    confirm(shop, order["ref"], paid.id)
    with pytest.raises(FactError, match="already confirmed or dismissed"):
        confirm(other, order["ref"], paid.id)
    events = shop.store.scalar(
        "select count(*) from order_events where order_id = ? and kind = 'fields'", [order["id"]]
    )
    assert events == 1


def test_a_closed_order_gets_no_proposals(write_shop, open_shop) -> None:
    shop, home = shop_with(write_shop, open_shop, [INQUIRY, QUOTE])
    order = claire(shop)
    before = pending(shop, order["id"])
    shop.store.db.execute("update orders set status = 'completed' where id = ?", [order["id"]])
    (home / "items.json").write_text(json.dumps([INQUIRY, QUOTE, ACCEPTED]))
    for result in collect(shop):
        assert result.ok, result.error
    assert shop.store.scalar("select order_id from messages where external_id = 'c2'") is not None
    assert pending(shop, order["id"]) == before


# A first large collect is history: only the customers still waiting get their facts read -----
def test_a_first_collect_reads_facts_only_where_customers_still_wait(
    tmp_path: Path, clock, run
) -> None:
    maildir = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)

    def mail(n: int, sender: str, days_ago: int, text: str) -> None:
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = sender, "giulia@shop.example", f"Mugs {n}"
        msg["Date"] = format_datetime(clock.now() - timedelta(days=days_ago))
        msg["Message-ID"] = f"<m{n}@test.example>"
        msg.set_content(text)
        (maildir / "cur" / f"{n}.test:2,S").write_bytes(msg.as_bytes())

    for n in range(BACKFILL_RECORDS):  # old inquiries, settled outside Banco
        mail(n, f"old{n}@example.com", 40 + n % 50, "How much? I'd like 3 mugs. Ok for 90.")
    mail(BACKFILL_RECORDS, "elena@example.com", 1, "How much would it cost? I'd like 12 mugs.")
    home = tmp_path / "shop"
    home.mkdir()
    account = f'\n[[accounts]]\nname = "mail"\nkind = "maildir"\npath = "{maildir}"\n'
    (home / "banco.toml").write_text(SHOP_HEADER + account, encoding="utf-8")
    collected = run("--home", str(home), "collect")
    assert collected.exit_code == 0, collected.output
    store = Store(home)
    try:
        proposed = store.all(
            "select m.sender_handle, p.fact, p.value from fact_proposals p"
            " join messages m on m.id = p.message_id"
        )
    finally:
        store.close()
    assert proposed == [{"sender_handle": "elena@example.com", "fact": "quantity", "value": "12"}]
