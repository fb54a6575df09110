"""``banco reply``: the reply session in the terminal, one customer at a time.

First come the replies that may have been sent (Banco stopped or the channel went quiet while
handing them over): the maker resends each, marks it sent, or cancels it. Then, for each waiting
message, she accepts the suggested reply, edits it, picks another template, schedules it for
later, skips, snoozes to the next session, marks it as needing no reply, or moves the order to
another status. Replies are queued as she decides and go out together when the session ends (also
on quit or Ctrl-C); a scheduled one goes at its time.

Banco's own words here are in English for now; the replies are in the customer's language.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

import click
from babel.dates import format_datetime, format_time

from banco.inbox.clock import parse_iso
from banco.inbox.customers.view import suggested_for, suggestion_line
from banco.inbox.errors import BancoError
from banco.inbox.i18n.catalogs import N_, _, current_language, ngettext, said, speaking
from banco.inbox.i18n.money import (
    AmountError,
    format_amount,
    locale_of,
    parse_amount,
    stored_amount,
)
from banco.inbox.i18n.words import duration
from banco.inbox.orders.edits import edit_lines
from banco.inbox.orders.fact_words import proposal_words
from banco.inbox.orders.pipeline import STATUS_WORDS, STATUSES, OrderError
from banco.inbox.orders.senders import SenderError
from banco.inbox.replies.editor import EditorFailed
from banco.inbox.replies.language import set_language
from banco.inbox.replies.outbox import (
    Delivery,
    OutboxError,
    decide,
    deliver,
    state_words,
    uncertain,
    warning_for,
)
from banco.inbox.replies.recipients import marketplace_refusal  # marketplace
from banco.inbox.replies.session import (
    CheckinItem,
    SessionItem,
    Suggestion,
    Waiting,
    answer,
    change_status,
    checkin_done,
    checkin_items,
    confirm_fact,
    dismiss_fact,
    no_reply_needed,
    prepare_item,
    send_time,
    session_batch,
    set_price,
    snooze,
    suggestion_for,
    write_checkin,
)
from banco.inbox.replies.templates import (
    LANGUAGE_NAMES,
    PURPOSE_WORDS,
    PURPOSES,
    ReplyError,
    format_day,
)
from banco.inbox.replies.triage import (
    TriageChoice,
    answer_sender,
    asks_triage,
    choices_line,
    decided_line,
    on_new_order,
    triage_choices,
)
from banco.inbox.replies.when import WhenError
from banco.inbox.shop import Shop
from banco.inbox.store.outbox import pending_count, reply_error
from banco.inbox.store.senders import Answer

Echo = Callable[[str], Any]
Prompt = Callable[..., Any]
Edit = Callable[[str], str | None]

# The letters stay the same in every language; the words beside them are the maker's.
CHOICES = N_(
    "[a] accept and send   [l] send later   [e] edit   [t] another template   [s] skip\n"
    "[z] snooze to the next session   [n] no reply needed   [o] order status   [q] quit"
)
#: shown when Banco read facts in the order's messages (``orders.facts``)
FACT_CHOICES = N_("[f] confirm   [x] dismiss   the first thing Banco read, above")
UNCERTAIN_CHOICES = N_(
    "[r] send it again   [m] it went out: mark sent   [c] cancel   [k] decide later"
)
EDIT_HELP = N_("# Write your reply above. Lines starting with # are dropped.")
SNIPPET = 70
#: the first letters of "yes" in the maker's languages (y, sì, oui)
YES = ("y", "s", "o")


@dataclass
class SessionSummary:
    """What happened in one session, for the closing lines and the caller."""

    items: int = 0
    messages: int = 0
    queued: list[int] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    #: scheduled replies: (outbox id, when it goes)
    scheduled: list[tuple[int, datetime]] = field(default_factory=list)
    snoozed: list[datetime] = field(default_factory=list)
    no_reply: int = 0
    skipped: int = 0
    status_changes: int = 0
    not_reached: int = 0

    def count(self, status: str) -> int:
        return sum(d.status == status for d in self.deliveries)


def run_terminal_session(shop: Shop, echo: Echo, prompt: Prompt, edit: Edit) -> SessionSummary:
    """Hold the reply session, in the maker's language. ``echo``, ``prompt`` and ``edit`` are
    click's in production."""
    with speaking(shop.config.shop.language):
        return _session(shop, echo, prompt, edit)


