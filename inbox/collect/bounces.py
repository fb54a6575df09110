"""A bounce, filed: on the order of the mail it returned, and the addresses it could not reach
marked as failing, so that no reply is suggested to them again (``replies.recipients``).

The returned mail is found by the Message-ID the bounce quotes (``connectors.email.dsn``). When
that mail was filed on no order (the maker wrote before the customer's order form came in), the
bounce and the mail go on the open order of the customer who holds the failed address, now or
when her first order is filed (``file_earlier_bounces``). When the bounce came before the mail it
returned (a collect reads INBOX before the Sent folder), the mail, filed later, takes it onto
its order and conversation (``file_bounces_before``). A mail that comes later from a failing
address shows it works: it is failing no more (``works_again``)."""

from __future__ import annotations

from datetime import datetime

from banco.connectors import Handle, Record
from banco.connectors.email.dsn import returned
from banco.inbox.clock import iso
from banco.inbox.store import contacts
from banco.inbox.store import customers as store_customers
from banco.inbox.store.database import Store
from banco.inbox.store.orders import open_order_of


def file_bounce(store: Store, bounce_id: int, raw: bytes, at: datetime) -> None:
    """File bounce ``bounce_id`` (its bytes ``raw``, sent ``at``) as the module says."""
    said = returned(raw)
    sent = store_customers.sent_message_keyed(store, said.message_key) if said.message_key else None
    failed = said.failed or (tuple(sent.recipients) if sent else ())
    order_id = sent.order_id if sent else None
    for address in failed:
        store_customers.mark_failing(
            store, address, iso(at) or "", bounce_id, sent.id if sent else None
        )
        contact_id = contacts.contact_of(store, Handle("email", address))
        if order_id is None and contact_id is not None:
            order_id = open_order_of(store, contact_id)
    filed = [bounce_id] if sent is None else [bounce_id, sent.id]
    store_customers.file_on(store, filed, order_id, sent.thread_id if sent else None)


def file_earlier_bounces(store: Store, contact_id: int, order_id: int) -> None:
    """File on ``order_id`` the bounces from the customer's addresses that found no order."""
    unfiled = store_customers.unfiled_bounces_of(store, contact_id)
    if unfiled:
        store_customers.file_on(store, unfiled, order_id, None)


def file_bounces_before(
    store: Store,
    message_id: int,
    record: Record,
    sent_at: str,
    filed: tuple[int | None, int | None],
) -> None:
    """The maker's mail ``message_id`` (``record``, sent at ``sent_at``), ``filed`` on an order
    and in a conversation:
    a bounce already filed from one of its recipients, that found no mail it returned, returned
    this one, and joins its order and conversation."""
    addresses = [
        h.value.lower() for person in record.recipients for h in person.handles if h.kind == "email"
    ]
    found = store_customers.bounces_awaiting(store, addresses, sent_at)
    for _bounce, address in found:
        store_customers.set_returned(store, address, message_id)
    if found:
        store_customers.file_on(store, [bounce for bounce, _ in found], *filed)


def works_again(store: Store, record: Record, sent_at: str) -> None:
    """A mail from an address (not a bounce) sent after mail to it bounced: the address works,
    and replies go to it again. A form's or chat's address proves nothing: anyone can type it."""
    if record.channel != "email" or record.direction != "in" or record.auto == "bounce":
        return
    for handle in record.sender.handles if record.sender else ():
        if handle.kind == "email":
            store_customers.clear_failing(store, handle.kind, handle.value, before=sent_at)
