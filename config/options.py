"""Typed options: what a config section or a connector accepts, and the checks that go with it.

A connector declares ``options = {"path": Option("path", help=...), ...}`` and the loader checks every
``[[accounts]]`` table against it, so each problem is reported with its key path and a suggestion.
Every number has a range (a port, a timeout, a size, a count), checked at load: a value past it
would otherwise reach a socket, a timer or a date sum and fail there, or lose mail for good.
A value is quoted back as banco.toml writes it (:func:`shown`), on one line, cut short.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any

from .secrets import parse_reference
from .sentence import Sentence


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()

TYPE_WORDS = {
    "str": Sentence("text in quotes"),
    "name": Sentence("a name in quotes, not empty"),
    "addresses": Sentence('a list of email addresses, such as ["you@example.com"]'),
    "chat": Sentence("a chat id: a whole number such as 123456789, not a @username"),
    "int": Sentence("a whole number"),
    "number": Sentence("a number"),
    "bool": Sentence("true or false"),
    "list": Sentence('a list of text, such as ["a", "b"]'),
    "ints": Sentence("a list of whole numbers, such as [3, 6, 12]"),
    "path": Sentence("a path in quotes"),
    "secret": Sentence('a reference such as {env = "NAME"}'),
    "table": Sentence("a table of keys and values"),
    "any": Sentence("a value"),
}


#: what an email address needs: something, an @, a domain; no spaces, no second @
EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
#: a key written bare in TOML; any other is quoted back
BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class Option:
    """One accepted key: its type, its default (REQUIRED if none) and a line of help.

    A number (``int``, ``number``, each of ``ints``) lies from ``minimum`` to ``maximum``, or,
    when ``positive``, above 0 and at most ``maximum`` (a timeout, a size: 0 would never wait, or
    keep no message)."""

    type: str
    default: Any = REQUIRED
    help: str = ""
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    positive: bool = False

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


@dataclass(frozen=True, init=False)
class Problem:
    """One thing wrong with the config, located by its key path (``accounts[2].password``):
    ``Problem(key, "is {value}; expected {expected}", value=..., expected=...)``. The message is a
    :class:`Sentence`, so the inbox says it in the maker's language (the key path and the values
    stay as written)."""

    key: str
    message: Sentence

    def __init__(self, key: str, template: str, /, **values: Any) -> None:
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "message", Sentence(template, **values))

    @property
    def sentence(self) -> Sentence:
        """The whole line: the key path, then what is wrong."""
        if not self.key:
            return self.message
        return Sentence("{key}: {problem}", key=self.key, problem=self.message)

    def __str__(self) -> str:
        return str(self.sentence)


def shown(value: Any) -> str:
    """``value`` as banco.toml writes it ("seven", 2026-01-01, [1, 2]), on one line and cut short,
    whatever it holds (a control character, a deep nesting, a huge number)."""
    text = _toml(value, 0)
    return text if len(text) <= 60 else text[:59] + "…"


def _toml(value: Any, depth: int) -> str:
    if depth > 3:
        return "…"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{_escaped(value)}"'
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, int) and abs(value) >= 10**60:
        # str() refuses a number of over 4300 digits: its first forty or so, then "…"
        shift = abs(value).bit_length() * 3 // 10 - 40
        return ("-" if value < 0 else "") + str(abs(value) // 10**shift) + "…"
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v, depth + 1) for v in value) + "]"
    if isinstance(value, dict):
        items = (f"{shown_key(str(k))} = {_toml(v, depth + 1)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    return str(value)


def one_line(text: str) -> str:
    """Text the maker wrote, for a sentence that quotes it: on one line, cut short."""
    escaped = _escaped(text)
    return escaped if len(escaped) <= 60 else escaped[:59] + "…"


def _escaped(text: str) -> str:
    """``text`` with its quotes and control characters escaped as TOML escapes them: one line."""
    return "".join(_ESCAPES.get(c) or (_code(c) if _is_control(c) else c) for c in text)


def _is_control(char: str) -> bool:
    """A control character or a line or paragraph separator: what would break a line, or say
    nothing, in a terminal or the page (a non-breaking space, an emoji's joiner are fine)."""
    return unicodedata.category(char) in ("Cc", "Zl", "Zp")


_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _code(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def shown_key(key: str) -> str:
    """A key as TOML writes it: bare when it can be, else in quotes (on one line)."""
    return key if BARE_KEY.fullmatch(key) else _toml(key, 0)


def suggest(word: str, known: list[str] | tuple[str, ...]) -> str:
    """'; did you mean "name"?' for a word close to a known one, else ""."""
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    return Sentence('; did you mean "{known}"?', known=close[0]) if close else ""


def check_options(
    values: Mapping[str, Any],
    options: Mapping[str, Option],
    prefix: str,
    base_dir: Path,
    problems: list[Problem],
    ignore: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Validate ``values`` against ``options``; return them converted and with defaults filled in."""
    result: dict[str, Any] = {}
    for key, value in values.items():
        if key in ignore:
            continue
        if key not in options:
            problems.append(_unknown_key(f"{prefix}{shown_key(key)}", key, sorted(options)))
            continue
        converted = _convert(value, options[key], f"{prefix}{key}", base_dir, problems)
        if converted is not None:
            result[key] = converted
    for key, option in options.items():
        if key in result:
            continue
        if option.required:
            if key not in values:
                problems.append(
                    Problem(
                        f"{prefix}{key}", "missing; expected {expected}", expected=_expected(option)
                    )
                )
        elif option.type == "path":
            result[key] = _convert(str(option.default), option, key, base_dir, problems)
        else:
            result[key] = option.default
    return result


def _unknown_key(path: str, key: str, known: list[str]) -> Problem:
    if hint := suggest(key, known):
        return Problem(path, "unknown key{hint}", hint=hint)
    return Problem(path, "unknown key (known keys: {keys})", keys=", ".join(known))


def _expected(option: Option) -> Sentence:
    if option.choices:
        return Sentence("one of {choices}", choices=", ".join(f'"{c}"' for c in option.choices))
    words = TYPE_WORDS[option.type]
    if option.maximum is not None and option.type == "ints":
        words = Sentence("{words}, each {range}", words=words, range=_range(option))
    elif option.maximum is not None:
        words = Sentence("{words} {range}", words=words, range=_range(option))
    if not option.help:
        return words
    return Sentence("{words} ({help})", words=words, help=Sentence(option.help))


def _range(option: Option) -> Sentence:
    if option.positive:
        return Sentence("more than 0 and at most {maximum}", maximum=_number(option.maximum))
    return Sentence(
        "from {minimum} to {maximum}",
        minimum=_number(option.minimum),
        maximum=_number(option.maximum),
    )


def _number(bound: float | None) -> str:
    return f"{bound:g}" if isinstance(bound, float) else str(bound)


def _in_range(value: float, option: Option) -> bool:
    """``value`` lies in the option's range (nan and inf never do)."""
    if option.maximum is None:
        return True
    if option.positive:
        return 0 < value <= option.maximum
    minimum = -math.inf if option.minimum is None else option.minimum
    return minimum <= value <= option.maximum


def _is_name(value: Any) -> bool:
    """Text that names something: not blank, on one line, no control characters."""
    return isinstance(value, str) and value.strip() != "" and not any(_is_control(c) for c in value)


def _is_number(value: Any, whole: bool) -> bool:
    types = int if whole else int | float
    return isinstance(value, types) and not isinstance(value, bool)


def _convert(value: Any, option: Option, key: str, base_dir: Path, problems: list[Problem]) -> Any:
    kind = option.type
    ok = True
    if kind == "secret":
        parsed = parse_reference(value, base_dir)
        if isinstance(parsed, Sentence):
            problems.append(Problem(key, parsed))
            return None
        return parsed
    if kind == "any":
        return value
    if kind == "str":
        ok = isinstance(value, str)
    elif kind == "path":
        # a NUL cannot be in a path: the system refuses it
        ok = isinstance(value, str) and "\0" not in value
    elif kind == "name":
        ok = _is_name(value)
    elif kind == "chat":
        # Telegram's ids fit in 52 bits (a group's is negative); 0: none
        ok = _is_number(value, True) and abs(value) < 2**52
    elif kind in ("int", "number"):
        ok = _is_number(value, kind == "int") and _in_range(value, option)
    elif kind == "bool":
        ok = isinstance(value, bool)
    elif kind == "list":
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    elif kind == "addresses":
        ok = isinstance(value, list) and all(
            _is_name(v) and EMAIL.fullmatch(v.strip()) for v in value
        )
    elif kind == "ints":
        ok = isinstance(value, list) and all(
            _is_number(v, True) and _in_range(v, option) for v in value
        )
    elif kind == "table":
        ok = isinstance(value, dict)
    if option.choices and value not in option.choices:
        ok = False
    if not ok:
        problems.append(
            Problem(
                key,
                "is {value}; expected {expected}",
                value=shown(value),
                expected=_expected(option),
            )
        )
        return None
    if kind == "path":
        path = Path(value).expanduser()
        return path if path.is_absolute() else (base_dir / path).resolve()
    return value