def _session(shop: Shop, echo: Echo, prompt: Prompt, edit: Edit) -> SessionSummary:
    items = session_batch(shop)  # each prepared when it comes: the suggestion, the language
    summary = SessionSummary(items=len(items), messages=sum(len(i.messages) for i in items))
    echo(opening(items))
    pending = _pending_in_outbox(shop)
    if pending:
        echo(
            ngettext(
                "{n} earlier reply still in the outbox: `banco outbox` shows it.",
                "{n} earlier replies still in the outbox: `banco outbox` shows them.",
                pending,
            ).format(n=pending)
        )
    checkins = checkin_items(shop)
    doubtful = uncertain(shop)
    if not items and not checkins and not doubtful:
        return summary
    session = _Terminal(shop, echo, prompt, edit, summary)
    done = 0
    try:
        for row in doubtful:
            session.uncertain(row)
        for number, waiting in enumerate(items, 1):
            if not session.handle(prepare_item(shop, waiting), number, len(items)):
                break
            done = number
        else:
            for checkin in checkins:
                session.checkin(checkin)
    except (click.Abort, EOFError, KeyboardInterrupt):
        echo("")
    finally:
        summary.not_reached = len(items) - done
        summary.deliveries = deliver(shop, summary.queued)
    echo("")
    for line in closing_lines(shop, summary):
        echo(line)
    return summary


def opening(items: list[Waiting]) -> str:
    if not items:
        return _("No messages waiting: nothing to answer.")
    messages = sum(len(i.messages) for i in items)
    customers = len({i.customer for i in items})
    return ngettext("{n} message waiting", "{n} messages waiting", messages).format(
        n=messages
    ) + ngettext(", from {n} customer.", ", from {n} customers.", customers).format(n=customers)


def _pending_in_outbox(shop: Shop) -> int:
    return pending_count(shop.store)


