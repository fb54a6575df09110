"""A shop whose customers split the ways real ones do, from real files Banco reads: a Maildir of
emails and a Google Forms CSV export. Chiara asks by email and again in the form (two addresses,
one job); two "Bob Smith"s; Anna's phone written with and without +39; Luca's Gmail address typed
another way in the form; a quote to the address Marta mistyped in the form, and an answer to Bob
to an address Giulia mistyped: both bounced."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from sources import HEADERS

from banco.inbox.collect.sync import collect

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
OWNER = "giulia@shop.example"


def mail(
    key: str,
    sender: str,
    to: str,
    subject: str,
    text: str,
    day: int,
    *,
    reply_to: str | None = None,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(START + timedelta(days=day))
    msg["Message-ID"] = f"<{key}@mail.example>"
    if reply_to:
        msg["In-Reply-To"] = f"<{reply_to}@mail.example>"
        msg["References"] = f"<{reply_to}@mail.example>"
    msg.set_content(text)
    return msg


def bounce(key: str, returned: EmailMessage, recipient: str, day: int) -> bytes:
    """A Postfix delivery status notification (RFC 3464) returning ``returned``'s headers."""
    headers = "".join(f"{name}: {value}\n" for name, value in returned.items())
    boundary = f"=_{key}"
    return f"""\
Return-Path: <>
From: Mail Delivery System <MAILER-DAEMON@mx.shop.example>
To: {OWNER}
Subject: Undelivered Mail Returned to Sender
Date: {format_datetime(START + timedelta(days=day))}
Message-ID: <{key}@mx.shop.example>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"

--{boundary}
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<{recipient}>: Host or domain name not found.

--{boundary}
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.shop.example

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822;{recipient}
Action: failed
Status: 5.4.4

--{boundary}
Content-Type: text/rfc822-headers

{headers}
--{boundary}--
""".encode()


#: Giulia's quote to the address Marta mistyped in the form (filed before the form is read)
QUOTE = mail(
    "quote-marta",
    f"Giulia <{OWNER}>",
    "marta.bianchi@gmial.example",
    "Il tuo preventivo: 12 tazze",
    "Ciao Marta, 12 tazze blu costano 180 euro.",
    4,
)
#: Giulia's answer to Bob, to an address she mistyped (filed on his order: it answers him)
TO_BOB = mail(
    "reply-bob",
    f"Giulia <{OWNER}>",
    "bob@smiht.example",
    "Re: Mugs",
    "Hi Bob, 4 mugs are 60 pounds.",
    2,
    reply_to="bob-1",
)

MAILS: list[EmailMessage] = [
    mail(
        "chiara-1",
        "Chiara Rossi <chiara.rossi@libero.example>",
        OWNER,
        "Bomboniere matrimonio",
        "Buongiorno, vorrei 80 bomboniere in ceramica bianca per il matrimonio,"
        " con il bordo dorato. Quanto costano?",
        0,
    ),
    mail("bob-1", "Bob Smith <bob@smith.example>", OWNER, "Mugs", "How much for 4 mugs?", 1),
    mail(
        "bob-2",
        "Bob Smith <bob.smith@work.example>",
        OWNER,
        "A vase",
        "Could you make a tall vase? What would it cost?",
        2,
    ),
    mail(
        "luca-1",
        "Luca Neri <luca.neri@gmail.com>",
        OWNER,
        "Piatti",
        "Ciao, quanto costano 6 piatti fondi?",
        2,
    ),
    QUOTE,
    TO_BOB,
]

#: form answers: name, email, phone, what, how many, when
ANSWERS = [
    (
        "Chiara Rossi",
        "c.rossi@gmail.com",
        "",
        "Bomboniere matrimonio, ceramica bianca e bordo dorato",
        "80",
        2,
    ),
    ("Marta Bianchi", "marta.bianchi@gmial.example", "", "12 tazze blu", "12", 3),
    ("Anna Verdi", "anna.verdi@mail.example", "+39 347 765 4321", "Un vaso grande", "1", 3),
    ("Anna V.", "", "347 7654321", "Due ciotole", "2", 4),
    ("Luca Neri", "lucaneri+shop@gmail.com", "", "Una lampada", "1", 5),
]


def write_sources(folder: Path) -> str:
    """The Maildir and the form export in ``folder``; the accounts' TOML."""
    maildir = folder / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    for n, msg in enumerate(MAILS):
        (maildir / "new" / f"{1_790_000_000 + n}.M{n}P1.test").write_bytes(msg.as_bytes())
    (maildir / "new" / "1790000098.M98P1.test").write_bytes(
        bounce("bounce-marta", QUOTE, "marta.bianchi@gmial.example", 4)
    )
    (maildir / "new" / "1790000099.M99P1.test").write_bytes(
        bounce("bounce-bob", TO_BOB, "bob@smiht.example", 2)
    )
    with (folder / "answers.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADERS)
        for name, address, phone, what, many, day in ANSWERS:
            at = START + timedelta(days=day, hours=1)
            writer.writerow(
                [at.strftime("%d/%m/%Y %H:%M:%S"), name, address, phone, what, many, "20/12/2026"]
            )
    return (
        f'\n[[accounts]]\nname = "mail"\nkind = "maildir"\npath = "{maildir}"\n'
        f'\n[[accounts]]\nname = "form"\nkind = "csv"\npath = "{folder / "answers.csv"}"\n'
    )


def customers_shop(write_shop: Callable[[str], Path], folder: Path, open_shop: Any) -> Any:
    """The shop, collected once; returns the open Shop (its folder is ``shop.home``)."""
    home = write_shop(write_sources(folder))
    shop = open_shop(home)
    for result in collect(shop):
        assert result.ok, result.error
    return shop


def contact_named(shop: Any, handle: str) -> int:
    return int(shop.store.scalar("select contact_id from handles where value = ?", [handle]))


def who_holds_what(shop: Any) -> dict[str, list[tuple[int, int | None]]]:
    """Every row that belongs to a contact, with its contact: what a merge and a split move."""
    return {
        table: [
            (r[0], r[1])
            for r in shop.store.conn.execute(
                f"select id, contact_id from {table} order by id"
            ).fetchall()
        ]
        for table in ("handles", "threads", "messages", "orders", "checkins")
    }
