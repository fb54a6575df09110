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


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()

TYPE_WORDS = {
    "str": "text in quotes",
    "int": "a whole number",
    "number": "a number",
    "bool": "true or false",
    "list": 'a list of text, such as ["a", "b"]',
    "ints": "a list of whole numbers, such as [3, 6, 12]",
    "path": "a path in quotes",
    "secret": 'a reference such as {env = "NAME"}',
    "table": "a table of keys and values",
    "any": "a value",
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


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the config, located by its key path (``accounts[2].password``)."""

    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}" if self.key else self.message


def suggest(word: str, known: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    return f'; did you mean "{close[0]}"?' if close else ""


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
            known = sorted(options)
            problems.append(
                Problem(
                    f"{prefix}{key}",
                    f"unknown key{suggest(key, known)}"
                    + ("" if suggest(key, known) else f" (known keys: {', '.join(known)})"),
                )
            )
            continue
        converted = _convert(value, options[key], f"{prefix}{key}", base_dir, problems)
        if converted is not None:
            result[key] = converted
    for key, option in options.items():
        if key in result or key in values:
            continue
        if option.required:
            problems.append(Problem(f"{prefix}{key}", f"missing; expected {_expected(option)}"))
        elif option.type == "path":
            result[key] = _convert(str(option.default), option, key, base_dir, problems)
        else:
            result[key] = option.default
    return result


def _expected(option: Option) -> str:
    if option.choices:
        return "one of " + ", ".join(f'"{c}"' for c in option.choices)
    words = TYPE_WORDS[option.type]
    return f"{words} ({option.help})" if option.help else words


def _convert(value: Any, option: Option, key: str, base_dir: Path, problems: list[Problem]) -> Any:
    kind = option.type
    ok = True
    if kind == "secret":
        parsed = parse_reference(value, base_dir)
        if isinstance(parsed, str):
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
        problems.append(Problem(key, f"is {value!r}; expected {_expected(option)}"))
        return None
    if kind == "path":
        path = Path(value).expanduser()
        return path if path.is_absolute() else (base_dir / path).resolve()
    return value