class _Terminal:
    """One session's loop over the items; each method is one of the maker's choices."""

    def checkin(self, item: CheckinItem) -> None:
        """A past client: write the suggested note (or an edited one), keep it for later, or
        mark it done (she already wrote to them)."""
        order, contact = item.order, item.contact
        self.echo("")
        self.echo(
            _("Past client: {name}, {ref} {title} (finished {day}).").format(
                name=contact["name"],
                ref=order["ref"],
                title=order["title"],
                day=(order["closed_at"] or "")[:10],
            )
        )
        self.echo(_("Suggested note:"))
        self.echo(item.suggestion.text)
        choice = self.prompt(_("[s]end, [e]dit, [k]eep for later, [d]one already"), default="k")
        text = item.suggestion.text
        if choice.lower().startswith("e"):
            text = (self.edited(text) or "").strip()
            choice = "s" if text else "k"
        if choice.lower().startswith("s"):
            self.summary.queued.append(write_checkin(self.shop, item, text))
        elif choice.lower().startswith("d"):
            checkin_done(self.shop, item)

    def __init__(
        self, shop: Shop, echo: Echo, prompt: Prompt, edit: Edit, summary: SessionSummary
    ) -> None:
        self.shop = shop
        self.echo = echo
        self.prompt = prompt
        self.edit = edit
        self.summary = summary

    def uncertain(self, row: dict[str, Any]) -> None:
        """A reply that may have been sent: the maker looks at the chat or her Sent folder and
        says what happened. Banco never sends it again on its own."""
        who = row["customer"] or json.loads(row["to_handle"])[1]
        order = f" ({row['ref']})" if row["ref"] else ""
        self.echo("")
        self.echo(
            _("This reply to {who}{order}, written {when}, may have been sent: {why}").format(
                who=who, order=order, when=local(self.shop, row["created_at"]), why=row["error"]
            )
        )
        self.show_quoted(row["text"])
        self.echo(_(UNCERTAIN_CHOICES))
        choice = self.ask(_("Your choice"), default="k").strip().lower()[:1]
        decision = {"r": "resend", "m": "mark_sent", "c": "cancel"}.get(choice)
        if decision is None:
            self.echo(_("Left as it is: `banco outbox` shows it."))
            return
        try:
            decide(self.shop, row["id"], decision)
        except OutboxError as e:
            self.echo(f"{str(e).capitalize()}.")
            return
        if decision == "resend":
            self.summary.queued.append(row["id"])
            self.echo(_("It goes out again when the session ends."))
        else:
            self.echo(_("Marked sent.") if decision == "mark_sent" else _("Cancelled."))

    def show_quoted(self, text: str) -> None:
        for line in (text or "").rstrip().splitlines():
            self.echo(f"    {line}".rstrip())

    def ask(self, text: str, default: str | None = None) -> str:
        if default == "":
            return str(self.prompt(text, default="", show_default=False)).strip()
        return str(self.prompt(text) if default is None else self.prompt(text, default=default))

    # One item ---------------------------------------------------------------------------------
    def handle(self, item: SessionItem, number: int, total: int) -> bool:
        """The maker's choices for one item until it is dealt with. False when she quits."""
        for line in item_lines(self.shop, item, number, total):
            self.echo(line)
        if there := marketplace_refusal(self.shop.store, item.latest["id"]):  # marketplace
            self.echo(f"! {there}")
        draft = _Draft(item, item.suggestion.text, edited=False)
        self.show_proposals(item)
        self.show_suggestion(draft)
        if asks_triage(self.shop, item):  # triage: a conversation, not an order (yet)
            self.echo(choices_line(self.shop, item))
        while True:
            choice = self.ask(_("Your choice")).strip().lower()[:1]
            if choice == "q":
                return False
            finished = self.act(choice, draft)
            if finished:
                return True

    def act(self, choice: str, draft: _Draft) -> bool:
        """Do one choice; True when the item is dealt with."""
        if choice == "a":
            return self.send(draft)
        if choice == "l":
            return self.send_later(draft)
        if choice == "s":
            self.summary.skipped += 1
            self.echo(_("Skipped: it stays waiting."))
            return True
        if choice == "z":
            return self.snooze(draft)
        if choice == "n":
            no_reply_needed(self.shop, draft.item)
            self.summary.no_reply += 1
            self.echo(_("Marked as needing no reply."))
            return True
        triaged = next((c for c in triage_choices(self.shop, draft.item) if c.key == choice), None)
        if triaged is not None:  # triage: her one-key answer about the sender
            return self.answer_sender(draft, triaged)
        actions = {
            "e": self.edit_draft,
            "t": self.pick_template,
            "o": self.pick_status,
            "f": self.confirm_fact,
            "x": self.dismiss_fact,
        }
        action = actions.get(choice)
        if action is None:
            self.echo(_(CHOICES))
        else:
            action(draft)
        return False

    def show_proposals(self, item: SessionItem) -> None:
        """What Banco read in the order's messages, each with its sentence, to confirm."""
        if not item.proposals:
            return
        self.echo(_("Banco read this in the messages; is it so?"))
        currency = self.shop.config.shop.currency
        for found in item.proposals:
            self.echo(f"  - {proposal_words(found, currency, self.day)}")
            self.echo("      " + _("“{sentence}”").format(sentence=found.sentence))
        self.echo(_(FACT_CHOICES))

    def day(self, value: str) -> str:
        return format_day(value, current_language(), _today(self.shop))

    def confirm_fact(self, draft: _Draft) -> None:
        self._decide_fact(draft, confirm_fact, _("Confirmed: {what}."))

    def dismiss_fact(self, draft: _Draft) -> None:
        self._decide_fact(draft, dismiss_fact, _("Dismissed: {what}."))

    def _decide_fact(
        self, draft: _Draft, decide: Callable[[Shop, SessionItem], SessionItem], done: str
    ) -> None:
        """Confirm or dismiss the first proposal; the suggestion follows the facts now."""
        if not draft.item.proposals:
            self.echo(_("Banco read nothing to confirm for this order."))
            return
        first = draft.item.proposals[0]
        try:
            draft.item = decide(self.shop, draft.item)
        except BancoError as e:
            self.echo(f"{said(e)}.")
            return
        currency = self.shop.config.shop.currency
        self.echo(done.format(what=proposal_words(first, currency, self.day)))
        if not draft.edited:
            draft.text = draft.item.suggestion.text
        self.show_proposals(draft.item)
        self.show_suggestion(draft)

    def answer_sender(self, draft: _Draft, choice: TriageChoice) -> bool:
        """Triage: order / not an order / never. True when the item needs nothing more (never);
        an order comes back with its suggestion, to answer now."""
        try:
            decided = answer_sender(self.shop, draft.item, choice)
        except SenderError as e:
            self.echo(f"{said(e)}.")
            return False
        self.echo(decided_line(decided))
        if decided.answer is Answer.NEVER:
            self.summary.no_reply += 1
            return True
        if decided.opened:
            draft.item = on_new_order(self.shop, draft.item, decided.opened[0])
            if not draft.edited:
                draft.text = draft.item.suggestion.text
            self.show_suggestion(draft)
        return False

    def show_suggestion(self, draft: _Draft) -> None:
        suggestion = draft.item.suggestion
        for problem in suggestion.problems:
            self.echo(f"! {problem}")
        self.echo(
            _("Suggested reply ({purpose}, in {language}):").format(
                purpose=_(PURPOSE_WORDS[suggestion.purpose]),
                language=_(LANGUAGE_NAMES.get(suggestion.language, suggestion.language)),
            )
        )
        self.show_text(draft.text)

    def show_text(self, text: str) -> None:
        for line in text.rstrip().splitlines():
            self.echo(f"    {line}".rstrip())
        self.echo("")
        self.echo(_(CHOICES))

    # The choices ------------------------------------------------------------------------------
    def send(self, draft: _Draft) -> bool:
        confirmed = self.warned(draft)
        if confirmed is None:
            return False
        try:
            outbox_id = answer(self.shop, draft.item, draft.text, confirmed=confirmed)
        except OutboxError as e:
            self.echo(_("This reply cannot be sent: {why}.").format(why=e))
            return False
        except ReplyError as e:
            self.echo(f"{str(e).capitalize()}.")
            return True
        self.summary.queued.append(outbox_id)
        self.echo(_("Queued: it goes out when the session ends."))
        return True

    def warned(self, draft: _Draft) -> bool | None:
        """Before a reply that reaches nobody (a bounce, a no-reply address) is queued: the
        warning and her answer. True: she wants it anyway; False: no warning; None: she does
        not (the draft is kept)."""
        warning = warning_for(self.shop, draft.item.latest["id"])
        if warning is None:
            return False
        self.echo(f"! {warning}")
        if self.ask(_("Send it anyway? [y/N]"), default="n").strip().lower()[:1] in YES:
            return True
        self.echo(_("Not queued; your reply is kept."))
        return None

    def send_later(self, draft: _Draft) -> bool:
        said = self.ask(_('Send at (such as "tomorrow 09:00"; blank to go back)'), default="")
        if not said:
            return False
        confirmed = self.warned(draft)
        if confirmed is None:
            return False
        try:
            at = send_time(self.shop, said)
            outbox_id = answer(self.shop, draft.item, draft.text, send_at=at, confirmed=confirmed)
        except (WhenError, OutboxError) as e:
            self.echo(f"{str(e)[:1].upper()}{str(e)[1:]}.")
            return False
        except ReplyError as e:
            self.echo(f"{str(e).capitalize()}.")
            return True
        self.summary.scheduled.append((outbox_id, at))
        self.echo(
            _("Scheduled for {when}; `banco outbox cancel {id}` cancels it until then.").format(
                when=when(self.shop, at), id=outbox_id
            )
        )
        return True

    def snooze(self, draft: _Draft) -> bool:
        until = snooze(self.shop, draft.item)
        self.summary.snoozed.append(until)
        self.echo(_("Snoozed to {when}.").format(when=when(self.shop, until)))
        return True

    def edit_draft(self, draft: _Draft) -> None:
        quoted = "\n".join(f"# > {line}" for line in (draft.item.latest["text"] or "").splitlines())
        result = self.edited(f"{draft.text.rstrip()}\n\n{_(EDIT_HELP)}\n{quoted}\n")
        if result is None:
            self.echo(_("Nothing changed."))
            return
        text = "\n".join(line for line in result.splitlines() if not line.startswith("#")).strip()
        if not text:
            self.echo(_("The reply was empty; the one before is kept."))
            return
        draft.text, draft.edited = text + "\n", True
        self.echo(_("Your reply:"))
        self.show_text(draft.text)

    def edited(self, text: str) -> str | None:
        """``text`` as she changed it; an editor that fails is said in one line and changes
        nothing: the session and the draft go on."""
        try:
            return self.edit(text)
        except EditorFailed as e:
            self.echo(str(e))
            return None

    def pick_template(self, draft: _Draft) -> None:
        suggestion = draft.item.suggestion
        for number, name in enumerate(PURPOSES, 1):
            self.echo(f"  {number}. {_(PURPOSE_WORDS[name])}")
        self.echo(
            _(
                "In {language}; add en, it or fr after the number for another language (it is"
                " remembered for this customer)."
            ).format(language=_(LANGUAGE_NAMES.get(suggestion.language, suggestion.language)))
        )
        words = self.ask(_("Template number"), default="").lower().split()
        purpose = _pick(PURPOSES, words[0] if words else "")
        language = words[1] if len(words) > 1 else suggestion.language
        if purpose is None or language not in LANGUAGE_NAMES:
            self.echo(
                _("Pick a number from 1 to {n}, then en, it or fr if you like.").format(
                    n=len(PURPOSES)
                )
            )
            return
        contact = draft.item.contact
        if language != suggestion.language and contact and contact.get("id") is not None:
            set_language(self.shop, contact["id"], language)
        new = suggestion_for(self.shop, purpose, language, draft.item.order, contact)
        draft.item = _with_suggestion(draft.item, new)
        draft.text, draft.edited = new.text, False
        self.show_suggestion(draft)

    def pick_status(self, draft: _Draft) -> None:
        order = draft.item.order
        if order is None:
            self.echo(_("This message has no order, so it has no status."))
            return
        for number, name in enumerate(STATUSES, 1):
            mark = _("  (now)") if name == order["status"] else ""
            self.echo(f"  {number}. {_(STATUS_WORDS[name])}{mark}")
        status = _pick(STATUSES, self.ask(_("Status number"), default=""))
        if status is None:
            self.echo(_("The status is unchanged."))
            return
        try:
            draft.item = change_status(self.shop, draft.item, status)
            if status == "quoted":
                draft.item = self.ask_price(draft.item)
        except (OrderError, ReplyError) as e:
            self.echo(f"{e}.")
            return
        self.summary.status_changes += 1
        self.echo(
            _("{ref} is now {status}.").format(ref=order["ref"], status=_(STATUS_WORDS[status]))
        )
        if draft.edited:
            self.echo(_("Your edited reply is kept; [t] picks a template instead."))
            self.show_text(draft.text)
        else:
            draft.text = draft.item.suggestion.text
            self.show_suggestion(draft)

    def ask_price(self, item: SessionItem) -> SessionItem:
        lang, currency = self.shop.config.shop.language, self.shop.config.shop.currency
        current = stored_amount((item.order or {}).get("price"))
        hint = (
            _("blank keeps {price}").format(price=format_amount(current, lang))
            if current
            else _("blank to leave it unset")
        )
        answer_text = self.ask(_("Price ({hint})").format(hint=hint), default="")
        if not answer_text:
            return item
        try:
            price = parse_amount(answer_text, lang, currency)
        except AmountError as e:
            self.echo(
                _("{why}; the price is unchanged (`banco orders price` sets it).").format(why=e)
            )
            return item
        return set_price(self.shop, item, price)


