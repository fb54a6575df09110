"""Typed options: what a config section or a connector accepts, and the checks that go with it.

A connector declares ``options = {"path": Option("path", help=...), ...}`` and the loader checks every
``[[accounts]]`` table against it, so each problem is reported with its key path and a suggestion.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Option:
    """One accepted key: its type, its default (REQUIRED if none) and a line of help."""

    type: str
    default: Any = REQUIRED
    help: str = ""
    choices: tuple[str, ...] = ()

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
            problems.append(_unknown_key(f"{prefix}{key}", key, sorted(options)))
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
    if not option.help:
        return words
    return Sentence("{words} ({help})", words=words, help=Sentence(option.help))


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
    if kind in ("str", "path"):
        ok = isinstance(value, str)
    elif kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif kind == "bool":
        ok = isinstance(value, bool)
    elif kind == "list":
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    elif kind == "ints":
        ok = isinstance(value, list) and all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value
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
                value=repr(value),
                expected=_expected(option),
            )
        )
        return None
    if kind == "path":
        path = Path(value).expanduser()
        return path if path.is_absolute() else (base_dir / path).resolve()
    return value
