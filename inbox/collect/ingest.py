"""Save connector records into the store: contacts, threads, orders and messages.

A record is filed in named steps (``Ingest._save`` and ``Ingest._file_new``): same message? which
contact? which thread? which order? then the message itself, and who waits now. Each step is a
small method over the store's noun modules (``store.messages``, ``contacts``, ``threads``,
``orders``), which hold the SQL.

Rules, in the order they are tried for an incoming message:

1. the order whose link for the customer the sender opened (Telegram's ``/start <token>`` deep
   link; the token is the order's own, nobody can guess it): the sender becomes a handle of that
   order's customer;
2. the conversation it replies to (In-Reply-To and every References entry);
3. the order reference quoted in the subject or text (``B-0042``, also ``/start B-0042``);
4. the same chat, while its order is open;
5. the sender's open order;
6. otherwise triage (``collect.triage``) decides whether it opens a ``new`` order: a form answer,
   the maker's remembered answer about the sender or their domain, a known customer, an
   inquiry in the customer's words; else it stays a conversation (contact and thread, no order)
   that waits for the maker's one key: order / not an order / never.

A subject change alone never splits a conversation.

A message filed on an order whose customer is someone else (they quoted its reference, or wrote
on in a chat that did) is "from a new sender": it stays on the sender's own contact, so no reply
goes to their addresses unless it answers one of their messages, until the maker links them to
the customer (``orders.link_sender``). Only an opened link joins a sender to a customer unasked.

A form answer always opens its own order. A sender the maker called "never a customer" (or their
domain) is filed in a conversation that waits for nobody. Auto-replies, bounces, bulk mail and
unreadable messages never create orders or contacts; they join a conversation when their headers
say which.
A record seen again with the same content is ignored; with new content (an edited Telegram message,
a form row changed in the sheet) it replaces the stored one and the old version is kept.
A copy of a stored mail (the same Message-ID, sender, recipients, date and content: in another
folder, delivered again, in a renumbered folder) is not stored again, only listed where it was
found, so that each folder's count agrees with the source. A different mail that reuses a
Message-ID is a message of its own, in a conversation of its own unless its headers reply to one.

A marketplace's mail (``collect.marketplace``) is filed before these rules: a sale opens an order
for its buyer, keyed by the marketplace's order number; a buyer's message joins that order; mail
from a marketplace that is neither is its automatic mail, on no order.

The maker's own message joins an order only when it is written to that order's customer (To, Cc,
the chat) or replies to their message, and answers only those it is written to (see
``Ingest._settle_waiting``). Banco's own note to her (the digest), found in her mailbox, is kept
on no order and in no conversation.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from banco.connectors import Handle, OrderFields, Page, Record
from banco.connectors.base import OWN_NOTE
from banco.inbox.clock import iso
from banco.inbox.collect.bounces import (
    file_bounce,
    file_bounces_before,
    file_earlier_bounces,
    works_again,
)
from banco.inbox.collect.form_ids import adopt_earlier_form_id
from banco.inbox.collect.marketplace import read_notice  # marketplace
from banco.inbox.collect.marketplace.filing import (  # marketplace
    file_notice,
    unread_marketplace_mail,
)
from banco.inbox.collect.triage import Verdict, triage
from banco.inbox.i18n.catalogs import _, said
from banco.inbox.orders.facts import propose as propose_facts
from banco.inbox.orders.pipeline import add_event, create_order, may_hold_ref, ref_pattern
from banco.inbox.store import backfill, contacts, messages, senders, threads
from banco.inbox.store.accounts import save_cursor
from banco.inbox.store.copies import copy_key
from banco.inbox.store.database import SaveFile, Store
from banco.inbox.store.messages import NewContent, RepliedMessage, Scope, StoredMessage
from banco.inbox.store.orders import (
    OrderCustomer,
    is_open,
    open_order_of,
    order_by_token,
    order_customer,
    touch_order,
    update_order,
)
from banco.inbox.store.tasks import tick_answer_task
from banco.inbox.store.threads import Thread

#: JSON as stored, letters kept as they are (an encoder made once: ``json.dumps`` with options
#: makes one per call)
_to_json = json.JSONEncoder(ensure_ascii=False).encode


@dataclass
class Counts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    unreadable: int = 0
    orders: int = 0

    def add(self, other: Counts) -> None:
        for key, value in asdict(other).items():
            setattr(self, key, getattr(self, key) + value)


@dataclass
class Ingest:
    """Saves pages for one account. ``owner`` holds the maker's own handles."""

    store: Store
    account: str
    now: datetime
    order_prefix: str = "B"
    owner: set[Handle] = field(default_factory=set)
    #: for a reply sent from Banco: when the maker wrote it (the outbox row's ``created_at``); it
    #: answers the messages collected by then, the ones she could see
    answers_collected_by: str | None = None
    #: this is the account's first collect: what it files is history (``collect.backfill``)
    backfill: bool = False
    _stamp: tuple[datetime | None, str] = field(default=(None, ""), init=False, repr=False)
    _copy: tuple[Record | None, str | None] = field(default=(None, None), init=False, repr=False)

    def _now_iso(self) -> str:
        """``now`` as stored, worked out once for all the rows a page writes."""
        if self._stamp[0] is not self.now:
            self._stamp = (self.now, iso(self.now) or "")
        return self._stamp[1]

    def save_page(self, page: Page) -> Counts:
        """Write a page's records and its cursor in one transaction."""
        try:
            return self._save_page(page, one_by_one=False)
        except Exception:
            # A record broke filing: the page is filed again a record at a time, so that the
            # failure costs only that record (kept raw). Filing the page in one piece spares
            # SQLite a copy of every database page each record touches.
            return self._save_page(page, one_by_one=True)

    def _save_page(self, page: Page, one_by_one: bool) -> Counts:
        with self.store.db.atomic():
            with self.store.saving_files() as save_file:
                counts = self.save_records(page.records, page.stream, save_file, one_by_one)
            save_cursor(
                self.store,
                self.account,
                page.stream,
                json.dumps(page.cursor),
                self._now_iso(),
                page.source_count,
            )
        return counts

    def save_records(
        self,
        records: list[Record],
        stream: str,
        save_file: SaveFile | None = None,
        one_by_one: bool = True,
    ) -> Counts:
        """File ``records``; ``one_by_one``: each on its own, a failing one kept raw."""
        counts = Counts()
        save = save_file or self.store.save_file
        for record in records:
            if one_by_one:
                self._save_one(record, stream, counts, save)
            else:
                self._save(record, stream, counts, save)
        return counts

    def _save_one(self, record: Record, stream: str, counts: Counts, save_file: SaveFile) -> None:
        try:
            with self.store.db.atomic():
                self._save(record, stream, counts, save_file)
        except Exception as e:  # a bug on one record must not cost the page: keep it raw
            if messages.message_id_of(self.store, self.account, record.external_id) is None:
                problem = _("Banco could not file this message ({error})").format(error=e)
                self._quarantine(record, stream, problem)
            counts.unreadable += 1

    def _save(self, record: Record, stream: str, counts: Counts, save_file: SaveFile) -> None:
        if record.direction == "in" and record.sender and self.owner & set(record.sender.handles):
            record.direction = "out"  # the maker's own mail, found in an inbound folder
        adopt_earlier_form_id(self.store, self.account, record)
        digest = record.fingerprint()
        existing = self._same_message(record)
        if existing is not None:
            self._seen_again(existing, record, stream, digest, counts)
            return
        message_id = self._file_new(record, stream, digest, counts)
        self._save_attachments(message_id, record, save_file)
        if record.status == "unreadable":
            counts.unreadable += 1
        counts.new += 1

    # Same message? ------------------------------------------------------------------------------
    def _same_message(self, record: Record) -> StoredMessage | None:
        """The stored version of ``record``: same id; else the message it is a copy of (same
        Message-ID and ``copy_key``, in the same direction): found in another folder, delivered
        again, or in a mailbox whose UIDs were renumbered; else a reply Banco sent, found in the
        mailbox by its Message-ID alone (Banco makes a new one for every reply, and the server's
        copy need not be byte for byte what Banco composed). Another message that only shares
        the Message-ID (contact-form plugins and shop systems reuse one) is not it."""
        found = messages.stored_under(self.store, self.account, record.external_id)
        key = self._copy_key(record)
        if found is not None or key is None:
            return found
        return messages.stored_copy(
            self.store, self.account, record.direction, record.message_key, key
        )

    def _copy_key(self, record: Record) -> str | None:
        """``record_copy_key(record)``, worked out once: filing asks for it twice."""
        if self._copy[0] is not record:
            self._copy = (record, record_copy_key(record))
        return self._copy[1]

    def _seen_again(
        self, existing: StoredMessage, record: Record, stream: str, digest: str, counts: Counts
    ) -> None:
        """``record`` is the stored message ``existing``: seen again, a copy of it, or edited."""
        if existing.stream == "outbox" and stream != "outbox":
            # A reply Banco sent, found in the mailbox: it now lives where the mailbox keeps
            # it, so the folder's count and Banco's agree.
            messages.move_to_stream(self.store, existing.id, stream)
        elif _is_copy(existing, record, stream, digest):
            self._note_copy(existing, record, stream)
        if existing.content_hash == digest or existing.external_id != record.external_id:
            counts.unchanged += 1  # the same content, or another copy: never an edit
        else:
            self._replace(existing, record, digest)
            counts.updated += 1

    def _note_copy(self, existing: StoredMessage, record: Record, stream: str) -> None:
        """List where a copy of the stored message ``existing`` was found, so that the folder's
        count at the source and Banco's agree (``stored_count``). A copy of the same size in a
        folder that already holds the message is that message under a new number (the folder
        was rebuilt, its UIDs renumbered), not one more copy: a copy delivered again differs in
        its Received headers."""
        size = _size(record)
        if existing.stream == stream and existing.size == size:
            return
        messages.note_copy(self.store, self.account, stream, record.external_id, existing.id, size)

    def _replace(self, existing: StoredMessage, record: Record, digest: str) -> None:
        new_fields = _fields_json(record.order) if record.order else None
        content: NewContent = {
            "subject": said(record.subject),
            "text": record.text,
            "raw": record.raw,
            "status": record.status,
            "problem": said(record.problem),
            "content_hash": digest,
            "order_fields": _to_json(new_fields) if new_fields else None,
        }
        messages.replace_content(self.store, existing, content, self._now_iso())
        if record.order is not None and existing.order_id is not None:
            self._edit_order(existing.order_id, existing.order_fields, record.order)

    def reparse(self, record: Record, was_unreadable: bool, save_file: SaveFile) -> bool:
        """Give the stored message ``record`` is a new reading of (its raw bytes parsed again by
        a better parser: ``banco messages reprocess``) the new content and attachments; the old
        content is kept as a revision. One that could not be read before and can now waits for
        the maker as a new message would. True when anything changed."""
        existing = messages.stored_under(self.store, self.account, record.external_id)
        digest = record.fingerprint()
        if existing is None or existing.content_hash == digest:
            return False
        self._replace(existing, record, digest)
        messages.drop_attachments(self.store, existing.id)
        self._save_attachments(existing.id, record, save_file)
        if was_unreadable:
            messages.set_waiting(self.store, existing.id, _waits(record))
        return True

    def _edit_order(self, order_id: int, stored_fields: str | None, fields: OrderFields) -> None:
        """Give the order the edited answers of its form, and note which changed."""
        before = order_columns_from_json(json.loads(stored_fields or "{}"))
        new = order_columns(fields)
        changed = {k: [before.get(k), v] for k, v in new.items() if before.get(k) != v}
        if not changed:
            return
        update_order(
            self.store,
            order_id,
            {**{k: v[1] for k, v in changed.items()}, "updated_at": self._now_iso()},
        )
        add_event(
            self.store,
            order_id,
            self.now,
            "form_edit",
            data=changed,
        )

    # Filing a new message -----------------------------------------------------------------------
    def _file_new(self, record: Record, stream: str, digest: str, counts: Counts) -> int:
        """File a record not stored yet: which contact? which thread? which order? then the
        message itself, and who waits now."""
        if record.auto == OWN_NOTE:
            return self._file_own_note(record, stream, digest)
        # marketplace: a sale is an order for its buyer, their message joins it
        notice = read_notice(record)
        if notice is not None:
            return file_notice(self, record, stream, digest, counts, notice)
        record = unread_marketplace_mail(record)  # marketplace: never an order, nor a customer
        claimed = self._claimed_order(record)
        contact_id = self._which_contact(record, claimed)
        replied = self._replied_message(record)
        thread = self._which_thread(record, replied)
        parties = self._parties(record, contact_id, replied)
        order_id = self._which_order(record, contact_id, claimed, replied, thread, parties)
        verdict = None
        if order_id is None and _opens_order(record) and contact_id is not None:
            verdict = self._triage(record, contact_id)
            if verdict.opens_order:
                order_id = self._new_order(record, contact_id)
                counts.orders += 1
        thread_id = self._thread_filed_on(record, thread, contact_id, order_id)
        sent = iso(record.sent_at) or self._now_iso()
        message_id = self._insert_message(
            record,
            stream,
            sent,
            thread_id=thread_id,
            contact_id=contact_id,
            order_id=order_id,
            digest=digest,
            waits=verdict is None or verdict.waits,
        )
        self._note_on_order(record, message_id, order_id, contact_id, claimed)
        # a person's own words propose facts (a form's answers are fields already), never applied;
        # a first collect's history proposes none (read at 3-10 ms a date: minutes on a large one)
        if (
            order_id is not None
            and _opens_order(record)
            and record.order is None
            and not self.backfill
        ):
            propose_facts(
                self.store, order_id, message_id, record.text, record.sent_at or self.now, self.now
            )
        if record.auto == "bounce":  # customers: on the returned mail's order, address failing
            file_bounce(self.store, message_id, record.raw, record.sent_at or self.now)
        elif contact_id is not None and order_id is not None:
            file_earlier_bounces(self.store, contact_id, order_id)
        if record.direction == "out":  # customers: a bounce read before the mail it returned
            file_bounces_before(self.store, message_id, record, sent, (order_id, thread_id))
        works_again(self.store, record, sent)  # customers: mail from a failing address came
        self._settle_waiting(message_id, record, sent, order_id, thread_id, parties)
        return message_id

    def _file_own_note(self, record: Record, stream: str, digest: str) -> int:
        """Banco's note to the maker (the digest), found in her mailbox: kept, but on no order and
        in no conversation; it names orders and customers, and answers none of them."""
        sent = iso(record.sent_at) or self._now_iso()
        return self._insert_message(record, stream, sent, digest=digest)

    # Which contact? -----------------------------------------------------------------------------
    def _which_contact(self, record: Record, claimed: OrderCustomer | None) -> int | None:
        """The sender's contact for a customer's message; the first known recipient's for the
        maker's. A customer who opened an order's link is that order's customer."""
        people = [record.sender] if record.direction == "in" else record.recipients
        return self._contact(
            [h for person in people if person for h in person.handles],
            people[0].name if people and people[0] else "",
            create=_opens_order(record),
            default=claimed.contact_id if claimed else None,
            adopt=record.direction == "in",
        )

    def _contact(
        self,
        handles: list[Handle],
        name: str,
        create: bool,
        default: int | None = None,
        adopt: bool = True,
    ) -> int | None:
        """The contact any of ``handles`` belongs to (else ``default``); with ``adopt``, the
        other handles are added to it. Only a sender's own handles are one person's: the
        recipients of the maker's mail (a customer, the courier in Cc) are several people."""
        handles = [h for h in handles if h.value and h not in self.owner]
        if not handles:
            return default
        known: dict[Handle, int] = {}
        for h in handles:
            owner = contacts.contact_of(self.store, h)
            if owner is not None:
                known[h] = owner
        found: int | None = next(iter(known.values()), default)
        if found is None:
            if not create:
                return None
            found = contacts.add_contact(self.store, name or handles[0].value, self._now_iso())
        elif name and not known:
            contacts.name_if_unnamed(self.store, found, name)
        for h in handles if adopt else ():
            if h not in known:  # a new address of this person; one already taken stays where it is
                contacts.add_handle(self.store, found, h, name)
        return found

    # Which thread? ------------------------------------------------------------------------------
    def _replied_message(self, record: Record) -> RepliedMessage | None:
        """The stored message ``record`` answers: the first of its reply keys that names one.

        Several share a key when a mailer reuses its Message-ID (each contact-form submission,
        each shop notice). The maker's reply goes to the person who wrote, and a customer answers
        the copy of her own mail, so one from a person the reply is written to or by comes first;
        then the newest sent before the reply (which it can have answered), then the newest."""
        people = [*record.recipients, record.sender] if record.sender else record.recipients
        involved = list({h.value for person in people for h in person.handles})
        before = iso(record.sent_at) or "9999"  # without a date, any message may be the one
        for key in record.reply_keys:
            found = messages.replied_message(self.store, key, involved, before)
            if found is not None:
                return found
        return None

    def _which_thread(self, record: Record, replied: RepliedMessage | None) -> Thread | None:
        """The conversation of the message it replies to, else of its chat (or form row)."""
        if replied is not None and replied.thread_id is not None:
            return threads.thread_by_id(self.store, replied.thread_id)
        if record.conversation:
            return threads.thread_by_key(self.store, self.account, record.conversation)
        return None

    def _thread_filed_on(
        self, record: Record, thread: Thread | None, contact_id: int | None, order_id: int | None
    ) -> int:
        """The id of ``thread``, filed on ``order_id`` if it was on none; else of a new one."""
        if thread is None:
            return self._new_thread(record, contact_id, order_id).id
        if order_id is not None and thread.order_id is None:
            threads.file_on_order(self.store, thread.id, order_id)
        return thread.id

    def _new_thread(self, record: Record, contact_id: int | None, order_id: int | None) -> Thread:
        """A conversation for ``record``, keyed by its chat (or form row), else its Message-ID.
        A taken chat key is that chat's conversation. A taken Message-ID is another message's
        that reused it (a contact-form plugin sending every submission with one): this message
        starts a conversation of its own, keyed by its id; its headers did not say it replies."""
        keys = (
            [record.conversation]
            if record.conversation
            else [k for k in (record.message_key, f"id:{record.external_id}") if k]
        )
        for key in keys:
            added = threads.add_thread(
                self.store,
                {
                    "account": self.account,
                    "channel": record.channel,
                    "key": key,
                    "subject": said(record.subject),
                    "contact_id": contact_id,
                    "order_id": order_id,
                    "created_at": self._now_iso(),
                },
            )
            if added is not None:
                return added
        # the chat's conversation (or this message's own, made before)
        found = threads.thread_by_key(self.store, self.account, keys[-1])
        assert found is not None
        return found

    # Which order? -------------------------------------------------------------------------------
    def _claimed_order(self, record: Record) -> OrderCustomer | None:
        """The order whose link the sender opened. Only its token proves the maker gave it: a
        reference after ``/start`` (typed, or an old link) is a quoted reference like any other."""
        if not record.order_ref or record.direction != "in":
            return None
        return order_by_token(self.store, record.order_ref)

    def _parties(
        self, record: Record, contact_id: int | None, replied: RepliedMessage | None
    ) -> set[int]:
        """Whom the message speaks to (the maker's) or comes from (a customer's)."""
        if record.direction == "out":
            return self._written_to(record, replied)
        return {contact_id} if record.direction == "in" and contact_id is not None else set()

    def _written_to(self, record: Record, replied: RepliedMessage | None) -> set[int]:
        """The contacts the maker's message speaks to: those it is addressed to (To, Cc, the
        chat) and the sender of the message it replies to."""
        found = {
            contacts.contact_of(self.store, h)
            for person in record.recipients
            for h in person.handles
            if h not in self.owner
        }
        if replied is not None:
            found.add(replied.contact_id)
        return {contact for contact in found if contact is not None}

    def _which_order(
        self,
        record: Record,
        contact_id: int | None,
        claimed: OrderCustomer | None,
        replied: RepliedMessage | None,
        thread: Thread | None,
        parties: set[int],
    ) -> int | None:
        """The order whose link was opened, else the one the rules find. The maker's message
        goes on it only if it answers a message there or speaks to its customer: her mail
        naming an order but written to someone else is on none."""
        if claimed is not None:
            return claimed.id
        order_id = self._order_for(record, contact_id, replied, thread)
        answers_on_order = replied is not None and replied.order_id == order_id
        if record.direction == "out" and not (
            answers_on_order or self._is_order_of(order_id, parties)
        ):
            return None
        return order_id

    def _order_for(
        self,
        record: Record,
        contact_id: int | None,
        replied: RepliedMessage | None,
        thread: Thread | None,
    ) -> int | None:
        if record.order is not None:
            return None  # a form answer is always an order of its own
        if replied is not None and replied.order_id is not None:
            return int(replied.order_id)
        for text in (record.subject or "", record.text or ""):
            if not may_hold_ref(text, self.order_prefix):
                continue
            for match in ref_pattern(self.order_prefix).finditer(text):
                if self._may_quote(record, int(match[1]), contact_id):
                    return int(match[1])
        if (
            thread is not None
            and thread.order_id is not None
            and is_open(self.store, thread.order_id)
        ):
            return int(thread.order_id)
        if contact_id is None:
            return None
        return open_order_of(self.store, contact_id)

    def _may_quote(self, record: Record, order_id: int, contact_id: int | None) -> bool:
        """Whether a quoted reference files ``record`` on that order: any order for an incoming
        message; for the maker's own, only an order of whom she writes to (a note to her courier
        about ``B-0008`` is not a message to that order's customer)."""
        order = order_customer(self.store, order_id)
        return order is not None and (record.direction == "in" or order.contact_id == contact_id)

    def _is_order_of(self, order_id: int | None, customers: set[int]) -> bool:
        """Whether ``order_id`` (if any) is the order of one of ``customers``."""
        if order_id is None:
            return True
        return self._customer_of(order_id) in customers

    def _customer_of(self, order_id: int) -> int | None:
        order = order_customer(self.store, order_id)
        return order.contact_id if order is not None else None

    def _triage(self, record: Record, contact_id: int) -> Verdict:
        """Whether a message no rule filed on an order opens one (``collect.triage``)."""
        handles = record.sender.handles if record.sender else []
        remembered = senders.answer_for(self.store, handles)
        return triage(
            record,
            remembered.answer if remembered else None,
            senders.is_customer(self.store, contact_id),
        )

    def _new_order(self, record: Record, contact_id: int) -> int:
        fields = record.order
        title = (fields.title if fields else "") or record.subject or _first_line(record.text)
        # a connector's own words for a title ("Order form") are said in her language
        extra = order_columns(fields) if fields else {}
        order_id = create_order(
            self.store,
            self.order_prefix,
            self.now,
            contact_id=contact_id,
            title=said(title) or _("New inquiry"),
            account=self.account,
            fields=extra,
            via="form" if fields else record.channel,
        )
        if self.backfill:
            backfill.mark_past(self.store, order_id)
        return order_id

    def _note_on_order(
        self,
        record: Record,
        message_id: int,
        order_id: int | None,
        contact_id: int | None,
        claimed: OrderCustomer | None,
    ) -> None:
        """The order was written on now, and a customer writing after the first collect makes
        it news again; a customer's message on another customer's order (not one whose link they
        opened) is from a new sender."""
        if order_id is None:
            return
        touch_order(self.store, order_id, self._now_iso())
        if not self.backfill and _opens_order(record):
            backfill.revive(self.store, order_id)
        if (
            _opens_order(record)
            and claimed is None
            and contact_id is not None
            and self._customer_of(order_id) != contact_id
        ):
            messages.mark_new_sender(self.store, message_id)

    # The message itself -------------------------------------------------------------------------
    def _insert_message(
        self,
        record: Record,
        stream: str,
        sent: str,
        *,
        thread_id: int | None = None,
        contact_id: int | None = None,
        order_id: int | None = None,
        digest: str = "",
        waits: bool = True,
    ) -> int:
        """Store the message; ``waits``: False when triage says it waits for nobody (a sender
        the maker called "never a customer")."""
        sender = record.sender
        sender_handle = _sender_handle(record)
        waiting = _waits(record) and waits
        return messages.add_message(
            self.store,
            {
                "account": self.account,
                "stream": stream,
                "channel": record.channel,
                "external_id": record.external_id,
                "direction": record.direction,
                "thread_id": thread_id,
                "contact_id": contact_id,
                "order_id": order_id,
                "sender": (sender.name or sender_handle) if sender else None,
                "sender_handle": sender_handle,
                "recipients": _recipients_json(record),
                "sent_at": sent,
                "collected_at": self._now_iso(),
                "subject": said(record.subject),
                "text": record.text,
                "status": record.status,
                "problem": said(record.problem),
                "auto": record.auto,
                "size": _size(record),
                "message_key": record.message_key,
                "reply_keys": json.dumps(list(record.reply_keys)),
                "conversation": record.conversation,
                "order_fields": _to_json(_fields_json(record.order)) if record.order else None,
                "content_hash": digest,
                "copy_key": self._copy_key(record),
                "waiting": int(waiting),
                "history": int(self.backfill),
                "raw_type": record.raw_type,
                "raw": record.raw,
            },
        )

    def _quarantine(self, record: Record, stream: str, problem: str) -> None:
        """Keep what can be kept of a record that broke filing: its id and its raw bytes."""
        raw = record.raw if isinstance(record.raw, bytes) else b""
        messages.add_message(
            self.store,
            {
                "account": self.account,
                "stream": stream,
                "channel": str(record.channel),
                "external_id": str(record.external_id),
                "direction": "in",
                "sent_at": self._now_iso(),
                "collected_at": self._now_iso(),
                "status": "unreadable",
                "problem": problem,
                "size": len(raw),
                "raw_type": str(record.raw_type),
                "raw": raw,
            },
        )

    def _save_attachments(self, message_id: int, record: Record, save_file: SaveFile) -> None:
        for attachment in record.attachments:
            messages.add_attachment(
                self.store,
                message_id,
                attachment.filename,
                attachment.content_type,
                attachment.size,
                save_file(attachment.data) if attachment.data is not None else (None, None),
            )

    # Who waits now? -----------------------------------------------------------------------------
    def _settle_waiting(
        self,
        message_id: int,
        record: Record,
        sent: str,
        order_id: int | None,
        thread_id: int,
        parties: set[int],
    ) -> None:
        """Who stops waiting because of this message. ``parties``: the contacts the maker's
        message speaks to, or the sender of a customer's.

        The maker's message answers what she could see when she wrote it, and only the people it
        speaks to: their messages in its reply chain (In-Reply-To, References), and in its order
        (else its conversation) their messages she had before her. For a reply sent from Banco
        those are the ones collected by the time she wrote it: a message written earlier but
        collected later was never on her screen. Of her mail program Banco knows only the time:
        what was written before her mail and is already collected.

        A customer's message collected after her mail is answered by it only when her mail to
        them replies to it by its headers (her Sent folder read before the message arrived):
        Banco cannot know she saw it otherwise, and a customer wrongly dropped from "waiting" is
        lost.
        """
        if not parties:
            return
        scope: Scope = "order_id" if order_id is not None else "thread_id"
        value = order_id if order_id is not None else thread_id
        if record.direction == "out":
            # Only the customers' own: a Message-ID a contact-form plugin reuses names others' too.
            if record.reply_keys:
                messages.answer_reply_chain(self.store, record.reply_keys, parties, sent)
            messages.answer_seen(self.store, scope, value, parties, sent, self.answers_collected_by)
            if order_id is not None:  # she answered: "Answer the inquiry" is done
                tick_answer_task(self.store, order_id, self.now)
            return
        [sender] = parties
        if record.message_key and messages.has_later_reply(
            self.store, scope, value, sender, sent, record.message_key
        ):
            # one written before it is never asked about: the index answers for most messages,
            # whose order has no later reply
            messages.answer_message(self.store, message_id, sent)