@dataclass
class _Draft:
    """The reply being prepared for one item."""

    item: SessionItem
    text: str
    edited: bool


def _with_suggestion(item: SessionItem, suggestion: Suggestion) -> SessionItem:
    return replace(item, suggestion=suggestion)


def _pick(options: tuple[str, ...], answer_text: str) -> str | None:
    answer_text = answer_text.strip()
    if answer_text.isdigit() and 1 <= int(answer_text) <= len(options):
        return options[int(answer_text) - 1]
    return None


# What an item looks like ------------------------------------------------------------------------
def item_lines(shop: Shop, item: SessionItem, number: int, total: int) -> list[str]:
    """The item as the maker reads it: order, customer, conversation, the waiting message(s)."""
    lines = ["", _("── {n} of {total} ").format(n=number, total=total) + "─" * 40]
    lines.append(order_line(shop, item.order))
    lines.append(customer_line(item))
    lines += merge_lines(shop, item)  # customers: who she may be, one line each with its command
    if item.latest["new_sender"]:
        lines.append(
            _(
                "! From a new sender, not the order's customer: if it is them, `banco orders link"
                " {id}`; the suggested reply says nothing about the order."
            ).format(id=item.latest["id"])
        )
    edited = _edits_said(shop, item)
    if item.context:
        lines += ["", _("The conversation so far:")]
        for m in item.context:
            lines += [f"  {context_line(shop, m)}", *[f"    {e}" for e in edited(m["id"])]]
    count = len(item.messages)
    lines += ["", _("Waiting:") if count == 1 else _("Waiting ({n}):").format(n=count)]
    for message in item.messages:
        lines += waiting_lines(shop, message) + edited(message["id"])
    lines += [pending_line(shop, row) for row in item.pending]
    return lines


