"""Money as the maker writes it in her language, exact to the cent, and shown back the same way."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from banco.config import ConfigError, load_config
from banco.connectors import load_registry
from banco.inbox.i18n.money import AmountError, format_amount, format_money, parse_amount

LANGS = ("en", "it", "fr")
AMOUNTS = st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2)


@pytest.mark.parametrize(
    ("lang", "text", "amount"),
    [
        ("it", "1.250,50", "1250.50"),
        ("it", "1250,5", "1250.50"),
        ("it", "12,50 €", "12.50"),
        ("it", "1.250", "1250.00"),
        ("fr", "1 250,50", "1250.50"),
        ("fr", "1\u202f250,50\u00a0€", "1250.50"),
        ("en", "1,250.50", "1250.50"),
        ("en", "£1,250.50", "1250.50"),
        ("en", "1,250", "1250.00"),
    ],
)
def test_an_amount_is_read_the_way_her_language_writes_it(
    lang: str, text: str, amount: str
) -> None:
    currency = "GBP" if "£" in text else "EUR"
    assert parse_amount(text, lang, currency) == Decimal(amount)


@pytest.mark.parametrize(
    ("lang", "text", "said"),
    [
        ("it", "1,250", "più di due decimali"),  # an English thousands separator: not 1.25
        ("en", "1.250", "more than two decimals"),
        ("it", "1,250.50", "non è un importo"),
        ("en", "1.250,50", "is not an amount"),
        ("it", "-3", "non è un importo"),
        ("it", "NaN", "non è un importo"),
        ("en", "inf", "is not an amount"),
        ("en", "1e3", "is not an amount"),
        ("fr", "", "n'est pas un montant"),
        ("it", "3331234567890", "troppo grande"),
    ],
)
def test_an_amount_banco_cannot_be_sure_of_is_refused_plainly(
    lang: str, text: str, said: str
) -> None:
    with pytest.raises(AmountError, match=said):
        parse_amount(text, lang)


@given(amount=AMOUNTS, lang=st.sampled_from(LANGS))
def test_money_shown_is_read_back_exactly(amount: Decimal, lang: str) -> None:
    assert parse_amount(format_amount(amount, lang), lang) == amount
    assert parse_amount(format_money(amount, "EUR", lang), lang) == amount


@settings(max_examples=500)
@given(text=st.text(max_size=30), lang=st.sampled_from(LANGS))
def test_any_text_is_an_exact_amount_or_one_plain_sentence(text: str, lang: str) -> None:
    try:
        amount = parse_amount(text, lang)
    except AmountError as e:
        assert str(e) and "\n" not in str(e)
    else:
        assert amount.is_finite() and Decimal(0) <= amount < Decimal("100000000")
        assert amount == amount.quantize(Decimal("0.01"))


@pytest.mark.parametrize(
    ("shop", "currency"),
    [
        ('timezone = "Europe/Rome"\nlanguages = ["it"]', "EUR"),
        ('timezone = "Europe/Paris"\nlanguages = ["fr"]', "EUR"),
        ('timezone = "Europe/London"\nlanguages = ["en"]', "GBP"),
        ('timezone = "America/New_York"\nlanguages = ["en"]', "USD"),
        ('timezone = "UTC"\nlanguages = ["it"]', "EUR"),
        ('timezone = "Europe/Rome"\ncurrency = "chf"', "CHF"),
    ],
)
def test_the_currency_is_hers_or_her_countrys(tmp_path, shop: str, currency: str) -> None:
    (tmp_path / "banco.toml").write_text(f"[shop]\n{shop}\n")
    assert load_config(tmp_path / "banco.toml", load_registry().kinds).shop.currency == currency


def test_a_wrong_currency_is_one_plain_line(tmp_path) -> None:
    (tmp_path / "banco.toml").write_text('[shop]\ncurrency = "euro"\n')
    with pytest.raises(ConfigError) as refused:
        load_config(tmp_path / "banco.toml", load_registry().kinds)
    assert [str(p) for p in refused.value.problems] == [
        'shop.currency: "euro" is not a currency; use a code such as "EUR"'
    ]


def test_a_price_typed_in_the_italian_session_is_kept_to_the_cent(write_shop, clock) -> None:
    import json

    from conftest import SHOP_HEADER
    from listsource import ListConnector
    from sessions import ITEMS, Script

    from banco.connectors import Registry
    from banco.inbox.collect.sync import collect
    from banco.inbox.shop import Shop

    home = write_shop(
        '\n[[accounts]]\nname = "mail"\nkind = "list"\npath = "items.json"\n',
        header=SHOP_HEADER.replace('languages = ["en"]', 'languages = ["it"]'),
    )
    (home / "items.json").write_text(json.dumps(ITEMS))
    registry = Registry(kinds={**load_registry().kinds, "list": ListConnector})  # type: ignore[dict-item]
    shop = Shop.open(home, clock=clock, registry=registry)
    try:
        collect(shop)
        # a status needing a price, then a price written the English way, then the Italian way
        maker = Script(["o", "3", "1,250", "o", "3", "1.250,50", "q"])
        maker.run(shop)
        assert '"1,250" ha più di due decimali; scrivilo come 1.250,50' in maker.output
        assert "blank keeps 1.250,50" not in maker.output
        price = shop.store.scalar("select price from orders where id = 1")
        assert parse_amount(format_amount(Decimal(str(price)), "it"), "it") == Decimal("1250.50")
        assert "€1,250.50" in maker.output  # the quote to Ann, written the way Ann reads it
    finally:
        shop.close()


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amount=AMOUNTS)
def test_an_amount_comes_back_from_the_store_to_the_cent(store, amount: Decimal) -> None:
    """Stored as SQLite's number and read with stored_amount, every price is the one written."""
    from banco.inbox.i18n.money import stored_amount

    store.db.execute("create table if not exists amounts (value real)")
    store.db.execute("delete from amounts")
    store.db.execute("insert into amounts values (?)", [amount])
    assert stored_amount(store.scalar("select value from amounts")) == amount
