"""Reply templates: Banco's own in English, Italian and French, with the maker's own files over them.

A template is a Jinja2 text file ``<lang>/<purpose>.txt``. Banco's are in ``banco/inbox/replies/``;
the maker's, in the ``[templates] dir`` folder (``templates/`` in the shop folder by default), win.
A maker's template that breaks (bad syntax, an unknown placeholder) is reported in plain words,
with its file and line, and Banco's own template is used instead.

Placeholders, any of which may be empty (test it with ``{% if price %}``): ``customer`` (a first
name), ``ref``, ``title``, ``deadline``, ``price``, ``quantity``, ``shop`` and ``owner``; and what
the store holds as facts of the order (``orders.facts``): ``items``, ``deposit`` (its amount),
``deposit_received`` (true once a deposit is recorded as received), ``balance`` (what is left to
pay, once a deposit is received), ``address`` (where it ships) and ``payment_method``. Each is
filled only from what the store holds, never guessed; a template that says a fact (``NEEDS``:
"deposit received") refuses to be filled without it (``MissingFact``).
"""

from __future__ import annotations

import functools
import os
import re
import traceback
from datetime import date
from pathlib import Path
from typing import Any

import jinja2

from banco.config.load import LANGUAGES
from banco.inbox.errors import WrongInput
from banco.inbox.i18n.catalogs import N_, _, translations
from banco.inbox.i18n.money import format_money, stored_amount
from banco.inbox.i18n.words import day_and_month
from banco.inbox.orders.facts import METHOD_WORDS, facts_of
from banco.inbox.shop import Shop

DEFAULTS = Path(__file__).parent / "defaults"

PURPOSES = (
    "acknowledge",
    "ask_details",
    "quote",
    "confirmed",
    "deposit_received",
    "in_progress",
    "ready",
    "shipped",
    "thank_you",
    "checkin",
)
PURPOSE_WORDS = {
    "acknowledge": N_("acknowledge"),
    "ask_details": N_("ask for details"),
    "quote": N_("quote"),
    "confirmed": N_("order confirmed"),
    "deposit_received": N_("deposit received"),
    "in_progress": N_("in progress"),
    "ready": N_("ready"),
    "shipped": N_("shipped"),
    "thank_you": N_("thank you"),
    "checkin": N_("past-client check-in"),
}
LANGUAGE_NAMES = {"en": N_("English"), "it": N_("Italian"), "fr": N_("French")}
PLACEHOLDERS = (
    "customer",
    "ref",
    "title",
    "deadline",
    "price",
    "quantity",
    "shop",
    "owner",
    "items",
    "deposit",
    "deposit_received",
    "balance",
    "address",
    "payment_method",
)
#: the facts a template states as true, so it is never filled without them
NEEDS = {"deposit_received": ("deposit_received",)}

HONORIFICS = {
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "sig",
    "sigra",
    "dott",
    "dottssa",
    "m",
    "mme",
    "mlle",
}
REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|r|fw|fwd|i|tr|aw|sv)\s*:\s*)+", re.IGNORECASE)


class ReplyError(WrongInput):
    """A reply cannot be prepared (unknown template, a message with no order for a status)."""


class MissingFact(ReplyError):
    """The template states a fact the store does not hold for this order."""


