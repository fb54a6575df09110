"""Who becomes an order: triage of a first message (collect/triage.py), the maker's remembered
answer about a sender or a domain (orders/senders.py), and auto-replies known by their subject."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from banco.connectors import Handle, OrderFields, Page, Person, Record
from banco.connectors.email.autoreply import is_auto_reply_subject
from banco.inbox.collect.ingest import Ingest
from banco.inbox.collect.triage import inquiry_sentence, sentence_by_sentence, triage
from banco.inbox.orders.senders import SenderError, change, decide
from banco.inbox.store.database import Store
from banco.inbox.store.senders import DOMAIN, Answer, all_answers

T0 = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def ingest(store: Store) -> Ingest:
    return Ingest(store, "mail", T0 + timedelta(days=1), owner={Handle("email", "me@shop.example")})


def mail(n: int, sender: str, text: str, subject: str = "Hello", **kw: object) -> Record:
    return Record(
        external_id=f"m{n}",
        channel="email",
        sent_at=T0 + timedelta(hours=n),
        sender=Person(sender.split("@")[0].title(), [Handle("email", sender)]),
        subject=subject,
        text=text,
        message_key=f"m{n}@example.com",
        **kw,  # type: ignore[arg-type]
    )


def save(ingest: Ingest, *records: Record) -> None:
    ingest.save_page(Page("INBOX", 1, list(records)))


def orders(store: Store) -> list[dict]:
    return store.all("select * from orders order by id")


def waiting(store: Store) -> list[int]:
    return [r["id"] for r in store.all("select id from messages where waiting = 1 order by id")]


INQUIRIES = [
    ("en", "Hi! How much would 12 mugs with our logo cost?"),
    ("en", "I'd like to order a personalised plate for my mum."),
    ("en", "We need 40 pieces for our wedding in June."),
    ("it", "Buongiorno, quanto costano le tazze personalizzate?"),
    ("it", "Vorrei ordinare delle bomboniere su misura."),
    ("it", "Ci servirebbero 60 pezzi entro il 12 maggio per il matrimonio."),
    ("fr", "Bonjour, combien coûterait un bol ?"),
    ("fr", "Je voudrais commander une tasse PERSONNALISÉE."),
    ("fr", "Il nous faudrait 30 pièces avant le 3 juin."),
]
NOT_INQUIRIES = [
    ("en", "Dinner Saturday? Bring the kids!"),
    ("en", "Your statement for November is ready to view online."),
    ("it", "Ciao! Ci vediamo sabato per la cena?"),
    ("it", "La spedizione della vostra argilla è partita oggi."),
    ("fr", "Votre relevé de compte est disponible."),
    ("fr", "On se voit au mariage de Paul ?"),
]


@pytest.mark.parametrize(("lang", "text"), INQUIRIES)
def test_an_inquiry_is_recognised_in_each_language(lang: str, text: str) -> None:
    found = inquiry_sentence(text)
    assert found is not None and found in text


@pytest.mark.parametrize(("lang", "text"), NOT_INQUIRIES)
def test_a_friends_or_a_suppliers_words_are_no_inquiry(lang: str, text: str) -> None:
    assert inquiry_sentence(text) is None


@given(st.text())
def test_the_inquiry_recogniser_reads_any_text(text: str) -> None:
    found = inquiry_sentence(text)
    assert found is None or found in text


@given(st.text(), st.text())
def test_triage_decides_for_any_message(subject: str, text: str) -> None:
    record = Record(external_id="x", channel="email", subject=subject, text=text)
    verdict = triage(record, None, known_customer=False)
    assert verdict.rule in ("inquiry", "conversation")
    assert verdict.opens_order == (verdict.rule == "inquiry")


def test_the_inquiry_opens_an_order_and_the_sentence_is_named(store: Store, ingest: Ingest) -> None:
    save(ingest, mail(1, "ann@example.com", "Hello!\nHow much for 12 mugs?\nThanks, Ann"))
    [order] = orders(store)
    assert order["contact_id"] is not None
    record = mail(1, "ann@example.com", "Hello!\nHow much for 12 mugs?")
    assert triage(record, None, False).sentence == "How much for 12 mugs?"


@pytest.mark.parametrize(
    ("sender", "subject", "text"),
    [
        ("orders@clay-supplier.example", "Shipment 4471", "Your clay has shipped today."),
        ("sister@family.example", "Saturday", "Dinner Saturday?"),
        ("alerts@bank.example", "Statement", "Your November statement is ready."),
        ("news@potters.example", "Newsletter", "This month in pottery."),
    ],
)
def test_a_supplier_friend_bank_or_newsletter_opens_no_order(
    store: Store, ingest: Ingest, sender: str, subject: str, text: str
) -> None:
    save(ingest, mail(1, sender, text, subject))
    assert orders(store) == []
    [message] = store.all("select * from messages")
    # a conversation of a contact, waiting for her: she answers it or gives her one key
    assert (message["contact_id"], message["thread_id"], message["waiting"]) != (None, None, 0)
    assert message["waiting"] == 1


def test_a_form_answer_always_opens_an_order(store: Store, ingest: Ingest) -> None:
    save(ingest, mail(1, "ann@example.com", "hi", order=OrderFields(title="Form")))
    assert len(orders(store)) == 1


def test_a_known_customer_writing_anew_opens_an_order(store: Store, ingest: Ingest) -> None:
    save(ingest, mail(1, "ann@example.com", "How much is a bowl?"))
    store.db.execute("update orders set status = 'completed'")
    save(ingest, mail(2, "ann@example.com", "Hi again", "Another thing"))
    assert len(orders(store)) == 2


def _contact(store: Store, address: str) -> int:
    return int(store.scalar("select contact_id from handles where value = ?", [address]))


def test_order_opens_the_conversation_as_an_order_and_is_remembered(
    store: Store, ingest: Ingest
) -> None:
    save(ingest, mail(1, "bob@studio.example", "Hello, it's Bob", "Hello"))
    save(
        ingest,
        mail(2, "bob@studio.example", "and again", "Re: Hello", reply_keys=("m1@example.com",)),
    )
    thread = store.scalar("select thread_id from messages where id = 1")
    decided = decide(
        store, T0, "B", _contact(store, "bob@studio.example"), Answer.ORDER, thread_id=thread
    )
    assert decided.opened == ["B-0001"]
    assert {r["order_id"] for r in store.all("select order_id from messages")} == {1}
    assert store.scalar("select order_id from threads where id = ?", [thread]) == 1
    [answer] = all_answers(store)
    assert (answer.value, answer.answer) == ("bob@studio.example", Answer.ORDER)


def test_never_a_customer_stops_waiting_and_files_later_mail_the_same_way(
    store: Store, ingest: Ingest
) -> None:
    save(ingest, mail(1, "orders@clay-supplier.example", "Shipped.", "Shipment"))
    decide(
        store, T0, "B", _contact(store, "orders@clay-supplier.example"), Answer.NEVER, domain=True
    )
    assert waiting(store) == []
    # anyone at the domain, later, even asking a price: no order, not waiting
    save(ingest, mail(2, "billing@clay-supplier.example", "The price list for 2027 is attached."))
    assert orders(store) == []
    assert waiting(store) == []
    [answer] = all_answers(store)
    assert (answer.kind, answer.value, answer.answer) == (
        DOMAIN,
        "clay-supplier.example",
        Answer.NEVER,
    )


def test_not_an_order_keeps_a_conversation_waiting(store: Store, ingest: Ingest) -> None:
    save(ingest, mail(1, "sister@family.example", "Dinner Saturday?"))
    decide(store, T0, "B", _contact(store, "sister@family.example"), Answer.NOT_ORDER)
    assert orders(store) == [] and waiting(store) == [1]
    save(ingest, mail(2, "sister@family.example", "Also: how much is that vase, for a friend?"))
    assert orders(store) == [] and waiting(store) == [1, 2]


def test_an_answer_changed_later_is_applied_to_open_conversations(
    store: Store, ingest: Ingest
) -> None:
    save(ingest, mail(1, "lia@atelier.example", "Ciao!"))
    decide(store, T0, "B", _contact(store, "lia@atelier.example"), Answer.NOT_ORDER)
    decided = change(store, T0, "B", "email", "lia@atelier.example", Answer.ORDER)
    assert decided.opened == ["B-0001"]
    [answer] = all_answers(store)
    assert answer.answer is Answer.ORDER


@pytest.mark.parametrize("address", ["someone@gmail.com", "chiara@libero.example"])
def test_a_shared_domain_is_never_answered_whole(
    store: Store, ingest: Ingest, address: str
) -> None:
    """Nor is the demo's and the tests' stand-in for one (libero.example for libero.it)."""
    save(ingest, mail(1, address, "Hi"))
    with pytest.raises(SenderError):
        decide(store, T0, "B", _contact(store, address), Answer.NEVER, domain=True)
    assert all_answers(store) == []


@pytest.mark.parametrize(
    "subject",
    [
        "Risposta automatica: bomboniere",
        "Réponse automatique : votre devis",
        "Out of Office: mugs",
        "Abwesenheitsnotiz: Ihre Nachricht",
        "Automatic reply: Hello",
        "Fuori sede",
        "Absence",
        "[Out of office] back Monday",
    ],
)
def test_an_auto_reply_is_known_by_its_subject(subject: str) -> None:
    assert is_auto_reply_subject(subject)


@pytest.mark.parametrize(
    "subject", ["Absence de nouvelles", "Re: mugs", "Assente da lunedì?", "Office mugs"]
)
def test_a_persons_subject_is_no_auto_reply(subject: str) -> None:
    assert not is_auto_reply_subject(subject)


@given(st.text())
def test_the_auto_reply_subject_rule_reads_any_subject(subject: str) -> None:
    is_auto_reply_subject(subject)


def test_an_auto_reply_without_headers_opens_nothing_and_does_not_wait(tmp_path) -> None:
    from banco.connectors.email.parse import parse_message

    raw = (
        b"From: Ann <ann@example.com>\r\nTo: me@shop.example\r\n"
        b"Subject: Risposta automatica: preventivo\r\nMessage-ID: <a1@example.com>\r\n"
        b"Date: Sun, 01 Nov 2026 10:00:00 +0000\r\n\r\nSono fuori sede fino a luned\xc3\xac.\r\n"
    )
    record = parse_message(raw, "1")
    assert record.auto == "auto_reply"


def test_the_first_backfill_triages_the_same_way(store: Store) -> None:
    from banco.inbox.collect.backfill import settle

    now = T0 + timedelta(days=30)
    history = Ingest(store, "mail", now, owner={Handle("email", "me@shop.example")}, backfill=True)
    old = mail(1, "sister@family.example", "Dinner Saturday?")  # 30 days ago
    recent = replace(mail(2, "friend@family.example", "Coffee?"), sent_at=now - timedelta(days=2))
    inquiry = mail(3, "ann@example.com", "How much is a bowl?")
    save(history, old, recent, inquiry)
    assert [o["contact_id"] for o in orders(store)] == [3]  # only the inquiry is an order
    settle(store, "mail", now)
    # the conversation nobody answered for a month was settled outside Banco; the recent one waits
    assert waiting(store) == [2]


#: pieces of inquiries and of other mail, to build messages from
PIECES = [
    "Quanto costa un vaso?",
    "how much would it cost",
    "vorrei 12 tazze",
    "per il 20 dicembre.",
    "Merci pour votre message.",
    "Je voudrais un devis",
    "Ciao Giulia!",
    "ci vediamo sabato",
    "2 mugs",
    "next Friday",
    "40 pieces",
    "for our wedding",
    "60 pezzi",
    "entro il 12 maggio",
    "pour le mariage",
    "Prezzò?",
    "unsubscribe here",
    "\n\n",
    ". ",
    "? ",
]


@given(st.lists(st.sampled_from(PIECES) | st.text(max_size=12), max_size=12).map(" ".join))
def test_a_look_at_the_whole_text_first_never_changes_the_answer(text: str) -> None:
    """Most mail holds none of the inquiry words: the whole text is looked at once before its
    sentences are (a first collect of long mail spent a third of its time here)."""
    assert inquiry_sentence(text) == sentence_by_sentence(text)
