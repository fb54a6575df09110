"""Sources for the connector contract and crash tests: real files in the formats Banco reads."""

from __future__ import annotations

import csv
import os
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

BASE = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def email_bytes(n: int, *, customers: int = 50, attachment: bool = False) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Customer {n % customers} <customer{n % customers}@example.com>"
    msg["To"] = "giulia@shop.example"
    msg["Subject"] = f"Order question {n}: tazze e piatti"
    msg["Date"] = format_datetime(BASE + timedelta(minutes=n))
    msg["Message-ID"] = make_msgid(f"m{n}", domain="example.com")
    msg.set_content(f"Ciao Giulia,\nvorrei {n % 12 + 1} tazze blu.\nGrazie!\n")
    if attachment:
        msg.add_attachment(
            b"%PDF-1.4 sketch " + str(n).encode(),
            maintype="application",
            subtype="pdf",
            filename=f"schizzo-{n}.pdf",
        )
    return msg.as_bytes()


class MaildirSource:
    """A Maildir with ``n`` messages; ``add`` delivers more, as a mail program would."""

    def __init__(self, root: Path, n: int):
        self.root = root
        for sub in ("cur", "new", "tmp"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        self.total = 0
        self.add(n)

    def add(self, n: int) -> None:
        for k in range(self.total, self.total + n):
            path = self.root / "new" / f"{1_700_000_000 + k}.M{k}P1.test"
            path.write_bytes(email_bytes(k, attachment=k % 10 == 0))
            stamp = 1_700_000_000 + k
            os.utime(path, (stamp, stamp))
        self.total += n

    def account(self) -> str:
        return f'kind = "maildir"\npath = "{self.root}"\n'


HEADERS = [
    "Informazioni cronologiche",
    "Nome e cognome",
    "Indirizzo email",
    "Telefono",
    "Cosa desideri ordinare?",
    "Quantità",
    "Data di consegna",
]


class CsvSource:
    """A Google Forms CSV export with ``n`` answers; ``add`` appends answers."""

    def __init__(self, path: Path, n: int):
        self.path = path
        self.rows: list[list[str]] = []
        self.total = 0
        self.add(n)

    def add(self, n: int) -> None:
        for k in range(self.total, self.total + n):
            at = BASE + timedelta(hours=k)
            self.rows.append(
                [
                    at.strftime("%d/%m/%Y %H:%M:%S"),
                    f"Cliente {k}",
                    f"c{k}@example.com",
                    f"051 {k:07d}",
                    f"{k % 5 + 1} vasi",
                    str(k % 5 + 1),
                    "20/12/2026",
                ]
            )
        self.total += n
        with self.path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(HEADERS)
            writer.writerows(self.rows)

    def account(self) -> str:
        return f'kind = "csv"\npath = "{self.path}"\n'
