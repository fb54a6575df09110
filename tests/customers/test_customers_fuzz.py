"""Whatever she types to name a customer or an address, and whatever bytes a bounce holds, Banco
answers in one plain line or reads what it can: never a traceback, nothing changed."""

from __future__ import annotations

from pathlib import Path

from customer_shop import customers_shop
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from banco.connectors.email.dsn import returned

TYPED = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
).filter(lambda t: not t.startswith("-"))


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(who=TYPED, handle=TYPED)
@example(who="9" * 25, handle="+39 347")  # a number larger than any the store holds
def test_any_name_or_address_typed_is_one_line(
    write_shop, open_shop, run, tmp_path: Path, who: str, handle: str
) -> None:
    home = tmp_path / "shop"
    if not home.exists():  # one shop for every example: the fixtures are the test's
        customers_shop(write_shop, tmp_path, open_shop)
    for args in (["show", who], ["split", who, handle]):
        answer = run("--home", str(home), "customers", *args)
        assert answer.exit_code in (0, 1, 2), answer.output
        if answer.exit_code:
            assert answer.output.startswith(("Error: ", "Usage: ")), answer.output
            assert "did not expect" not in answer.output, answer.output  # a bug in Banco


@given(st.binary(max_size=400))
def test_a_bounce_of_any_bytes_reads_or_says_nothing(data: bytes) -> None:
    said = returned(data)
    assert said.message_key is None or isinstance(said.message_key, str)
    assert all("@" in address for address in said.failed)
