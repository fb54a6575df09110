"""What a suggested reply claims that the order does not hold: a deposit received, an amount, a
day or a number the store has not got, "None", or a question "ask for details" asks again
about a fact held. Used by tests/replies/test_suggestions_truthful.py over every template and
state, and by the acceptance test over a collected mailbox's session."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from conftest import NOW

from banco.inbox.i18n.money import format_money
from banco.inbox.orders.facts import facts_of
from banco.inbox.replies.templates import clean_title, format_day

TODAY = NOW.date()
#: the sentences that say a deposit came in
DEPOSIT_RECEIVED = {
    "en": "your deposit has arrived",
    "it": "ho ricevuto l'acconto",
    "fr": "j'ai bien reçu votre acompte",
}
#: the questions "ask for details" asks about a fact
ASKS = {
    "quantity": {"en": "how many pieces", "it": "quanti pezzi", "fr": "nombre de pièces"},
    "deadline": {"en": "when you would like", "it": "entro quando", "fr": "pour quand"},
    "address": {"en": "where to send", "it": "dove spedire", "fr": "l'adresse de livraison"},
}
MONTHS = {
    "en": "January|February|March|April|May|June|July|August|September|October|November|December",
    "it": "gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|settembre|ottobre|novembre"
    "|dicembre",
    "fr": "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre",
}

#: a currency as an amount is written with it in English, Italian or French (€64, 64 USD, 64 $US)
MONEY = r"(?:€|US\$|\$US|\$|£GB|£|EUR\b|USD\b|GBP\b)"


def untrue(
    text: str, order: dict[str, Any], lang: str, purpose: str, today: date = TODAY
) -> list[str]:
    """What ``text`` claims that ``order`` does not hold (its days said as on ``today``)."""
    facts = facts_of(order, "EUR")
    problems = []
    if DEPOSIT_RECEIVED[lang] in text and not facts.deposit_received:
        problems.append("says the deposit arrived")
    held_money = {
        format_money(amount, facts.currency, lang)
        for amount in (
            facts.price,
            facts.deposit,
            facts.balance if facts.deposit_received else None,
        )
        if amount is not None and amount > 0
    }
    money = re.findall(rf"{MONEY}\s?[\d.,\u202f\u00a0 ]*\d|\d[\d.,\u202f\u00a0 ]*\s?{MONEY}", text)
    problems += [f"names {m!r}" for m in money if m.strip() not in held_money]
    held_day = format_day(facts.deadline, lang, today) if facts.deadline else None
    days = re.findall(rf"\d{{1,2}}(?:er)? (?:{MONTHS[lang]})(?: \d{{4}})?", text)
    problems += [f"names the day {d!r}" for d in days if d != held_day]
    bare = text.replace(order["ref"], "")  # the reference and the title are held as they are
    title = clean_title(order.get("title"), order["ref"])
    bare = bare.replace(title, "") if title else bare
    for said in (*money, *days):
        bare = bare.replace(said, "")
    numbers = set(re.findall(r"\d+", bare))
    problems += [f"names {n}" for n in numbers if n != str(facts.quantity)]
    if "None" in text:
        problems.append("says None")
    if purpose == "ask_details":
        for fact, question in ASKS.items():
            if getattr(facts, "shipping_address" if fact == "address" else fact) and (
                question[lang] in text
            ):
                problems.append(f"asks again for the {fact}")
    return problems