def _edits_said(shop: Shop, item: SessionItem) -> Callable[[int], list[str]]:
    """A message's edits as lines (``orders.edits``), by its id."""
    return lambda message_id: edit_lines(
        item.edits.get(message_id, []), lambda at: when(shop, parse_iso(at))
    )


def pending_line(shop: Shop, row: dict[str, Any]) -> str:
    """A reply to this order still in the outbox, written before the message above came."""
    state = _(state_words(row))
    if row["send_at"] and row["status"] == "queued":
        state = _("{state} for {when}").format(
            state=state, when=when(shop, parse_iso(row["send_at"]))
        )
    return _(
        '! You wrote reply {id} to this order ({state}) before this message came: "{text}".'
        " Read the new message before it goes; `banco outbox cancel {id}` if it no longer fits."
    ).format(id=row["id"], state=state, text=_snippet(row["text"]))


def _snippet(text: str) -> str:
    text = " ".join((text or "").split())
    return text[:SNIPPET] + ("…" if len(text) > SNIPPET else "")


def order_line(shop: Shop, order: dict[str, Any] | None) -> str:
    if order is None:
        return _("No order yet.")
    parts = [order["ref"], order["title"], _(STATUS_WORDS.get(order["status"], order["status"]))]
    if order["deadline"]:
        parts.append(
            _("due {day} ({until})").format(
                day=format_day(order["deadline"], current_language(), _today(shop)),
                until=_until(order["deadline"], _today(shop)),
            )
        )
    return " · ".join(p for p in parts if p)


