"""Banco's own words in the maker's language: gettext catalogs, one per language, chosen per call.

English is the language the code is written in; ``locale/<lang>/LC_MESSAGES/*.po`` hold the
Italian and French, one file per screen (``replies.po``, ``web.po``, ``cli.po``...), merged. The catalogs are read from the ``.po`` files the first time a language is
asked for (a few milliseconds), so there is no compiled file to forget to rebuild. A language is
chosen for a stretch of work with ``speaking(lang)`` (a context variable, so a web request or a
chat message in one language never leaks into another); ``_`` and ``ngettext`` then translate.

Write ``_("Reply {id} sent").format(id=n)``: an f-string inside ``_()`` cannot be looked up.
``N_`` marks a constant for extraction; translate it with ``_`` where it is shown. The strings
to translate are what tests/i18n/test_catalogs.py extracts, the same as::

    pybabel extract -F babel.cfg -k N_ -k Sentence -k Problem:2 -k SecretError -k ConnectorError
        -k NeedsUser -k TryLater -k Rejected -k MayHaveBeenSent -k BadRecord -k SessionLost
        -k FolderMissing -o /tmp/banco.pot .
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from banco.config.sentence import Sentence

SUPPORTED = ("en", "it", "fr")
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "banco"
_speaking: ContextVar[str] = ContextVar("banco_language", default="en")


def language_of(tag: str | None) -> str:
    """``it``, ``it_IT`` or ``it-CH`` -> ``it``; a language Banco does not speak -> ``en``."""
    lang = (tag or "en").replace("-", "_").split("_")[0].lower()
    return lang if lang in SUPPORTED else "en"


@cache
def translations(lang: str) -> NullTranslations:
    """The catalog of ``lang`` (English: the words as written)."""
    lang = language_of(lang)
    if lang == "en":
        return NullTranslations()
    merged: Translations | None = None
    for path in sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")):
        part = _compiled(path, lang)
        if merged is None:
            merged = part
        else:
            merged.merge(part)
    if merged is None:
        raise LookupError(f"no catalog for {lang!r} in {LOCALE_DIR}")
    return merged


def _compiled(path: Path, lang: str) -> Translations:
    """One ``.po`` file as a catalog (one file per screen: replies.po, web.po, cli.po...)."""
    with path.open("rb") as po:
        catalog = read_po(po, locale=lang, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out: they are not checked yet
    compiled.seek(0)
    return Translations(fp=compiled, domain=DOMAIN)


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Banco's words in ``lang`` within this block."""
    token = _speaking.set(language_of(lang))
    try:
        yield
    finally:
        _speaking.reset(token)


def current_language() -> str:
    return _speaking.get()


def gettext(message: str) -> str:
    return translations(_speaking.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_speaking.get()).ngettext(singular, plural, n)


def said(text: object) -> str:
    """A connector's or the config's sentence (``banco.config.sentence``), or an error carrying
    one, in the maker's language; any other text as it is."""
    if isinstance(text, BaseException):
        text = getattr(text, "sentence", None) or (text.args[0] if text.args else str(text))
    if not isinstance(text, Sentence):
        return str(text)
    if not text.values:
        return gettext(text.template)
    return gettext(text.template).format(
        **{
            name: said(value) if isinstance(value, Sentence) else value
            for name, value in text.values.items()
        }
    )


def N_(message: str) -> str:  # noqa: N802 (gettext's own name for the marker)
    """Marks ``message`` for the catalogs; it is translated where it is shown."""
    return message


_ = gettext


def system_language(environ: Mapping[str, str]) -> str:
    """The language of this computer, as gettext looks for it (LANGUAGE, LC_ALL, LC_MESSAGES,
    LANG), when Banco speaks it; else English."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        if tag := environ.get(name, "").split(":")[0]:
            return language_of(tag)
    return "en"
