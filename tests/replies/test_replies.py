"""Reply templates: Banco's own in three languages, the maker's over them, the customer's language."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from banco.inbox.replies.language import customer_language, guess_language, own_words
from banco.inbox.replies.session import purpose_for, suggest
from banco.inbox.replies.templates import (
    DEFAULTS,
    NEEDS,
    PURPOSES,
    MissingFact,
    ReplyError,
    clean_title,
    first_name,
    format_day,
    format_price,
    render,
    templates_dir,
)
from banco.inbox.shop import Shop
from banco.inbox.store.queries import list_messages

LANGS = ("en", "it", "fr")
FULL = {
    "ref": "B-0042",
    "title": "Re: Six blue mugs [B-0042]",
    "deadline": "2026-12-20",
    "price": 180.0,
    "currency": "EUR",
    "quantity": 6,
    "status": "quoted",
    "payment": "deposit_paid",
}
BARE = {"ref": "B-0043", "title": "New inquiry", "deadline": None, "price": None, "quantity": None}
ANNA = {"id": None, "name": "Anna Rossi"}


@pytest.fixture
def shop(write_shop, open_shop) -> Shop:
    return open_shop(write_shop())


def test_every_purpose_has_a_template_in_every_language() -> None:
    for lang in LANGS:
        for purpose in PURPOSES:
            assert (DEFAULTS / lang / f"{purpose}.txt").is_file(), f"{lang}/{purpose}"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("purpose", PURPOSES)
def test_templates_render_with_everything_and_with_nothing(shop, lang, purpose) -> None:
    full = render(shop, purpose, lang, FULL, ANNA)
    assert "Anna" in full and "Giulia" in full.splitlines()[-2] and "Test shop" in full
    assert "{" not in full and "None" not in full and "\n\n\n" not in full
    if purpose in NEEDS:  # it states a fact: never filled without it
        with pytest.raises(MissingFact):
            render(shop, purpose, lang, BARE, None)
        return
    bare = render(shop, purpose, lang, BARE, None)
    assert "Anna" not in bare and "None" not in bare and "New inquiry" not in bare
    greeting = {"en": "Hello,", "it": "Buongiorno,", "fr": "Bonjour,"}[lang]
    assert bare.startswith(greeting + "\n\n")
    alone = render(shop, purpose, lang, None, None)  # a message with no order at all
    assert "None" not in alone and "()" not in alone and " ," not in alone


def test_a_quote_carries_price_deadline_quantity_and_reference(shop) -> None:
    en = render(shop, "quote", "en", FULL, ANNA)
    assert en.startswith("Hi Anna,\n\nThank you for your patience!")
    assert "B-0042 (Six blue mugs)" in en and "€180" in en and "20 December" in en
    assert "quantity: 6" in en
    it = render(shop, "quote", "it", FULL, ANNA)
    assert it.startswith("Ciao Anna,\n\ngrazie") and "180\u00a0€" in it and "20 dicembre" in it
    fr = render(shop, "quote", "fr", FULL, ANNA)
    assert fr.startswith("Bonjour Anna,\n\nMerci") and "180\u00a0€" in fr and "20 décembre" in fr
    no_price = render(shop, "quote", "en", {**FULL, "price": None}, ANNA)
    assert "€" not in no_price and "will send you the price very soon" in no_price


def test_details_already_known_are_not_asked_again(shop) -> None:
    asked = render(shop, "ask_details", "en", BARE, ANNA)
    assert "how many pieces" in asked and "when you would like" in asked
    known = render(shop, "ask_details", "en", FULL, ANNA)
    assert "how many pieces" not in known and "whether 20 December is a firm date" in known


def test_sign_off_without_an_owner_name_uses_the_shop(write_shop, open_shop) -> None:
    header = '[shop]\nname = "Atelier Lune"\ntimezone = "Europe/Paris"\nlanguages = ["fr"]\n'
    shop = open_shop(write_shop(header=header))
    text = render(shop, "ready", "fr", FULL, ANNA)
    assert text.rstrip().endswith("Belle journée,\nAtelier Lune")


@pytest.mark.parametrize(
    ("name", "first"),
    [
        ("Anna Rossi", "Anna"),
        ("anna rossi", "Anna"),
        ("Rossi, Anna", "Anna"),
        ("Jean-Luc Picard", "Jean-Luc"),
        ("anna@example.com", ""),
        ("giulia_b", ""),
        ("Mrs Smith", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_the_customer_is_greeted_by_first_name_or_politely(name, first) -> None:
    assert first_name(name) == first


def test_dates_prices_and_titles_read_naturally() -> None:
    today = date(2026, 11, 20)
    assert format_day("2026-12-20", "en", today) == "20 December"
    assert format_day("2026-12-20", "it", today) == "20 dicembre"
    assert format_day("2026-12-01", "fr", today) == "1er décembre"
    assert format_day("2027-01-08", "en", today) == "8 January 2027"
    assert format_day(None, "en", today) == format_day("soon", "en", today) == ""
    assert format_price(180, "EUR", "en") == "€180"
    # as Babel writes them: a no-break space before the currency, a narrow one between thousands
    assert format_price(1250.5, None, "it") == "1.250,50\u00a0€"
    assert format_price(1250.5, "EUR", "fr") == "1\u202f250,50\u00a0€"
    assert (
        format_price(40, "USD", "en") == "US$40" and format_price(40, "CHF", "it") == "40\u00a0CHF"
    )
    assert format_price(None, "EUR", "en") == format_price(0, "EUR", "en") == ""
    assert clean_title("Fwd: RE: Wedding favours [B-0007]", "B-0007") == "Wedding favours"
    assert clean_title("Could you make me a teapot?", "") == ""


# The maker's own templates ------------------------------------------------------------------------
def own_template(shop: Shop, lang: str, purpose: str, text: str) -> Path:
    path = templates_dir(shop) / lang / f"{purpose}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_makers_template_wins(shop) -> None:
    assert templates_dir(shop) == shop.home / "templates"
    own_template(shop, "en", "quote", "Dear {{ customer }}, {{ price }} for {{ ref }}.\n")
    problems: list[str] = []
    assert render(shop, "quote", "en", FULL, ANNA, problems) == "Dear Anna, €180 for B-0042.\n"
    assert problems == []
    assert render(shop, "quote", "it", FULL, ANNA).startswith("Ciao Anna")  # only en was changed


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("Hi {{ customer }},\n\n{% if price %}{{ price }}\n", 3, "template language"),
        ("Hi,\n\nYour {{ custmer }} order\n", 3, 'no placeholder called "custmer"'),
        ("Hi,\n{{ quantity / 0 }}\n", 2, "division by zero"),
    ],
)
def test_a_broken_template_falls_back_with_a_plain_message(shop, text, line, words) -> None:
    own_template(shop, "en", "quote", text)
    problems: list[str] = []
    reply = render(shop, "quote", "en", FULL, ANNA, problems)
    assert reply.startswith("Hi Anna,\n\nThank you for your patience!")  # Banco's own
    [problem] = problems
    assert problem.startswith(f"Your template templates/en/quote.txt, line {line}: ")
    assert words in problem and "Banco used its own quote template instead" in problem
    assert "Traceback" not in problem


def test_a_template_that_is_not_utf8_falls_back(shop) -> None:
    path = own_template(shop, "it", "ready", "")
    path.write_bytes("Ciao {{ customer }}, è pronto\n".encode("latin-1"))
    problems: list[str] = []
    assert render(shop, "ready", "it", FULL, ANNA, problems).startswith("Ciao Anna,\n\nbella")
    assert "not UTF-8" in problems[0]


def test_unknown_template_or_language_is_refused(shop) -> None:
    with pytest.raises(ReplyError, match="no template"):
        render(shop, "invoice", "en", FULL, ANNA)
    with pytest.raises(ReplyError, match="no templates in"):
        render(shop, "quote", "de", FULL, ANNA)


# The customer's language --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Hello! Could you make six mugs for my sister? Thank you", "en"),
        ("Ciao, vorrei sei tazze blu per mia sorella. Grazie mille!", "it"),
        ("Bonjour, je voudrais six tasses bleues pour ma sœur. Merci beaucoup !", "fr"),
        ("Buongiorno, è possibile avere un piatto con il nome della sposa?", "it"),
        ("B-0042 ok", None),
        ("", None),
    ],
)
def test_language_guess(text, lang) -> None:
    assert guess_language([text]) == lang


def test_quoted_text_does_not_count() -> None:
    reply = (
        "Perfect, thank you so much! That works for me.\n\n"
        "Il giorno 19 nov 2026, Giulia ha scritto:\n"
        "> Ciao Anna, grazie per il messaggio, ecco il preventivo per le tazze che mi hai chiesto\n"
    )
    assert "Giulia" not in own_words(reply)
    assert guess_language([reply]) == "en"


def add_contact(shop: Shop, name: str, text: str, language: str | None = None) -> dict:
    store = shop.store
    contact_id = store.insert(
        "contacts", {"name": name, "language": language, "created_at": "2026-11-19T10:00:00+00:00"}
    )
    store.insert(
        "messages",
        {
            "account": "mail",
            "channel": "email",
            "external_id": f"x{contact_id}",
            "direction": "in",
            "contact_id": contact_id,
            "sender": name,
            "sender_handle": f"{name.lower()}@example.com",
            "sent_at": "2026-11-19T10:00:00+00:00",
            "collected_at": "2026-11-19T10:00:00+00:00",
            "text": text,
            "status": "ok",
            "waiting": 1,
        },
    )
    contact = store.one("select * from contacts where id = ?", [contact_id])
    assert contact is not None
    return contact


def test_the_customers_language_is_guessed_once_and_kept(shop) -> None:
    marie = add_contact(shop, "Marie", "Bonjour, je voudrais un vase pour ma mère. Merci !")
    assert customer_language(shop, marie) == "fr"
    assert shop.store.scalar("select language from contacts where id = ?", [marie["id"]]) == "fr"
    shop.store.db.execute("update messages set text = 'Hello there, thank you for this'")
    assert customer_language(shop, marie) == "fr"  # guessed once: the stored one is used


def test_the_makers_language_when_the_customer_is_unclear(write_shop, open_shop) -> None:
    shop = open_shop(write_shop('[templates]\nlanguage = "it"\n'))
    bob = add_contact(shop, "Bob", "B-0042 ok")
    assert customer_language(shop, bob) == "it"
    assert shop.store.scalar("select language from contacts where id = ?", [bob["id"]]) is None
    known = add_contact(shop, "Hans", "Hallo, ich möchte Tassen", language="de")
    assert customer_language(shop, known) == "it"  # no German templates: the maker's language
    assert customer_language(shop, None) == "it"
    plain = open_shop(write_shop())
    assert customer_language(plain, None) == "en"  # the maker's first language


# The suggestion -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "fields", "purpose"),
    [
        ("new", {}, "ask_details"),
        ("new", {"deadline": "2026-12-20"}, "ask_details"),
        ("new", {"deadline": "2026-12-20", "quantity": 6}, "quote"),
        ("awaiting_info", {"deadline": "2026-12-20", "quantity": 6}, "ask_details"),
        ("quoted", {}, "quote"),
        ("booked", {}, "confirmed"),
        ("booked", {"payment": "deposit_paid"}, "deposit_received"),
        ("booked", {"deposit_received_on": "2026-11-20"}, "deposit_received"),
        ("in_progress", {}, "in_progress"),
        ("ready", {}, "ready"),
        ("shipped", {}, "shipped"),
        ("completed", {}, "thank_you"),
        ("cancelled", {}, "acknowledge"),
    ],
)
def test_the_purpose_follows_the_order_status(status, fields, purpose) -> None:
    assert purpose_for({"status": status, "deadline": None, "quantity": None, **fields}) == purpose
    assert purpose_for(None) == "acknowledge"


def test_suggest_for_a_stored_message(shop) -> None:
    marie = add_contact(shop, "Marie Dupont", "Bonjour, je voudrais six tasses. Merci !")
    shop.store.insert(
        "orders",
        {
            "ref": "B-0001",
            "contact_id": marie["id"],
            "status": "new",
            "title": "Six tasses",
            "created_at": "2026-11-19T10:00:00+00:00",
            "updated_at": "2026-11-19T10:00:00+00:00",
        },
    )
    shop.store.db.execute("update messages set order_id = 1")
    message = shop.store.one("select * from messages")
    suggestion = suggest(shop, message)
    assert (suggestion.purpose, suggestion.language) == ("ask_details", "fr")
    assert suggestion.text.startswith("Bonjour Marie,") and "B-0001" in suggestion.text
    assert suggestion.problems == ()
    listed = list_messages(shop.store, waiting=True)[0]  # a row as `banco messages` lists it
    assert suggest(shop, listed) == suggestion