def customer_line(item: SessionItem) -> str:
    latest = item.latest
    name = (item.contact or {}).get("name") or latest["sender"] or _("unknown sender")
    handle = latest["sender_handle"] or ""
    return " · ".join(p for p in (name, handle if handle != name else "", latest["channel"]) if p)


def merge_lines(shop: Shop, item: SessionItem) -> list[str]:
    """The merges Banco suggests for the item's customer or order (``customers.view``)."""
    order_ids = [item.order["id"]] if item.order else []
    found = suggested_for(shop.store, (item.contact or {}).get("id"), order_ids)
    return ["! " + suggestion_line(s) for s in found]


def context_line(shop: Shop, message: dict[str, Any]) -> str:
    who = _("You") if message["direction"] == "out" else (message["sender"] or _("Customer"))
    text = _snippet(message["text"] or message["subject"] or "")
    if message["status"] != "ok":
        text = _("(Banco could not read this message)")
    return f"{local(shop, message['sent_at'])}  {who} ({message['channel']}): {text}"


def waiting_lines(shop: Shop, message: dict[str, Any]) -> list[str]:
    """A waiting message in full, but for the quoted earlier message under it."""
    header = [local(shop, message["sent_at"]), message["channel"], message["subject"] or ""]
    lines = (message["text"] or "").splitlines()
    own = [line for line in lines if not line.lstrip().startswith(">")]
    quoted = len(lines) - len(own)
    while own and not own[-1].strip():
        own.pop()
    body = [f"    {line}".rstrip() for line in own]
    if quoted:
        body.append(
            "    "
            + ngettext(
                "({n} quoted line not shown)", "({n} quoted lines not shown)", quoted
            ).format(n=quoted)
        )
    return ["  " + " · ".join(p for p in header if p), *body, ""]


