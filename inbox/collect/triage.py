"""Who becomes an order: the triage of a message that no earlier rule filed on an order.

The earlier rules (``ingest``) file a message on an order when it is clearly about one: the
order's link the sender opened (Telegram's ``/start <token>``), a reply to its conversation, its
reference quoted (``B-0042``), the sender's open order; a marketplace's sale notification is
filed before all of them, as an order for its buyer (``collect.marketplace``).

``ingest`` asks ``triage`` about a readable message from a person (not automatic, not the
maker's) that joins no order by its link, its reply headers, a quoted reference or the sender's
open order. The rules, tried in this order (each named in ``Verdict.rule``):

1. ``form_answer``: a form answer always opens an order;
2. ``remembered``: the maker's answer for this sender, else for the sender's whole mail domain
   (``store.senders``): "order" opens one; "not an order" keeps a conversation that waits for her;
   "never a customer" keeps a conversation that does not wait;
3. ``known_customer``: a contact with an order already (a past client writing anew) opens one;
4. ``inquiry``: the text asks for an order in English, Italian or French: ``price`` (how much,
   quanto costa, combien, a quote), ``custom_piece`` (a piece made for them: custom, su misura,
   sur mesure; "I'd like six mugs", "vorrei ordinare", "je voudrais une tasse", "I'm looking
   for a", "mi servirebbero", "il me faudrait"); or both of
   ``quantity`` (20 pieces, quanti, combien de) and ``date`` (by the 12th, entro il, avant le,
   a wedding): a date alone is a friend's dinner;
5. ``conversation``: otherwise a conversation, not an order, which waits for the maker's answer
   and her one key: order / not an order / never a customer.

The text is read lower-case without accents, so "personnalisé", "personnalise" and
"PERSONNALISÉ" are one word, and a rule matches a word's stem ("personalizzat" for every ending).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from banco.connectors import Record
from banco.inbox.store.senders import Answer


@dataclass(frozen=True, slots=True)
class Verdict:
    """What triage decided for a message: whether it opens an order, whether it waits for the
    maker, which rule decided and the sentence that made it so (for an inquiry)."""

    opens_order: bool
    rule: str
    waits: bool = True
    sentence: str = ""


def triage(record: Record, remembered: Answer | None, known_customer: bool) -> Verdict:
    """The verdict for ``record`` (see the module's rules)."""
    if record.order is not None:
        return Verdict(opens_order=True, rule="form_answer")
    if remembered is not None:
        return Verdict(
            opens_order=remembered is Answer.ORDER,
            rule="remembered",
            waits=remembered is not Answer.NEVER,
        )
    if known_customer:
        return Verdict(opens_order=True, rule="known_customer")
    sentence = inquiry_sentence(f"{record.subject}\n{(record.text or '')[:READ_CHARS]}")
    if sentence is not None:
        return Verdict(opens_order=True, rule="inquiry", sentence=sentence)
    return Verdict(opens_order=False, rule="conversation")


#: how much of a message's text is read for an inquiry: one asks in its first lines, and a long
#: mail (a newsletter, a thread quoted whole) read to its end cost a first collect a third of its time
READ_CHARS = 2_000


# The inquiry words --------------------------------------------------------------------------------
def _words(*patterns: str) -> re.Pattern[str]:
    """One pattern for several, each starting at a word's beginning."""
    return re.compile("|".join(rf"\b(?:{p})" for p in patterns))


#: Asking for a price or a quote.
PRICE = _words(
    r"how much\b",
    r"prices?\b",
    r"pricing\b",
    r"(a |your )?quote\b",
    r"quotation",
    r"estimate\b",
    r"what (would|does) (it|that|this) cost",
    r"quanto (costa|costano|costerebbe|costerebbero|verrebbe|verrebbero|viene|vengono|chiedi)",
    r"prezz[oi]\b",
    r"preventiv",
    r"listino",
    r"combien\b",
    r"prix\b",
    r"tarifs?\b",
    r"devis\b",
)
#: Numbers in words and figures, for "I'd like six mugs", "vorrei quattro tazze".
_NUMBERS_EN = r"\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|a dozen"
_NUMBERS_IT = r"\d+|due|tre|quattro|cinque|sei|sette|otto|nove|dieci|dodici|venti|una dozzina"
_NUMBERS_FR = r"\d+|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|douze|vingt|une douzaine"
#: Asking for a piece made for them, or for pieces.
CUSTOM_PIECE = _words(
    r"custom\b",
    r"custom[- ]made",
    r"bespoke",
    r"made to order",
    r"commission",
    r"personali[sz]ed",
    r"(i'd|i would|we'd|we would) (like|love) (to (order|buy|commission|have|get|\w+ her|"
    r"\w+ him|\w+ them) |)(an? |some |" + _NUMBERS_EN + ")",
    r"(i'm|i am|we're|we are) looking for (an? |some |" + _NUMBERS_EN + ")",
    r"(can|could) (you|i) (make|order|create)",
    r"do you (make|take orders)",
    r"su misura",
    r"personalizzat",
    r"su commissione",
    r"(vorrei|vorremmo|volevo|volevamo) (ordinare|commissionare|acquistare|comprare|"
    r"(\w+ )?(un |una |uno |dei |delle |degli |" + _NUMBERS_IT + "))",
    r"(mi|ci) (servirebbe|servirebbero|servono|serve) (un|una|uno|dei|delle|degli|"
    + _NUMBERS_IT
    + ")",
    r"(cerco|cerchiamo|stavo cercando) (un|una|uno|dei|delle|degli|" + _NUMBERS_IT + ")",
    r"(potresti|potrebbe|puoi|riesci a) (fare|realizzare|creare)",
    r"sur mesure",
    r"personnalis",
    r"((je|nous) (voudrais|voudrions|souhaiterais|souhaiterions|souhaite|souhaitons)"
    r"|j'aimerais|nous aimerions) (commander|acheter|(\w+ )?(un |une |des |" + _NUMBERS_FR + "))",
    r"(je cherche|nous cherchons) (un |une |des |" + _NUMBERS_FR + ")",
    r"(il me faudrait|il nous faudrait) (un |une |des |" + _NUMBERS_FR + ")",
    r"(pourriez-vous|pouvez-vous|pourrais-tu|peux-tu) (faire|realiser|creer|fabriquer)",
    r"commande personnalis",
)
#: A number of pieces, or asking about one.
QUANTITY = _words(
    r"\d+ ?(x )?(pieces|pcs|pezzi|pz|units|unita|copies|copie|exemplaires|items|articoli"
    r"|articles|mugs|tazze|tasses|plates|piatti|assiettes|bomboniere|favours|favors)\b",
    r"how many",
    r"quant[ie]\b",
    r"combien de",
    r"a dozen",
    r"una dozzina",
    r"une douzaine",
)
#: A date the piece is wanted by.
DATE = _words(
    r"(by|before) (the )?\d{1,2}(st|nd|rd|th)?\b",
    r"(by|before) (monday|tuesday|wednesday|thursday|friday|saturday|sunday|christmas|easter)",
    r"deadline",
    r"in time for",
    r"wedding",
    r"birthday",
    r"entro (il |la |fine |\d)",
    r"scadenza",
    r"in tempo per",
    r"matrimonio",
    r"nozze",
    r"compleanno",
    r"avant (le |la |\d)",
    r"d'ici (le |la |\d)",
    r"date limite",
    r"a temps pour",
    r"mariage",
    r"anniversaire",
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def inquiry_sentence(text: str) -> str | None:
    """The sentence of ``text`` that makes it an inquiry (a price, a custom piece, or a quantity
    and a date together), or None: what the maker sees beside the order it opened."""
    whole = _plain(text)  # none of the words anywhere (most mail): no sentence to look for
    if not (PRICE.search(whole) or CUSTOM_PIECE.search(whole) or QUANTITY.search(whole)):
        return None
    return sentence_by_sentence(text)


def sentence_by_sentence(text: str) -> str | None:
    """``inquiry_sentence`` without its first look at the whole text: each sentence read."""
    sentences = [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]
    plain = [_plain(s) for s in sentences]
    for sentence, words in zip(sentences, plain, strict=True):
        if PRICE.search(words) or CUSTOM_PIECE.search(words):
            return sentence
    quantity = next((s for s, w in zip(sentences, plain, strict=True) if QUANTITY.search(w)), None)
    date = any(DATE.search(w) for w in plain)
    return quantity if quantity is not None and date else None


def _plain(text: str) -> str:
    """``text`` lower-case, without accents, with one kind of apostrophe and single spaces."""
    lowered = text.lower().replace("\u2019", "'")
    if not lowered.isascii():  # accents off, one character at a time: only where there are any
        decomposed = unicodedata.normalize("NFKD", lowered)
        lowered = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(lowered.split())
