"""The times she types for her day: what setup accepts, banco.toml's own check accepts too."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from banco.config import ConfigError, parse_config
from banco.inbox.setup.schedule import times_problem, typed_times

SHOP = {"shop": {"name": "Test shop", "timezone": "UTC", "languages": ["en"]}}

# what she might type: digits, colons, day names, commas, dashes and spaces, or anything at all
DAY = st.sampled_from(["", "mon ", "sat-sun ", "fri-mon ", "Tue ", "xyz "])
TIME = st.builds(
    lambda day, hour, minute: f"{day}{hour}:{minute:02d}",
    DAY,
    st.integers(0, 30),
    st.integers(0, 70),
)
TYPED = st.one_of(
    st.lists(TIME, min_size=1).map(", ".join),
    st.text(),
    st.lists(
        st.sampled_from(["mon", "fri", "sun", "-", ",", " ", ":", "0", "8", "3", "9", "24", "60"])
    ).map("".join),
)


@given(TYPED)
def test_any_answer_is_refused_in_words_or_loads_as_banco_toml(answer: str) -> None:
    problem = times_problem(answer)
    if problem is not None:
        assert problem.endswith('"mon-fri 17:00".')
        return
    times = typed_times(answer)
    try:
        parse_config(Path("banco.toml"), {**SHOP, "schedule": {"collect": times}}, {})
    except ConfigError as e:
        raise AssertionError(f"setup took {answer!r}, banco.toml refuses it: {e.lines}") from None


def test_her_usual_answers() -> None:
    assert times_problem("08:00, 12:30") is None
    assert times_problem("mon-fri 17:00, sat 09:00") is None
    assert times_problem("-") is None
    assert times_problem("25:00") is not None and times_problem("8") is not None
