"""`banco search` takes any text: a quote or FTS5's syntax is words or one plain line, never a
traceback; prefixes, plurals and a customer's name find what the maker means."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sources import MaildirSource

NO_WORDS = 'say what to look for, for example: banco search "blue mugs"'


@pytest.fixture
def shop(tmp_path: Path, write_shop, run) -> Path:
    mail = MaildirSource(tmp_path / "Maildir", 4)
    home = write_shop(f'\n[[accounts]]\nname = "mail"\n{mail.account()}')
    assert run("--home", str(home), "collect").exit_code == 0
    return home


@pytest.mark.parametrize("text", ['"', '""', "*", "(", "  ", "🙂", "«»"])
def test_text_without_words_is_one_plain_line_and_exit_2(shop: Path, run, text: str) -> None:
    result = run("--home", str(shop), "search", text)
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines() == [f"Error: {NO_WORDS}"]


@pytest.mark.parametrize("text", ['tazze"', 'a"b', "AND OR NOT", "NEAR(tazze blu)", "x:tazze"])
def test_fts5_syntax_is_searched_as_words(shop: Path, run, text: str) -> None:
    result = run("--home", str(shop), "search", text)
    assert result.exit_code == 0 and "Traceback" not in result.output


def test_a_prefix_and_a_singular_find_the_plural(shop: Path, run) -> None:
    for typed in ("tazz", "tazza", "TAZZE"):
        found = json.loads(run("--home", str(shop), "search", typed, "--json").output)
        assert len([r for r in found if r["type"] == "message"]) == 4, typed


def test_a_customers_name_and_address_find_her_orders(shop: Path, run) -> None:
    for typed in ("Customer 2", "customer2@example.com"):
        found = json.loads(run("--home", str(shop), "search", typed, "--json").output)
        assert [r["type"] for r in found[:2]] == ["order", "message"], typed  # hers, first
        assert found[1]["sender"] == "Customer 2"
        assert [r["type"] for r in found].count("order") == 1
    only = json.loads(run("--home", str(shop), "search", "customer2@example.com", "--json").output)
    assert len(only) == 2


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@example(text="-0")  # once read as an option: "No such option '-0'"
@example(text="--tazze")
@given(
    st.one_of(
        st.text(min_size=1),
        st.lists(st.sampled_from(['"', "*", "AND", "NEAR(", ")", "tazze", "🙂", "\x00", "é"])).map(
            "".join
        ),
        st.text(min_size=1, max_size=20).map(lambda t: (t * 10_000)[:10_000]),  # 10k characters
    )
)
def test_any_text_gives_results_or_one_plain_line(shop: Path, run, text: str) -> None:
    result = run("--home", str(shop), "search", text)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    if result.exit_code == 2:
        assert result.output.strip() == f"Error: {NO_WORDS}"
    else:
        assert result.exit_code == 0, result.output
