"""`banco orders facts`, `set`, `confirm` and `dismiss`: what is known about an order, what Banco
read in the customer's messages (with its sentence), the maker's decisions; values typed in her
language, a wrong one refused in one line with exit status 2 and nothing changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from listsource import ListConnector

from banco.connectors import Registry
from banco.inbox.collect.sync import collect
from banco.inbox.shop import Shop

ITEMS = [
    {
        "id": "c1",
        "at": "2026-11-16T10:00:00+00:00",
        "from": "claire@example.com",
        "name": "Claire Dubois",
        "subject": "Assiettes",
        "text": "Bonjour, je voudrais un service de huit assiettes. Quel serait le prix ?",
    },
    {
        "id": "c2",
        "at": "2026-11-19T20:47:00+00:00",
        "from": "claire@example.com",
        "subject": "Re: Assiettes",
        "text": "D'accord pour 420 €.\n\nJ'ai fait le virement de 100 € ce matin.",
    },
]
IT_HEADER = """
[shop]
name = "Bottega"
owner = "Giulia"
addresses = ["giulia@shop.example"]
timezone = "Europe/Rome"
languages = ["it"]
"""


@pytest.fixture
def registry(registry: Registry) -> Registry:
    return Registry(kinds={**registry.kinds, "list": ListConnector})  # type: ignore[dict-item]


@pytest.fixture
def home(write_shop, open_shop) -> Path:
    return make_home(write_shop, open_shop)


def make_home(write_shop, open_shop, header: str | None = None) -> Path:
    body = '[[accounts]]\nname = "mail"\nkind = "list"\npath = "items.json"\n'
    folder = write_shop(body) if header is None else write_shop(body, header=header)
    (folder / "items.json").write_text(json.dumps(ITEMS))
    shop: Shop = open_shop(folder)
    for result in collect(shop):
        assert result.ok, result.error
    assert shop.store.scalar("select ref from orders") == "B-0001"
    return folder


def facts_json(run, home: Path) -> dict:
    result = run("--home", str(home), "orders", "facts", "B-0001", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_facts_and_proposals_with_their_sentence(run, home) -> None:
    result = run("--home", str(home), "orders", "facts", "b-1")
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("What Banco knows about B-0001:\n")
    assert "  deposit: not known\n" in out and "  shipping address: not known\n" in out
    assert "quote accepted: €420" in out and "“D'accord pour 420 €.”" in out
    assert "payment announced: €100" in out
    assert "“J'ai fait le virement de 100 € ce matin.”" in out
    assert "banco orders confirm B-0001 NUMBER" in out
    shown = facts_json(run, home)
    assert shown["facts"]["deposit"] is None and shown["facts"]["deposit_received"] is False
    assert {(p["fact"], p["value"]) for p in shown["proposals"]} == {
        ("accepted", "420.00"),
        ("paid", "100.00"),
        ("method", "transfer"),
        ("quantity", "8"),
    }


def test_confirm_and_dismiss(run, home) -> None:
    proposals = {p["fact"]: p["id"] for p in facts_json(run, home)["proposals"]}
    result = run("--home", str(home), "orders", "confirm", "B-0001", str(proposals["accepted"]))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Confirmed for B-0001: quote accepted: €420.\n")
    assert "  price: €420\n" in result.output
    result = run("--home", str(home), "orders", "confirm", "B-0001", str(proposals["paid"]))
    assert result.exit_code == 0, result.output
    assert "  deposit: €100, received on 2026-11-19\n" in result.output
    assert "  balance: €320\n" in result.output
    result = run("--home", str(home), "orders", "dismiss", "B-0001", str(proposals["quantity"]))
    assert result.exit_code == 0 and result.output == "Dismissed for B-0001: quantity: 8.\n"
    shown = facts_json(run, home)
    assert [p["fact"] for p in shown["proposals"]] == ["method"]
    assert shown["facts"]["deposit_received_on"] == "2026-11-19"
    status = run("--home", str(home), "orders", "--json")
    assert json.loads(status.output)[0]["status"] == "booked"
    # decided already, or not this order's: one line, nothing changed
    again = run("--home", str(home), "orders", "confirm", "B-0001", str(proposals["paid"]))
    assert again.exit_code == 1
    assert again.output == (
        "Error: this proposal was already confirmed or dismissed; nothing changed\n"
    )
    other = run("--home", str(home), "orders", "dismiss", "B-0001", "9" * 30)
    assert other.exit_code == 2 and "Traceback" not in other.output


def test_set_facts_in_her_language(run, write_shop, open_shop) -> None:
    home = make_home(write_shop, open_shop, IT_HEADER)
    ok = run(
        "--home", str(home), "orders", "set", "B-0001", "deposit", "1.250,50", "--received",
        "19/11/2026",
    )  # fmt: skip
    assert ok.exit_code == 0, ok.output
    assert "acconto: 1.250,50\u00a0€, ricevuto il 19/11/26" in ok.output
    for fact, value, expected in [
        ("quantity", "8", "quantità: 8"),
        ("method", "bonifico", "metodo di pagamento: bonifico"),
        ("address", "Via Roma 5, 40100 Bologna", "indirizzo di spedizione: Via Roma 5"),
        ("quote", "420", "preventivo concordato: 420\u00a0€, il 20/11/26"),
        ("items", "8 piatti", "articoli: 8 piatti"),
    ]:
        result = run("--home", str(home), "orders", "set", "B-0001", fact, value)
        assert result.exit_code == 0 and expected in result.output, result.output
    facts = facts_json(run, home)["facts"]
    assert facts["payment_method"] == "transfer" and facts["quantity"] == 8
    cleared = run("--home", str(home), "orders", "set", "B-0001", "address", "-")
    assert cleared.exit_code == 0
    assert facts_json(run, home)["facts"]["shipping_address"] is None
    run("--home", str(home), "orders", "set", "B-0001", "quote", "-")
    facts = facts_json(run, home)["facts"]
    assert facts["quoted_price"] is None and facts["quoted_on"] is None  # the day goes with it


@pytest.mark.parametrize(
    ("fact", "value", "said"),
    [
        ("deposit", "1,250.50", 'Errore: "1,250.50" non è un importo; scrivilo come 1.250,50\n'),
        ("quantity", "otto", 'Errore: "otto" non è un numero di pezzi; scrivilo come 12\n'),
        ("quantity", "-3", 'Errore: "-3" non è un numero di pezzi; scrivilo come 12\n'),
        ("items", "  ", 'Errore: scrivi cosa impostare, oppure "-" per cancellarlo\n'),
    ],
)
def test_a_wrong_value_is_one_line_and_changes_nothing(
    run, write_shop, open_shop, fact, value, said
) -> None:
    home = make_home(write_shop, open_shop, IT_HEADER)
    before = facts_json(run, home)
    result = run("--home", str(home), "orders", "set", "B-0001", fact, value)
    assert (result.exit_code, result.output) == (2, said)
    assert facts_json(run, home) == before
    unknown = run("--home", str(home), "orders", "set", "B-0001", "colour", "blu")
    assert unknown.exit_code == 2 and "Traceback" not in unknown.output


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    fact=st.sampled_from(["deposit", "price", "quote", "quantity", "method", "items"]),
    value=st.text(max_size=30).filter(lambda t: "\x00" not in t),
)
def test_any_typed_value_is_set_or_refused_in_one_line(run, home, fact, value) -> None:
    result = run("--home", str(home), "orders", "set", "B-0001", fact, value)
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert len(result.output.strip().splitlines()) <= 3  # click's usage lines at most