def local(shop: Shop, moment: str | None) -> str:
    if not moment:
        return ""
    there = parse_iso(moment).astimezone(shop.config.shop.timezone)
    return format_datetime(there, "d MMM HH:mm", locale=locale_of(current_language()))


def when(shop: Shop, moment: datetime) -> str:
    """ "17:00", "tomorrow 09:00" or "Mon 24 Nov 09:00", in the shop's time zone."""
    zone = shop.config.shop.timezone
    there = moment.astimezone(zone)
    days = (there.date() - _today(shop)).days
    locale = locale_of(current_language())
    if days == 0:
        return format_time(there, "HH:mm", locale=locale)
    if days == 1:
        return _("tomorrow {time}").format(time=format_time(there, "HH:mm", locale=locale))
    return format_datetime(there, "EEE d MMM HH:mm", locale=locale)


def _today(shop: Shop) -> date:
    return shop.clock.now().astimezone(shop.config.shop.timezone).date()


def _until(day: str, today: date) -> str:
    delta = date.fromisoformat(day[:10]) - today
    lang = current_language()
    if delta.days == 0:
        return _("today")
    if delta.days < 0:
        return _("{time} late").format(time=duration(-delta, lang))
    return _("in {time}").format(time=duration(timedelta(days=delta.days), lang))


# The closing lines --------------------------------------------------------------------------------
def closing_lines(shop: Shop, summary: SessionSummary) -> list[str]:
    lines = [_replies_line(shop, summary)]
    for outbox_id, at in summary.scheduled:
        lines.append(_("Reply {id} scheduled for {when}").format(id=outbox_id, when=when(shop, at)))
    for moment, count in Counter(when(shop, t) for t in summary.snoozed).items():
        lines.append(_("{n} snoozed to {when}").format(n=count, when=moment))
    if summary.no_reply:
        lines.append(_("{n} marked as needing no reply").format(n=summary.no_reply))
    if summary.status_changes:
        lines.append(
            ngettext(
                "{n} order status changed", "{n} order statuses changed", summary.status_changes
            ).format(n=summary.status_changes)
        )
    if summary.skipped:
        lines.append(_("{n} skipped: still waiting").format(n=summary.skipped))
    if summary.not_reached:
        lines.append(
            _("{n} not reached: they wait for the next session").format(n=summary.not_reached)
        )
    return [line for line in lines if line]


def _replies_line(shop: Shop, summary: SessionSummary) -> str:
    if not summary.deliveries:
        return "" if summary.scheduled else _("No replies sent.")
    sent = summary.count("sent")
    parts = [_("{n} sent now").format(n=sent)] if sent else []
    errors = Counter(
        _outbox_error(shop, d.outbox_id) for d in summary.deliveries if d.status == "queued"
    )
    parts += [
        _("{n} kept in the outbox: {why}").format(n=n, why=error) for error, n in errors.items()
    ]
    parts += [
        _("1 refused ({why}): the message still waits for another answer").format(why=d.error)
        for d in summary.deliveries
        if d.status == "failed"
    ]
    parts += [
        _(
            "reply {id} may have been sent ({why}): look, then `banco outbox resend {id}` or"
            " `banco outbox mark-sent {id}`"
        ).format(id=d.outbox_id, why=d.error)
        for d in summary.deliveries
        if d.status == "may_have_been_sent"
    ]
    if summary.count("elsewhere"):
        parts.append(_("{n} being sent by another Banco").format(n=summary.count("elsewhere")))
    return ", ".join(parts)


def _outbox_error(shop: Shop, outbox_id: int) -> str:
    """ "will retry (the server is busy)" from the outbox's "will retry: the server is busy"."""
    error = reply_error(shop.store, outbox_id)
    what, _sep, why = error.partition(": ")
    return f"{what} ({why})" if why else what or _("will retry")
