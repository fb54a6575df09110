"""The digest names every reply that may have been sent, with the command that decides it, and the
scheduled replies going out today, in the maker's language; while one may have been sent, it is
never an empty digest.

The customers write through the test connector (tests/listsource.py); a reply Banco was handing
over when it stopped is left "may have been sent", as after a crash."""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime, timedelta

import pytest
from crashed import maybe_sent
from listsource import ListConnector

from banco.connectors import Registry
from banco.inbox.collect.sync import collect
from banco.inbox.replies.outbox import decide, queue_reply
from banco.inbox.routines.digest import Digest, add_outbox, render_html, render_text
from banco.inbox.routines.digest_delivery import daily_digest, deliver_digest, today
from banco.inbox.shop import Shop


@pytest.fixture
def registry(registry: Registry) -> Registry:
    return Registry(kinds={**registry.kinds, "list": ListConnector})  # type: ignore[dict-item]


def mail(key: str, at: str, name: str, subject: str) -> dict[str, str]:
    return {"id": key, "at": at, "from": f"{name.lower()}@example.com", "name": name,
            "subject": subject, "text": f"{subject}: how much?"}  # fmt: skip


ITEMS = [
    mail("a1", "2026-11-18T10:00:00+00:00", "Ann", "Six mugs"),
    mail("b1", "2026-11-19T10:00:00+00:00", "Bob", "A vase"),
    mail("c1", "2026-11-19T11:00:00+00:00", "Carla", "Plates"),
]


def make(write_shop, open_shop) -> Shop:
    home = write_shop(
        '\n[[accounts]]\nname = "mail"\nkind = "list"\npath = "items.json"\nknows_sent = false\n'
    )
    (home / "items.json").write_text(json.dumps(ITEMS))
    shop: Shop = open_shop(home)
    collect(shop)
    return shop


# The tests' clock says Friday 20 November 2026, 10:00 in Rome.
WORDS = {
    "en": (
        "Replies that may have been sent (1)",
        "B-0001  Ann, 1 hour ago: Yes, six blue mugs by Friday.",
        "look in the chat or your Sent folder, then banco outbox resend 1 if it did not arrive,"
        " or banco outbox mark-sent 1 if it did",
        "Scheduled replies going out today (1)",
        "17:30  B-0002  Bob: A tall vase, yes. (to stop it: banco outbox cancel 2)",
    ),
    "it": (
        "Risposte che potrebbero essere partite (1)",
        "B-0001  Ann, 1 ora fa: Yes, six blue mugs by Friday.",
        "guarda nella chat o nella cartella Posta inviata, poi banco outbox resend 1 se non è"
        " arrivata, oppure banco outbox mark-sent 1 se è arrivata",
        "Risposte programmate che partono oggi (1)",
        "17:30  B-0002  Bob: A tall vase, yes. (per fermarla: banco outbox cancel 2)",
    ),
    "fr": (
        "Réponses peut-être envoyées (1)",
        "B-0001  Ann, il y a 1 heure: Yes, six blue mugs by Friday.",
        "regardez la conversation ou votre dossier Envoyés, puis banco outbox resend 1 si elle"
        " n'est pas arrivée, ou banco outbox mark-sent 1 si elle l'est",
        "Réponses programmées qui partent aujourd'hui (1)",
        "17:30  B-0002  Bob: A tall vase, yes. (pour l'arrêter : banco outbox cancel 2)",
    ),
}


@pytest.mark.parametrize("lang", list(WORDS))
def test_the_digest_names_replies_to_decide_and_those_going_today(
    write_shop, open_shop, clock, lang: str
) -> None:
    shop = make(write_shop, open_shop)
    clock.at -= timedelta(hours=1)  # handed over an hour before the digest
    maybe_sent(shop, 1, "Yes, six blue mugs by Friday.")
    clock.at += timedelta(hours=1)
    at = datetime(2026, 11, 20, 16, 30, tzinfo=UTC)  # 17:30 in Rome
    queue_reply(shop, 2, "A tall vase, yes.", send_at=at)
    queue_reply(shop, 3, "Plates on Monday.", send_at=at + timedelta(days=1))  # not today

    digest = daily_digest(shop, lang)
    text = render_text(digest, lang, today(shop))
    heading, line, todo, scheduled, going = WORDS[lang]
    assert f"\n{heading}\n  {line}\n    " in text and todo in text
    assert f"\n{scheduled}\n  {going}\n" in text
    assert "Plates on Monday." not in text
    page = html.unescape(render_html(digest, lang, today(shop)))
    assert heading in page and todo in page and scheduled in page
    assert "Plates on Monday." not in page


def test_the_digest_is_never_empty_while_a_reply_may_have_been_sent(
    write_shop, open_shop, clock
) -> None:
    shop = make(write_shop, open_shop)

    def alone() -> Digest:
        """A digest with nothing else to say than the outbox's replies."""
        digest = Digest("Bottega", clock.now(), clock.now(), 7)
        add_outbox(digest, shop)
        return digest

    nothing = "Nothing new: no orders, no messages waiting, no deadlines close."
    assert alone().empty and nothing in render_text(alone(), "en", today(shop))
    outbox_id = maybe_sent(shop, 1, "Yes, six blue mugs by Friday.")
    digest = alone()
    assert not digest.empty
    said = render_text(digest, "en", today(shop))
    assert nothing not in said and "Replies that may have been sent (1)" in said
    decide(shop, outbox_id, "mark_sent")  # she looked: it went out
    assert alone().empty


def test_the_daily_digest_goes_out_while_a_reply_may_have_been_sent(write_shop, open_shop) -> None:
    """skip_empty never skips it: the file is written with the section."""
    shop = make(write_shop, open_shop)
    maybe_sent(shop, 1, "Yes, six blue mugs by Friday.")
    sent = deliver_digest(shop)
    assert "skipped" not in sent
    assert "Replies that may have been sent (1)" in (shop.home / "digest.html").read_text()
