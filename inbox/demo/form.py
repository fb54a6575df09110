"""Answers to Giulia's Google order form, as "Download responses (.csv)" gives them."""

from __future__ import annotations

import base64
import csv
import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from textwrap import dedent

from banco.inbox.demo.days import DATES, SHOP_ZONE, When, fill, on
from banco.inbox.demo.messages import PEOPLE

HEADERS = (
    "Informazioni cronologiche",
    "Nome e cognome",
    "Indirizzo email",
    "Telefono",
    "Utente Telegram",
    "Cosa desideri ordinare?",
    "Quantità",
    "Data di consegna",
    "Budget (€)",
    "Colori preferiti",
    "Note",
    "Foto di riferimento",
)


@dataclass(frozen=True)
class Answer:
    sent: When
    name: str
    email: str
    phone: str
    telegram: str
    what: str
    quantity: str
    due_in: int  # days from today
    budget: str
    colours: str
    notes: str = ""
    photos: int = 0  # how many reference photos were uploaded to Drive


#: One answer per row, oldest first; None is a row someone cleared in the sheet.
ANSWERS: list[Answer | None] = [
    Answer(
        sent=on(9, "21:12:37"),
        name="Chiara Rossi",
        email=PEOPLE["chiara"].address,  # the same customer as the wedding favours email
        phone="+39 333 918 2746",
        telegram="@chiara_rossi",
        what="Bomboniere: ciotoline bianche con bordo blu e iniziali C & D",
        quantity="40",
        due_in=DATES["favours_due"],
        budget="300",
        colours="Bianco, blu cobalto",
        notes="""
            Il matrimonio è il {wedding}.
            Iniziali all'interno, in corsivo (lo schizzo ve l'ho mandato per email).
        """,
        photos=2,
    ),
    Answer(
        sent=on(7, "12:40:05"),
        name="Francesca Moretti",
        email="fra.moretti@tim.example",
        phone="051 234 5678",
        telegram="",
        what="Tazze regalo per le maestre dell'asilo, con i nomi",
        quantity="8",
        due_in=5,
        budget="150",
        colours="Giallo, verde acqua",
        notes="""
            Nomi: Silvia, Rosa, Giovanna, Elena, Marta, Lucia, Paola, Teresa.
            Se possibile con un disegno dei bambini (vedi foto).
        """,
        photos=1,
    ),
    None,
    Answer(
        sent=on(5, "19:02:51"),
        name="Giorgio Lombardi",
        email="giorgio.lombardi@alice.example",
        phone="0542 27391",
        telegram="",
        what="Targa per il cancello con numero civico e cognome",
        quantity="1",
        due_in=25,
        budget="80-100",
        colours="Blu e bianco, stile Vietri",
        notes="Numero 17, LOMBARDI. Misura circa 30x20 cm.",
        photos=1,
    ),
    Answer(
        sent=on(3, "22:18:09"),
        name="Paolo Greco",
        email=PEOPLE["paolo"].address,  # mistyped: Giulia's answer to it bounced
        phone="+39 347 552 0193",
        telegram="@paolo_greco",
        what="Servizio di piatti: 6 piani e 6 fondi",
        quantity="12",
        due_in=DATES["paolo_due"],
        budget="500",
        colours="Color sabbia, bordo grezzo",
        notes="Per la casa nuova, nessuna fretta. Meglio scrivermi su Telegram.",
    ),
    Answer(
        sent=on(2, "10:55:44"),
        name="Marion Lefèvre",
        email="marion.lefevre@sfr.example",
        phone="+33 6 12 34 56 78",
        telegram="@marionlfv",
        what="Assiettes à dessert avec des figues",
        quantity="6",
        due_in=30,
        budget="180",
        colours="Violet, vert sauge",
        notes="Je passe à Bologne à la fin du mois, je peux les récupérer à l'atelier ?",
        photos=1,
    ),
    Answer(
        sent=on(1, "15:09:26"),
        name="Alessandro Ricci",
        email="ordini@trattoriadaricci.example",
        phone="051 644 0012",
        telegram="",
        what="Ciotole da portata per il ristorante",
        quantity="24",
        due_in=35,
        budget="600",
        colours="Terracotta naturale, smalto bianco dentro",
        notes="""
            Fattura a: Trattoria da Ricci srl, P.IVA 01234567890.
            Consegna al mattino, prima delle 11.
        """,
        photos=2,
    ),
]


def write_form(path: Path, now: datetime) -> None:
    today = now.astimezone(SHOP_ZONE).date()
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        for answer in ANSWERS:
            writer.writerow(_row(answer, now, today) if answer else [""] * len(HEADERS))


def _row(answer: Answer, now: datetime, today: date) -> list[str]:
    sent_at = answer.sent.moment(now).astimezone(SHOP_ZONE)
    return [
        f"{sent_at:%d/%m/%Y %H:%M:%S}",
        answer.name,
        answer.email,
        answer.phone,
        answer.telegram,
        answer.what,
        answer.quantity,
        f"{today + timedelta(days=answer.due_in):%d/%m/%Y}",
        answer.budget,
        answer.colours,
        fill(dedent(answer.notes).strip(), "it", today),
        ", ".join(_drive_link(answer.name, n) for n in range(answer.photos)),
    ]


def _drive_link(name: str, number: int) -> str:
    digest = hashlib.sha256(f"bottega-demo/{name}/{number}".encode()).digest()
    return "https://drive.google.com/open?id=1" + base64.urlsafe_b64encode(digest).decode()[:32]
