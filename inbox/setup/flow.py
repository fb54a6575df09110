"""The whole ``banco setup``: her language and shop first (when there is no banco.toml yet), then
mail, Telegram, her order form and her day, each skippable, then ``banco check``'s checks.

banco.toml is written after each step, so a flow stopped half way keeps the steps done."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from banco.connectors import load_registry
from banco.inbox.clock import Clock
from banco.inbox.i18n.catalogs import N_, SUPPORTED, _
from banco.inbox.setup import toml_writer
from banco.inbox.setup.autoconfig import Lookup
from banco.inbox.setup.form import run_form_step
from banco.inbox.setup.mail import run_mail_step
from banco.inbox.setup.prompts import Asker, SetupError
from banco.inbox.setup.schedule import run_schedule_step
from banco.inbox.setup.telegram import Pairing, run_telegram_step
from banco.inbox.setup.toml_writer import TOMLDocument
from banco.inbox.shop import CONFIG_NAME, Shop

STEPS = ("mail", "telegram", "form", "schedule")
LOCK_NAME = "setup.lock"
#: each step as the flow offers it
STEP_QUESTIONS = {
    "mail": N_("Set up your mailbox now?"),
    "telegram": N_("Set up your Telegram bot now?"),
    "form": N_("Set up your order form now?"),
    "schedule": N_("Set up the times of your day now?"),
}
LANGUAGE_NAMES = {"en": "English", "it": "italiano", "fr": "français"}


@dataclass
class Session:
    """One run of ``banco setup``: the shop folder, the questions, the places to look up."""

    home: Path
    asker: Asker
    lookup: Lookup = field(default_factory=Lookup)
    #: False only for a test server whose certificate is its own
    tls_verify: bool = True
    skipped: set[str] = field(default_factory=set)
    #: where the Telegram step finds the bot and how long it waits for her
    pairing: Pairing = field(default_factory=Pairing)

    @property
    def path(self) -> Path:
        return self.home / CONFIG_NAME


@contextmanager
def one_setup(home: Path) -> Iterator[None]:
    """One `banco setup` at a time in a shop: two would each write banco.toml as they read it,
    and the later would drop what the earlier added. ``flock`` on ``setup.lock``: the kernel lets
    it go however the holder ends (a kill -9 included)."""
    home.mkdir(parents=True, exist_ok=True)
    fd = os.open(home / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SetupError(
                _("Another `banco setup` is running in this shop: finish it first.")
            ) from None
        yield
    finally:
        os.close(fd)


def shop_language(session: Session, fallback: str) -> str:
    """Her language: the shop's when banco.toml exists, else asked (first of all)."""
    if session.path.exists():
        languages = toml_writer.read(session.path).get("shop", {}).get("languages") or [fallback]
        return str(languages[0]) if languages[0] in SUPPORTED else fallback
    return session.asker.choose(
        "language",
        "Language / Lingua / Langue",
        {code: code for code in SUPPORTED},
        fallback,
    )


def open_document(session: Session, language: str) -> TOMLDocument:
    """banco.toml as it is, or a new one from the commented example with her shop's name."""
    if session.path.exists():
        return toml_writer.read(session.path)
    asker = session.asker
    session.home.mkdir(parents=True, exist_ok=True)
    kinds = ", ".join(sorted(load_registry().kinds))
    zone = toml_writer.machine_timezone()
    doc = toml_writer.parse(toml_writer.example_text(kinds, zone))
    name = asker.ask("shop-name", _("Your shop's name"), _("My shop"))
    owner = asker.ask("owner", _("Your name, to sign your replies"), "")
    toml_writer.set_values(doc, "shop", {"name": name, "owner": owner, "languages": [language]})
    toml_writer.save(session.path, doc)
    asker.say(_("Wrote {path}.").format(path=session.path))
    return doc


#: a step: ask, and put its answers into the document
Step = Callable[[Session, TOMLDocument], object]


def run_step(session: Session, doc: TOMLDocument, step: str) -> None:
    """Run one step and save banco.toml."""
    STEP_RUNNERS[step](session, doc)
    toml_writer.save(session.path, doc)
    session.asker.say(_("Saved {path}.").format(path=session.path))


def run_flow(session: Session, doc: TOMLDocument) -> None:
    """Every step she does not skip, in order."""
    for step in STEPS:
        if step in session.skipped:
            continue
        if session.asker.yes(step, _(STEP_QUESTIONS[step]), True):
            run_step(session, doc, step)


def _mail(session: Session, doc: TOMLDocument) -> object:
    return run_mail_step(
        session.asker, doc, session.home, session.lookup, tls_verify=session.tls_verify
    )


def _telegram(session: Session, doc: TOMLDocument) -> object:
    # her chat not found in time is said by the step; the flow goes on (`banco setup telegram`
    # pairs it later)
    return run_telegram_step(session.asker, doc, session.home, session.pairing)


def check_shop(session: Session, clock: Clock) -> bool:
    """`banco check`'s checks of the shop as written; True when every account answered."""
    from banco.inbox.collect.checks import run_checks  # a check collects nothing: imported late

    session.asker.say(_("Checking your shop as `banco check` does:"))
    shop = Shop.open(session.home, clock=clock)
    try:
        return run_checks(shop, session.asker.say)
    finally:
        shop.close()


STEP_RUNNERS: dict[str, Step] = {
    "mail": _mail,
    "telegram": _telegram,
    "form": lambda session, doc: run_form_step(session.asker, doc, session.home),
    "schedule": lambda session, doc: run_schedule_step(session.asker, doc),
}