def order_columns(fields: OrderFields) -> dict[str, Any]:
    """Form answers as columns of the orders table."""
    custom = dict(fields.custom)
    if fields.budget:
        custom.setdefault("budget", fields.budget)
    if fields.links:
        custom.setdefault("links", " ".join(fields.links))
    return {
        "title": said(fields.title)[:200],
        "details": fields.details,
        "quantity": fields.quantity,
        "deadline": fields.deadline.isoformat() if fields.deadline else None,
        "custom": _to_json(custom),
    }


def order_columns_from_json(data: dict[str, Any]) -> dict[str, Any]:
    if not data:
        return {}
    return order_columns(_fields_from_json(data))


def _fields_json(fields: OrderFields | None) -> dict[str, Any]:
    return json.loads(json.dumps(asdict(fields), default=str)) if fields else {}


def _fields_from_json(data: dict[str, Any]) -> OrderFields:
    deadline = data.get("deadline")
    return OrderFields(**{**data, "deadline": date.fromisoformat(deadline) if deadline else None})


def _opens_order(record: Record) -> bool:
    """Whether ``record`` may open an order and a contact: a readable message from a person."""
    return record.direction == "in" and record.status != "unreadable" and not record.auto


def _waits(record: Record) -> bool:
    """Whether ``record`` waits for the maker's answer: a readable message from a person."""
    return record.direction == "in" and not record.auto and record.status != "unreadable"


def _first_line(text: str) -> str:
    for line in (text or "").splitlines():
        if line.strip():
            return line.strip()[:80]
    return ""


# Copies and reused Message-IDs -----------------------------------------------------------------
def record_copy_key(record: Record) -> str | None:
    """``copy_key`` of a record; None for a form answer, which is always its own order."""
    if record.order is not None:
        return None
    return copy_key(
        record.raw if record.status == "unreadable" else None,
        _sender_handle(record),
        _recipients_json(record),
        iso(record.sent_at) or "",
        record.fingerprint(),
    )


def _is_copy(existing: StoredMessage, record: Record, stream: str, digest: str) -> bool:
    """Whether ``record`` is another copy of the stored message ``existing``, not that message
    seen again or edited: it came under another id, or with the same content in another folder
    (a Maildir file copied under its own name)."""
    if existing.external_id != record.external_id:
        return True
    return existing.stream != stream and existing.content_hash == digest


def _sender_handle(record: Record) -> str | None:
    sender = record.sender
    return sender.handles[0].value if sender and sender.handles else None


def _recipients_json(record: Record) -> str:
    return _to_json([h.value for person in record.recipients for h in person.handles])


def _size(record: Record) -> int:
    return record.size or len(record.raw)
