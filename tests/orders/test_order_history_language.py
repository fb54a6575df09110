"""An order's history in the maker's language, on the command line and on the web page: a new
order says where it came from, a status move says the status labels, a change says the field
and its values written her way, her notes stay as she wrote them. An English shop reads the same
history in English, and a store written before the history kept values still shows its events."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from click.testing import Result
from conftest import NOW, SHOP_HEADER
from fixtures_web import seed_demo, server_stopped, visible_text
from language import data_text, english_phrases
from sqlite_utils import Database

from banco.connectors import load_registry
from banco.inbox.clock import FixedClock
from banco.inbox.store.migrations import migrations
from banco.inbox.web import start

#: what the maker does to B-0005 (a mail order, waiting for the customer) before reading it
CHANGES = [
    ["orders", "status", "B-0005", "booked", "--note", "Acconto ricevuto"],
    ["orders", "price", "B-0005", "1250"],
    ["orders", "deadline", "B-0005", "2026-12-20"],
    ["orders", "note", "B-0005", "Smalto blu cobalto"],
]
#: the history each language shows of it, line by line (without the times)
HISTORY = {
    "it": [
        "nuovo ordine arrivato per email",
        "pagamento: ancora niente pagato → acconto pagato; ore di lavoro: — → 5 ore;"
        " scadenza: — → 02/12/26; prezzo: — → 150 €",
        "nuova richiesta → in attesa del cliente",
        "in attesa del cliente → {booked}: Acconto ricevuto",
        "prezzo: 150 € → 1.250 €",
        "scadenza: 02/12/26 → 20/12/26",
        "nota: Smalto blu cobalto",
    ],
    "fr": [
        "nouvelle commande arrivée par e-mail",
        "paiement : rien de payé → acompte payé; heures de travail : — → 5 heures;"
        " échéance : — → 02/12/2026; prix : — → 150 €",
        "nouvelle demande → en attente du client",
        "en attente du client → {booked} : Acconto ricevuto",
        "prix : 150 € → 1 250 €",
        "échéance : 02/12/2026 → 20/12/2026",
        "note : Smalto blu cobalto",
    ],
    "en": [
        "new order from an email message",
        "payment: nothing paid yet → deposit paid; hours of work: — → 5 hours;"
        " deadline: — → 2026-12-02; price: — → €150",
        "new inquiry → waiting for the customer",
        "waiting for the customer → booked: Acconto ricevuto",
        "price: €150 → €1,250",
        "deadline: 2026-12-02 → 2026-12-20",
        "note: Smalto blu cobalto",
    ],
}
BOOKED = {"it": "confermato", "fr": "confirmée", "en": "booked"}
TIME = re.compile(r"^\s*\S+ \d\d:\d\d\s+")


def history_of(shown: str) -> list[str]:
    """The history's lines of `banco orders show`, without their times."""
    lines = shown.split("\n\n")
    [history] = [part for part in lines if re.match(r"(History|Storia|Historique)\s?:", part)]
    return [
        TIME.sub("", line).replace("\u202f", " ").replace("\xa0", " ")
        for line in history.splitlines()[1:]
    ]


@pytest.fixture(scope="module", params=["it", "fr", "en"])
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, Path]:
    lang = request.param
    clock = FixedClock(NOW)
    home = seed_demo(
        tmp_path_factory.mktemp(f"history-{lang}") / "demo", clock, load_registry(), lang
    )
    return lang, home


def test_the_history_on_the_command_line_is_in_her_language(
    demo: tuple[str, Path], run: Callable[..., Result]
) -> None:
    lang, home = demo
    for change in CHANGES:
        assert run("--home", str(home), *change).exit_code == 0
    shown = run("--home", str(home), "orders", "show", "B-0005").output
    wanted = [line.replace("{booked}", BOOKED[lang]) for line in HISTORY[lang]]
    assert history_of(shown) == wanted
    if lang != "en":
        assert english_phrases("\n".join(history_of(shown)), data_text(home)) == []


def test_the_history_on_the_web_page_is_in_her_language(demo: tuple[str, Path]) -> None:
    lang, home = demo
    clock = FixedClock(NOW)
    server = start(home, port=0, clock=clock, registry=load_registry())
    with server_stopped(server), httpx.Client(base_url=server.url) as client:
        page = client.get("/orders/B-0005").text
    history = page[page.index('id="h-history"') :]
    items = [visible_text(item) for item in re.findall(r"<li>(.*?)</li>", history, re.S)]
    said = [re.sub(r"^\S+ \d+ \S+ \d\d:\d\d ", "", item) for item in items]
    first = HISTORY[lang][0]
    assert said[-1] == first  # the newest first: the order's creation is last
    assert said[-3] == HISTORY[lang][2]
    if lang != "en":
        assert english_phrases("\n".join(said), data_text(home)) == []


OLD_EVENTS = [  # what a store written before this held, in English whatever the maker's language
    ("created", None, "new", "created from a email message", None),
    ("status", "new", "quoted", "in the reply session", None),
    ("form_edit", None, None, "the order form answers were edited", '{"quantity": [40, 50]}'),
    ("sender_linked", None, None, "Mallory (email: m@example.net) is Anna", None),
    ("note", None, None, "She wants them by Christmas", None),
]


def test_an_old_stores_history_is_still_shown(write_shop, run: Callable[..., Result]) -> None:
    home = write_shop(header=SHOP_HEADER.replace('languages = ["en"]', 'languages = ["it"]'))
    old = Database(str(home / "banco.db"))
    migrations.apply(old, stop_before="m016_order_history_values")
    old["contacts"].insert({"id": 1, "name": "Anna", "created_at": "2026-11-01T09:00:00+00:00"})
    old["orders"].insert(
        {"id": 1, "ref": "B-0001", "contact_id": 1, "status": "quoted", "title": "Tazze",
         "token": "t", "created_at": "2026-11-01T09:00:00+00:00", "updated_at": ""}
    )  # fmt: skip
    for n, (kind, before, after, note, data) in enumerate(OLD_EVENTS):
        old["order_events"].insert(
            {"order_id": 1, "at": f"2026-11-0{n + 1}T09:00:00+00:00", "kind": kind,
             "from_status": before, "to_status": after, "note": note, "data": data}
        )  # fmt: skip
    old.close()
    shown = run("--home", str(home), "orders", "show", "B-0001").output
    assert history_of(shown) == [
        "nuovo ordine arrivato per email",
        "nuova richiesta → preventivo inviato: durante la sessione di risposte",
        "risposte cambiate nel modulo d'ordine: quantità: 40 → 50",
        "Mallory (email: m@example.net) riconosciuto come Anna",
        "nota: She wants them by Christmas",  # her own words, as she wrote them
    ]


def test_linking_a_message_that_is_not_there_is_refused_in_her_language(
    write_shop, run: Callable[..., Result]
) -> None:
    home = write_shop(header=SHOP_HEADER.replace('languages = ["en"]', 'languages = ["it"]'))
    refused = run("--home", str(home), "orders", "link", "999")
    assert refused.exit_code != 0
    assert "il messaggio 999 non c'è; `banco messages` li elenca tutti" in refused.output
