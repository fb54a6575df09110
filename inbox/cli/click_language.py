"""Click's own words ("Usage:", "Error:", "Missing argument", "No such command") in the maker's
language.

Click marks them with the stdlib's global gettext: the "messages" domain, in the language of
``$LANGUAGE`` (then ``LC_ALL``, ``LC_MESSAGES``, ``LANG``), read at every call, and ships no
catalogs. Banco's are ``i18n/locale/<lang>/click.po``, holding the msgids of the installed click
(``tests/cli/test_cli_language.py`` fails when a click upgrade adds one). They are compiled at first use
into Banco's cache folder, the "messages" domain is bound there, and ``$LANGUAGE`` names the
maker's language while a command runs (then it is put back). No click code is replaced.

The language is known before click reads the command line (``--help`` and a wrong option are
answered while it reads), so it is peeked from the shop's banco.toml; a command without a readable
one speaks the computer's language when Banco speaks it, else English.
"""

from __future__ import annotations

import gettext
import hashlib
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import platformdirs
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from banco.config import ConfigError
from banco.config.load import read_document
from banco.inbox.i18n.catalogs import LOCALE_DIR, SUPPORTED, language_of, system_language
from banco.inbox.shop import CONFIG_NAME, default_home

CLICK_DOMAIN = "messages"  # the stdlib's default domain, the one click's gettext() reads


@contextmanager
def click_speaking(lang: str) -> Iterator[None]:
    """Click's words in ``lang`` within this block."""
    gettext.bindtextdomain(CLICK_DOMAIN, str(compiled_catalogs()))
    previous = os.environ.get("LANGUAGE")
    os.environ["LANGUAGE"] = language_of(lang)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("LANGUAGE", None)
        else:
            os.environ["LANGUAGE"] = previous


def peeked_language(args: Sequence[str], environ: Mapping[str, str]) -> str:
    """The maker's language from the banco.toml of the shop ``args`` name (``--home``), before
    click reads them; else the computer's language (the shop itself is checked when opened)."""
    try:
        languages = read_document(home_of(args) / CONFIG_NAME)["shop"]["languages"]
        return language_of(str(languages[0]))
    except (ConfigError, KeyError, IndexError, TypeError):
        return system_language(environ)


def home_of(args: Sequence[str]) -> Path:
    for i, arg in enumerate(args):
        if arg == "--home" and i + 1 < len(args):
            return Path(args[i + 1]).expanduser()
        if arg.startswith("--home="):
            return Path(arg.removeprefix("--home=")).expanduser()
    return default_home()


@cache
def compiled_catalogs() -> Path:
    """The folder gettext reads click's catalogs from: ``<lang>/LC_MESSAGES/messages.mo``, one
    folder per version of the .po files, so an updated catalog is never hidden by an old one."""
    sources = {lang: LOCALE_DIR / lang / "click.po" for lang in SUPPORTED if lang != "en"}
    digest = hashlib.sha256(b"".join(path.read_bytes() for path in sources.values()))
    folder = platformdirs.user_cache_path("banco") / "click-locale" / digest.hexdigest()[:16]
    for lang, source in sources.items():
        target = folder / lang / "LC_MESSAGES" / f"{CLICK_DOMAIN}.mo"
        if not target.exists():
            _compile(source, lang, target)
    return folder


def _compile(source: Path, lang: str, target: Path) -> None:
    with source.open("rb") as po:
        catalog = read_po(po, locale=lang, domain=CLICK_DOMAIN)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as mo:
        write_mo(mo, catalog)
    os.replace(mo.name, target)  # whole or not at all, should two commands start together
