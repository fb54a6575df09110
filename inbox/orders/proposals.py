"""Reading a customer's message for facts of her order, in English, Italian and French: a quote
accepted ("va bene, procediamo", "ok for 420", "c'est parfait"), a payment announced ("ho fatto
il bonifico", "I've sent the deposit", "j'ai fait le virement"), how she pays, a date, a quantity,
a shipping address.

What is read here is only ever PROPOSED (``orders.facts`` keeps it for the maker to confirm), each
with the sentence it came from, so a recogniser may be generous: the maker sees the sentence and
decides. Only her own words are read, never the earlier messages quoted under them; a question
("Can I pay by transfer?") or a denial ("I haven't paid yet") announces nothing.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from babel.dates import get_day_names, get_month_names

from banco.inbox.i18n.money import LARGEST
from banco.inbox.store.facts import NewProposal

LANGS = ("en", "it", "fr")
#: no quantity of an order is this large: a year, a postcode, a phone number
MOST_PIECES = 10000
#: a day without its year this many days before the message is one just gone, not next year's
RECENTLY_PAST_DAYS = 90
#: the longest sentence kept as a proposal's source, in characters
SENTENCE_CHARS = 300

_QUOTE_HEADER = re.compile(
    r"^\s*(?:on .{3,120} wrote:|il giorno .{3,120} ha scritto:|le .{3,120} a écrit\s?:"
    r"|-----\s*original message\s*-----|-----\s*messaggio originale\s*-----"
    r"|-----\s*message d'origine\s*-----|-- ?)\s*$",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[^\W_])|(?<=[.!?…])$")

# Amounts: "420 €", "€420", "1.250,50 euro", "EUR 80"; "ok for 420" names one without its unit.
_NUMBER = r"\d{1,3}(?:[.,\u00a0\u202f ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_MONEY = re.compile(
    rf"(?:€|\beur\b)\s*(?P<a>{_NUMBER})|(?P<b>{_NUMBER})\s*(?:€|\beur(?:o|os)?\b)",
    re.IGNORECASE,
)
_BARE_AMOUNT = re.compile(
    rf"\b(?:ok(?:ay)?|fine|d'accord|va bene|bene)\s+(?:for|pour|per)\s+(?P<a>{_NUMBER})\b",
    re.IGNORECASE,
)

_ACCEPTED = re.compile(
    r"\bprocediamo\b|\bpreventivo (?:mi )?va (?:bene|benissimo)\b|\bva (?:bene|benissimo)"
    r" (?:il preventivo|per \d)|\b(?:accetto|confermo) (?:il (?:preventivo|prezzo)|l'ordine)\b"
    r"|\bok(?:ay)? for \d|\b(?:let'?s|let us) (?:go ahead|do it|proceed)\b|\bgo ahead\b"
    r"|\b(?:i|we) (?:accept|are happy with|am happy with) (?:the|your) (?:quote|price|offer)\b"
    r"|\b(?:the |your )?(?:quote|price) (?:is|sounds|looks) (?:fine|good|great|perfect)\b"
    r"|\bc'est parfait\b|\bd'accord pour\b|\bon part (?:là-dessus|sur)\b|\ballons-y\b"
    r"|\bj'accepte (?:le|votre) (?:devis|prix)\b|\b(?:le |votre )?devis (?:me convient|est parfait)",
    re.IGNORECASE,
)
_PAID = re.compile(
    r"\bho (?:appena )?(?:fatto|effettuato|eseguito|mandato|inviato|disposto)"
    r" (?:il |un |l')?(?:bonifico|pagamento|versamento|acconto|saldo)\b"
    r"|\bho (?:appena )?(?:pagato|versato|saldato)\b|\bti ho (?:appena )?(?:mandato|inviato|fatto)"
    r" (?:il |l')?(?:bonifico|acconto|pagamento|saldo)\b"
    r"|\b(?:bonifico|acconto|pagamento|saldo) (?:è )?(?:fatto|effettuato|partito|inviato|pagato)\b"
    r"|\bi(?:'ve| have)? (?:just )?(?:sent|paid|transferred|made|wired)\b.{0,40}"
    r"\b(?:deposit|payment|transfer|money|balance|invoice)\b|\bi(?:'ve| have)? (?:just )?paid\b"
    r"|\b(?:deposit|payment|transfer) (?:is |has been |was )?(?:sent|done|made|paid)\b"
    r"|\bj'ai (?:fait|effectué|envoyé|viré|versé|réglé|payé)\b.{0,30}"
    r"\b(?:virement|acompte|paiement|règlement|solde)\b|\bje (?:vous )?ai (?:réglé|payé|viré)\b"
    r"|\b(?:virement|acompte|paiement) (?:est )?(?:fait|effectué|envoyé|parti|réglé|versé)\b",
    re.IGNORECASE,
)
_NOT = re.compile(
    r"\b(?:non|not|never|yet|pas|jamais|ancora|encore)\b|n't\b|\bn'(?:ai|avons)\b", re.IGNORECASE
)
_PAYMENT_WORDS = re.compile(
    r"\b(?:pag\w*|bonifico|acconto|saldo|pay\w*|paid|deposit|transfer|paie\w*|payer|règle\w*"
    r"|régler|virement|acompte|solde)\b",
    re.IGNORECASE,
)
#: how a customer pays, by the words she uses
METHODS = (
    ("transfer", re.compile(r"\bbonifico\b|\bvirement\b|\bbank transfer\b|\bwire\b", re.I)),
    ("paypal", re.compile(r"\bpaypal\b", re.I)),
    ("satispay", re.compile(r"\bsatispay\b", re.I)),
    ("card", re.compile(r"\b(?:carta|card|carte bancaire|carte bleue|cb)\b", re.I)),
    ("cash", re.compile(r"\b(?:contanti|cash|espèces|en liquide)\b", re.I)),
)

# Quantities: "60 tazzine", "two mugs", "huit assiettes", when she asks for them.
_WANTS = re.compile(
    r"\b(?:vorrei|vorremmo|mi serv\w*|ci serv\w*|ne serv\w*|servono|desidero|ordinare|ordino"
    r"|ne prendo|prendo|i'd like|i would like|we'd like|we would like|i want|i need|we need"
    r"|order|ordering|looking for|could you make|can you make|je voudrais|j'aimerais|cerco"
    r"|cerchiamo|je cherche|nous cherchons"
    r"|nous voudrions|il me faut|il nous faut|commander|je souhaite|pourriez-vous faire)\b",
    re.IGNORECASE,
)
_PIECES = r"pezzi|pz|pieces|pcs|pièces"
NUMBER_WORDS = {
    **dict.fromkeys(("two", "due", "deux"), 2),
    **dict.fromkeys(("three", "tre", "trois"), 3),
    **dict.fromkeys(("four", "quattro", "quatre"), 4),
    **dict.fromkeys(("five", "cinque", "cinq"), 5),
    **dict.fromkeys(("six", "sei"), 6),
    **dict.fromkeys(("seven", "sette", "sept"), 7),
    **dict.fromkeys(("eight", "otto", "huit"), 8),
    **dict.fromkeys(("nine", "nove", "neuf"), 9),
    **dict.fromkeys(("ten", "dieci", "dix"), 10),
    **dict.fromkeys(("eleven", "undici", "onze"), 11),
    **dict.fromkeys(("twelve", "dodici", "douze"), 12),
    **dict.fromkeys(("twenty", "venti", "vingt"), 20),
}
_QUANTITY = re.compile(
    rf"(?<![\d.,/:])\b(?P<n>\d{{1,5}}|{'|'.join(NUMBER_WORDS)})\s+(?:x\s+)?(?P<w>[^\W\d_][\w'’-]*)",
    re.IGNORECASE,
)
#: words after a number that make it no quantity of pieces: units, money, time, ages
_NOT_PIECES = re.compile(
    r"(?:€|eur\w*|dollar\w*|sterlin\w*|pound\w*|cm|mm|m|km|kg|g|gr|grams?|grammi|ml|l|litr\w*"
    r"|%|per|percent\w*|pour|anni|ans|years?|yrs?|mesi|mois|months?|settiman\w*|semaines?"
    r"|weeks?|giorn\w*|jours?|days?|ore|ora|heures?|hours?|h|minut\w*|min|volt\w*|fois|times"
    r"|persone|personnes|people|ospiti|invités|guests|bis|ter|via|rue|street|road|avenue)$",
    re.IGNORECASE,
)

# Dates: "20 dicembre", "December 20th", "le 1er mars 2027", "20/12", "venerdì prossimo".
_MONTHS = {
    lang: [str(name).lower() for name in get_month_names("wide", locale=lang).values()]
    for lang in LANGS
}
#: each weekday's name, by its number (Monday is 0), in each language
_WEEKDAYS = {
    lang: {str(name).lower(): int(day) for day, name in get_day_names("wide", locale=lang).items()}
    for lang in LANGS
}
_NEXT = {"en": r"next\s+({days})", "it": r"({days})\s+prossim[oa]", "fr": r"({days})\s+prochain"}


def _date_patterns(lang: str) -> list[re.Pattern[str]]:
    months = "|".join(_MONTHS[lang])
    return [
        re.compile(
            rf"\b\d{{1,2}}(?:st|nd|rd|th|er|°|º)?\s+(?:of\s+)?(?:{months})(?:\s+\d{{4}})?\b", re.I
        ),
        re.compile(rf"\b(?:{months})\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b", re.I),
    ]


_DATES = {lang: _date_patterns(lang) for lang in LANGS}
#: "next Friday", "venerdì prossimo", "vendredi prochain" (dateparser reads only the English)
_NEXT_DAY = {
    lang: re.compile(rf"\b{_NEXT[lang].format(days='|'.join(_WEEKDAYS[lang]))}\b", re.I)
    for lang in LANGS
}
_NUMERIC_DATE = re.compile(r"(?<![\d/])\b\d{1,2}/\d{1,2}(?:/\d{2}(?:\d{2})?)?\b(?![/\d])")

# Addresses: a street and a postcode in one sentence.
_STREET = re.compile(
    r"\b(?:via|viale|piazza|piazzale|corso|vicolo|largo|strada|località|rue|avenue|boulevard"
    r"|bd|chemin|place|allée|impasse|quai|route|street|st|road|rd|lane|drive|way|close"
    r"|square|crescent|terrace)\b\.?",
    re.IGNORECASE,
)
_POSTCODE = re.compile(r"\b\d{5}\b|\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")
#: the house number before the street ("5 rue de la Paix", "12 Baker Street")
_HOUSE_NUMBER_BEFORE = re.compile(
    r"\b\d{1,4}\s*(?:bis|ter|[a-z])?,?\s*(?:[A-Z][\w'’-]*\s+){0,3}$", re.IGNORECASE
)


#: how much of a customer's own words is read for facts: a message says what it agrees, pays or
#: asks in its first paragraphs, and a long one read to its end slowed a first collect
READ_CHARS = 8_000


def read_facts(text: str | None, sent_at: datetime) -> list[NewProposal]:
    """Every fact ``text`` (a customer's message sent at ``sent_at``, in her time) proposes,
    each with its sentence, in the order they are written."""
    found: list[NewProposal] = []
    for sentence in sentences(own_words(text or "")[:READ_CHARS]):
        found.extend(_read_sentence(sentence, sent_at))
    unique: dict[tuple[str, str], NewProposal] = {}
    for proposal in found:
        unique.setdefault((proposal.fact, proposal.value), proposal)
    return list(unique.values())


def own_words(text: str) -> str:
    """What the sender wrote, without the earlier messages quoted under it."""
    kept: list[str] = []
    for line in text.splitlines():
        if _QUOTE_HEADER.match(line):
            break
        if not line.lstrip().startswith(">"):
            kept.append(line)
    return "\n".join(kept)


def sentences(text: str) -> list[str]:
    """The sentences of ``text``: its paragraphs, their lines joined, cut at each full stop."""
    found: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        flat = " ".join(paragraph.split())
        found.extend(
            part.strip()[:SENTENCE_CHARS] for part in _SENTENCE_END.split(flat) if part.strip()
        )
    return found


def _read_sentence(sentence: str, sent_at: datetime) -> list[NewProposal]:
    question = sentence.rstrip().endswith("?")
    found: list[NewProposal] = []
    if not question and _ACCEPTED.search(sentence):
        found.append(NewProposal("accepted", _amount_text(sentence), sentence))
    announced = None if question else _PAID.search(sentence)
    paid = announced is not None and not _NOT.search(sentence[: announced.end()])
    if paid:
        found.append(NewProposal("paid", _amount_text(sentence), sentence))
    payment = None if question else _PAYMENT_WORDS.search(sentence)
    if paid or (payment is not None and not _NOT.search(sentence[: payment.end()])):
        found.extend(NewProposal("method", m, sentence) for m in _methods(sentence))
    address = _address(sentence)
    if address:
        found.append(NewProposal("address", address, sentence))
    rest = sentence.replace(address, " ") if address else sentence  # its numbers are no dates
    found.extend(NewProposal("deadline", d.isoformat(), sentence) for d in _dates(rest, sent_at))
    found.extend(NewProposal("quantity", str(n), sentence) for n in _quantities(rest))
    return found


def read_amount(text: str) -> Decimal | None:
    """ "1.250,50", "1,250.50", "1 250", "420" as an amount, whichever way it is written."""
    bare = re.sub(r"[\s\u00a0\u202f]", "", text)
    decimals = re.search(r"[.,](\d{1,2})$", bare)
    whole = bare[: decimals.start()] if decimals else bare
    whole = re.sub(r"[.,]", "", whole)
    try:
        amount = Decimal(f"{whole}.{decimals[1]}" if decimals else whole)
    except InvalidOperation:
        return None
    return amount if 0 < amount < LARGEST else None


def _amount_text(sentence: str) -> str:
    """The amount the sentence names, as the store writes it ("420.00"); "" for none."""
    match = _MONEY.search(sentence) or _BARE_AMOUNT.search(sentence)
    if match is None:
        return ""
    amount = read_amount(match["a"] or match.groupdict().get("b") or "")
    return f"{amount:.2f}" if amount is not None else ""


def _methods(sentence: str) -> list[str]:
    return [name for name, pattern in METHODS if pattern.search(sentence)]


def _dates(sentence: str, sent_at: datetime) -> list[date]:
    """The days the sentence names after the day it was written (a day before it, or that day,
    is no deadline: "I received it on the 3rd")."""
    base = sent_at.replace(tzinfo=None)
    found: list[date] = []
    for lang in LANGS:
        for pattern in _DATES[lang]:
            for match in pattern.finditer(sentence):
                found.extend(_parsed(match[0], [lang], base))
        for match in _NEXT_DAY[lang].finditer(sentence):
            ahead = (_WEEKDAYS[lang][match[1].lower()] - base.weekday() - 1) % 7 + 1
            found.append(base.date() + timedelta(days=ahead))
    for match in _NUMERIC_DATE.finditer(sentence):
        found.extend(_parsed(match[0], ["en"], base))
    return sorted({day for day in found if day > base.date()})


def _parsed(text: str, languages: list[str], base: datetime) -> list[date]:
    # dateparser reads "20 dicembre" or "venerdì prossimo" against the day the message was
    # written, a day with no year as the next one to come; "DMY" as Europe writes 20/12.
    # Imported here: it takes a tenth of a second, and only reading a message needs it.
    import dateparser

    parsed = dateparser.parse(
        text,
        languages=languages,
        settings={"RELATIVE_BASE": base, "DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first"},
    )
    if parsed is None:
        return []
    day = parsed.date()
    if day >= base.date() or re.search(r"\d{4}|/\d{2}$", text):
        return [day]
    # a day without its year, passed this year: next year's when it is months ago ("15
    # gennaio" written in November), else a day just gone ("I got it on 3 November")
    if (base.date() - day).days <= RECENTLY_PAST_DAYS:
        return []
    try:
        return [day.replace(year=day.year + 1)]
    except ValueError:  # 29 February
        return []


def _quantities(sentence: str) -> list[int]:
    wants = _WANTS.search(sentence) is not None
    found: list[int] = []
    for match in _QUANTITY.finditer(sentence):
        word = match["w"]
        if _NOT_PIECES.match(word) or word.lower() in _ALL_MONTHS:
            continue
        if not wants and not re.fullmatch(_PIECES, word, re.IGNORECASE):
            continue
        number = match["n"].lower()
        count = NUMBER_WORDS[number] if number in NUMBER_WORDS else int(number)
        if 0 < count < MOST_PIECES:
            found.append(count)
    return found


_ALL_MONTHS = frozenset(m for names in _MONTHS.values() for m in names)


def _address(sentence: str) -> str:
    """The shipping address a sentence gives ("via Saragozza 112, 40123 Bologna"), or ""."""
    postcode = _POSTCODE.search(sentence)
    street = _STREET.search(sentence)
    if postcode is None or street is None or street.start() > postcode.start():
        return ""
    start = street.start()
    before = sentence[:start]
    if ":" in before:  # "Consegna al nuovo locale: Caffè Ferri, via ..." keeps who receives it
        start = before.rindex(":") + 1
    else:
        number = _HOUSE_NUMBER_BEFORE.search(before)
        if number is not None:
            start = number.start()
    end = re.search(r"[.;!?]\s|[.;!?]?$", sentence[postcode.end() :])
    stop = postcode.end() + (end.start() if end else 0)
    return sentence[start:stop].strip(" ,.;")
