"""Turn the story's mails into RFC 822 bytes: addresses, dates, thread headers, quotes, files."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from textwrap import dedent
from zoneinfo import ZoneInfo

from banco.inbox.demo import files
from banco.inbox.demo.days import SHOP_ZONE, When, fill, quoted_day
from banco.inbox.demo.messages import (
    BOUNCE_TEMPLATE,
    OWNER,
    PEOPLE,
    SIGNATURE,
    Attachment,
    Bounce,
    Garbled,
    Mail,
)

MAIL_HOST = "mx.bottegagiulia.example"

#: The line a mail program in each language writes above a quoted message.
ATTRIBUTION = {
    "it": "Il giorno {day} alle {time}, {name} ha scritto:",
    "en": "On {day}, at {time}, {name} wrote:",
    "fr": "Le {day} à {time}, {name} a écrit :",
}

MIME_TYPES = {"png": ("image", "png"), "jpeg": ("image", "jpeg"), "pdf": ("application", "pdf")}


@dataclass(frozen=True)
class Built:
    """One file for the mailbox: its bytes and the moment it was sent."""

    sent_at: datetime
    data: bytes


def message_id(key: str, host: str) -> str:
    """A stable Message-ID, in the style of the sender's mail server."""
    token = hashlib.sha1(f"bottega-demo/{key}".encode()).hexdigest()[:24].upper()
    return f"<{token}@{host}>"


def attachment_data(attachment: Attachment) -> bytes:
    if attachment.kind == "png":
        return files.png(8, 8, (31, 71, 136))  # a cobalt-blue square
    if attachment.kind == "jpeg":
        return files.jpeg()
    return files.pdf(attachment.lines)


class Composer:
    """Builds mails in story order, remembering what later replies need: ids, texts, headers."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.today = now.astimezone(SHOP_ZONE).date()
        self.mails: dict[str, Mail] = {}
        self.threads: dict[str, tuple[str, ...]] = {}  # Message-IDs from the first mail to this one
        self.texts: dict[str, str] = {}
        self.heads: dict[str, str] = {}

    def sent_at(self, when: When) -> datetime:
        return when.moment(self.now)

    def recipient(self, mail: Mail) -> str:
        if mail.to:
            return mail.to
        return self.mails[mail.reply_to].sender if mail.sender == OWNER else OWNER

    def mail(self, mail: Mail) -> Built:
        self.mails[mail.key] = mail
        sent_at = self.sent_at(mail.sent)
        msg = self._headers(mail, sent_at)
        self._content(msg, mail)
        for number, part in enumerate(p for p in msg.walk() if p.is_multipart()):
            part.set_boundary(f"=_bottega-demo_{mail.key}_{number}")
        data = msg.as_bytes()
        self.heads[mail.key] = data.split(b"\n\n", 1)[0].decode("ascii")
        return Built(sent_at, data)

    def _headers(self, mail: Mail, sent_at: datetime) -> EmailMessage:
        sender = PEOPLE[mail.sender]
        recipient = PEOPLE[self.recipient(mail)]
        own_id = message_id(mail.key, sender.address.split("@")[1])
        parents = self.threads[mail.reply_to] if mail.reply_to else ()
        self.threads[mail.key] = (*parents, own_id)
        msg = EmailMessage(policy=policy.default)
        msg["From"] = Address(sender.name, addr_spec=sender.address)
        msg["To"] = Address(recipient.name, addr_spec=recipient.address)
        msg["Subject"] = mail.subject
        msg["Date"] = format_datetime(sent_at.astimezone(ZoneInfo(sender.zone)))
        msg["Message-ID"] = own_id
        if parents:
            msg["In-Reply-To"] = parents[-1]
            msg["References"] = " ".join(parents)
        for name, value in mail.headers:
            msg[name] = value
        return msg

    def _content(self, msg: EmailMessage, mail: Mail) -> None:
        lang = PEOPLE[self.recipient(mail) if mail.sender == OWNER else mail.sender].lang
        if mail.body:
            self.texts[mail.key] = self._text(mail, lang)
            msg.set_content(self.texts[mail.key], charset=mail.charset)
        if mail.html:
            html = fill(dedent(mail.html).strip(), lang, self.today) + "\n"
            if mail.body:
                msg.add_alternative(html, subtype="html")
            else:
                msg.set_content(html, subtype="html")
        for attachment in mail.attachments:
            maintype, subtype = MIME_TYPES[attachment.kind]
            msg.add_attachment(
                attachment_data(attachment),
                maintype=maintype,
                subtype=subtype,
                filename=attachment.filename,
            )

    def _text(self, mail: Mail, lang: str) -> str:
        text = fill(dedent(mail.body).strip(), lang, self.today)
        if mail.sender == OWNER:
            text += "\n\n" + SIGNATURE
        if mail.reply_to and mail.quote:
            text += "\n\n" + self._quote(mail)
        return text + "\n"

    def _quote(self, mail: Mail) -> str:
        writer = PEOPLE[mail.sender]
        answered = self.mails[mail.reply_to]
        moment = self.sent_at(answered.sent).astimezone(ZoneInfo(writer.zone))
        line = ATTRIBUTION[writer.lang].format(
            day=quoted_day(moment.date(), writer.lang),
            time=f"{moment:%H:%M}",
            name=PEOPLE[answered.sender].name,
        )
        quoted = [_quote_line(text) for text in self.texts[answered.key].rstrip("\n").split("\n")]
        return "\n".join([line, *quoted])

    def bounce(self, bounce: Bounce) -> Built:
        original = self.mails[bounce.original]
        recipient = PEOPLE[self.recipient(original)].address
        sent_at = self.sent_at(bounce.sent).astimezone(SHOP_ZONE)
        text = BOUNCE_TEMPLATE.format(
            owner=PEOPLE[OWNER].address,
            date=format_datetime(sent_at),
            message_id=message_id(bounce.key, MAIL_HOST),
            boundary=f"=_bottega-demo_{bounce.key}",
            recipient=recipient,
            domain=recipient.split("@")[1],
            arrival=format_datetime(self.sent_at(original.sent).astimezone(SHOP_ZONE)),
            headers=self.heads[original.key],
        )
        return Built(sent_at, text.encode("ascii"))

    def garbled(self, garbled: Garbled) -> Built:
        return Built(self.sent_at(garbled.sent), files.noise(garbled.size, garbled.key))


def _quote_line(line: str) -> str:
    if not line:
        return ">"
    return ">" + line if line.startswith(">") else "> " + line