# Values for the placeholders ----------------------------------------------------------------------
def first_name(name: str | None) -> str:
    """ "Anna" from "Anna Rossi" or "Rossi, Anna"; "" when the name is an address or a username."""
    name = (name or "").strip()
    if not name or "@" in name or any(c.isdigit() for c in name):
        return ""
    if "," in name:
        last, _, first = name.partition(",")
        name = first.strip() or last
    words = name.split()
    if words and words[0].lower().rstrip(".").replace(".", "") in HONORIFICS:
        return ""
    word = words[0] if words else ""
    if len(word) < 2 or not re.fullmatch(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*", word):
        return ""
    return word.capitalize() if word.islower() or word.isupper() else word


def clean_title(title: str | None, ref: str) -> str:
    """An order's title as it reads in a sentence: no "Re:", no reference, not a whole sentence."""
    text = REPLY_PREFIX.sub("", title or "")
    if ref:
        text = re.sub(rf"\[?\s*{re.escape(ref)}\s*\]?", "", text, flags=re.IGNORECASE)
    text = " ".join(text.split()).strip(" -:")
    if text.lower() == "new inquiry" or len(text) > 60 or text.endswith("?"):
        return ""
    return text


def format_day(value: str | None, lang: str, today: date) -> str:
    """ "20 December" / "20 dicembre" / "20 décembre" ("1er" in French); the year when not this one."""
    try:
        day = date.fromisoformat((value or "")[:10])
    except ValueError:
        return ""
    text = day_and_month(day, lang)
    return text if day.year == today.year else f"{text} {day.year}"


def format_price(value: Any, currency: str | None, lang: str) -> str:
    """ "€1,250.50" / "1.250,50 €" / "1 250,50 €" as Babel writes it for ``lang``; "" when there
    is no price yet."""
    amount = stored_amount(value)
    if amount is None or amount <= 0:
        return ""
    return format_money(amount, (currency or "EUR").upper(), lang)


def format_quantity(value: Any) -> int | str:
    if value is None or value == "":
        return ""
    try:
        return int(value)
    except (TypeError, ValueError):
        return str(value)


def placeholders(
    shop: Shop, lang: str, order: dict[str, Any] | None, contact: dict[str, Any] | None
) -> dict[str, Any]:
    """What a template can say about the customer, the order and the shop."""
    order = order or {}
    today = shop.clock.now().astimezone(shop.config.shop.timezone).date()
    ref = order.get("ref") or ""
    facts = facts_of(order, shop.config.shop.currency)
    method = facts.payment_method or ""
    return {
        "customer": first_name(contact.get("name") if contact else ""),
        "ref": ref,
        "title": clean_title(order.get("title"), ref),
        "deadline": format_day(order.get("deadline"), lang, today),
        "price": format_price(order.get("price"), order.get("currency"), lang),
        "quantity": format_quantity(order.get("quantity")),
        "shop": shop.config.shop.name,
        "owner": shop.config.shop.owner,
        "items": facts.items or "",
        "deposit": format_price(facts.deposit, facts.currency, lang),
        "deposit_received": facts.deposit_received,
        "balance": format_price(facts.balance, facts.currency, lang)
        if facts.deposit_received
        else "",
        "address": facts.shipping_address or "",
        "payment_method": translations(lang).gettext(METHOD_WORDS[method])
        if method in METHOD_WORDS
        else method,
    }


# Rendering ----------------------------------------------------------------------------------------
def render(
    shop: Shop,
    purpose: str,
    language: str,
    order: dict[str, Any] | None,
    contact: dict[str, Any] | None,
    problems: list[str] | None = None,
) -> str:
    """The reply for ``purpose`` in ``language``. A broken template of the maker's adds a line to
    ``problems`` and Banco's own template is used."""
    if purpose not in PURPOSES:
        raise ReplyError(
            _('no template "{purpose}"; use one of: {known}').format(
                purpose=purpose, known=", ".join(PURPOSES)
            )
        )
    if language not in LANGUAGES:
        raise ReplyError(
            _('no templates in "{language}"; use one of: {known}').format(
                language=language, known=", ".join(LANGUAGES)
            )
        )
    values = placeholders(shop, language, order, contact)
    missing = [fact for fact in NEEDS.get(purpose, ()) if not values[fact]]
    if missing:
        raise MissingFact(
            _(
                "The {purpose} reply says something Banco does not know about {ref}: no deposit"
                " is recorded as received. Record it first: banco orders set {ref} deposit"
                " AMOUNT --received DATE"
            ).format(purpose=_(PURPOSE_WORDS[purpose]), ref=values["ref"] or "?")
        )
    name = f"{language}/{purpose}.txt"
    own_dir = templates_dir(shop)
    own = own_dir / language / f"{purpose}.txt"
    if own.is_file():
        try:
            return _render(_environment(own_dir, DEFAULTS), name, values)
        except Exception as e:  # the maker's file: say what is wrong, never a traceback
            problem = template_problem(own, e, shop.home, purpose)
            if problems is not None:
                problems.append(problem)
    return _render(_environment(DEFAULTS), name, values)


def templates_dir(shop: Shop) -> Path:
    """The maker's template folder; a relative one (the default "templates") is in the shop folder."""
    folder = Path(shop.config.templates.get("dir") or "templates").expanduser()
    return folder if folder.is_absolute() else shop.home / folder


@functools.cache
def _environment(*folders: Path) -> jinja2.Environment:
    # One per set of folders, kept: its templates are compiled once (a reply session suggests a
    # reply for every waiting customer), and read again when the maker edits one (auto_reload).
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(folder) for folder in folders])
    return jinja2.Environment(
        loader=loader,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def _render(env: jinja2.Environment, name: str, values: dict[str, Any]) -> str:
    text = env.get_template(name).render(values)
    text = "\n".join(line.rstrip() for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def template_problem(path: Path, error: Exception, home: Path, purpose: str) -> str:
    """One plain line: which file, which line, what is wrong, and what Banco did instead."""
    try:
        shown = str(path.relative_to(home))
    except ValueError:
        shown = str(path)
    line = _error_line(path, error)
    where = f"{shown}, line {line}" if line else shown
    return (
        f"Your template {where}: {_error_words(error)}."
        f" Banco used its own {PURPOSE_WORDS[purpose]} template instead."
    )


def _error_line(path: Path, error: Exception) -> int | None:
    if isinstance(error, jinja2.TemplateSyntaxError):
        return error.lineno
    wanted = os.path.normpath(path)
    lines = [
        frame.lineno
        for frame in traceback.extract_tb(error.__traceback__)
        if os.path.normpath(frame.filename) == wanted
    ]
    return lines[-1] if lines else None


def _error_words(error: Exception) -> str:
    if isinstance(error, jinja2.TemplateSyntaxError):
        return f"the template language is not right here ({error.message})"
    if isinstance(error, jinja2.UndefinedError):
        unknown = re.match(r"'(\w+)' is undefined", error.message or "")
        if unknown:
            return (
                f'there is no placeholder called "{unknown[1]}"'
                f" (the placeholders are: {', '.join(PLACEHOLDERS)})"
            )
        return f"{error.message}"
    if isinstance(error, UnicodeDecodeError):
        return "the file is not UTF-8 text; save it again as UTF-8"
    return f"{error}"
