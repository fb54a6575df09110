"""Writing banco.toml with her: the commented example to start from, and her answers put into it
without losing a line she wrote (tomlkit keeps comments, order and layout).

Each change is written whole or not at all (a new file, then a rename): a crash never leaves half
a banco.toml."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import available_timezones

import tomlkit
from tomlkit.exceptions import ParseError
from tomlkit.items import AoT, Table
from tomlkit.toml_document import TOMLDocument

from banco.inbox.i18n.catalogs import _
from banco.inbox.setup.prompts import SetupError

EXAMPLE_CONFIG = "banco.example.toml"
#: the names a machine may give UTC, written "UTC" as the README does
UTC_NAMES = {"Etc/UTC", "Etc/Universal", "Etc/Zulu", "Universal", "Zulu", "Etc/GMT", "GMT"}


def example_text(kinds: str, timezone: str) -> str:
    """The commented banco.toml `banco init` writes, for the connector ``kinds`` installed."""
    example = resources.files("banco.config").joinpath(EXAMPLE_CONFIG).read_text(encoding="utf-8")
    # the comment after the time zone stays in its column as long as the name allows
    pad = " " * max(1, 21 - len(timezone))
    return example.replace("{kinds}", kinds).replace("{timezone}", timezone).replace("{pad}", pad)


def machine_timezone(environ: Mapping[str, str] = os.environ, localtime: Path | None = None) -> str:
    """This computer's time zone as an IANA name (TZ, else /etc/localtime's link); "UTC" when
    neither names one."""
    zones = available_timezones()
    named = environ.get("TZ", "").removeprefix(":")
    if named in zones:
        return named
    link = localtime or Path("/etc/localtime")
    try:
        target = str(link.resolve())
    except OSError:
        return "UTC"
    _, found, zone = target.partition("zoneinfo/")
    if not found or zone not in zones or zone in UTC_NAMES:
        return "UTC"
    return zone


def parse(text: str) -> TOMLDocument:
    return tomlkit.parse(text)


class Unreadable(SetupError):
    """Her banco.toml is not TOML: ``str()`` is one line saying where, and what to do."""


def read(path: Path) -> TOMLDocument:
    try:
        return parse(path.read_text(encoding="utf-8-sig"))
    except ParseError as e:
        raise Unreadable(
            _(
                "{path} cannot be read ({error}): fix that line, then run `banco setup` again."
            ).format(path=path, error=e)
        ) from None


def set_values(doc: TOMLDocument, table: str, values: Mapping[str, Any]) -> None:
    """Set ``values`` in ``[table]``, made if missing; keys she set and did not answer stay."""
    section = doc.get(table)
    if not isinstance(section, Table):
        section = tomlkit.table()
        doc[table] = section
    for key, value in values.items():
        section[key] = value


def put_account(doc: TOMLDocument, account: Mapping[str, Any], comments: Mapping[str, str]) -> None:
    """Add the ``[[accounts]]`` table ``account`` (its keys in order, ``comments`` after some),
    or replace the one of the same name; every other account stays as it was."""
    table = tomlkit.table()
    for key, value in account.items():
        table[key] = _inline(value)
        if key in comments:
            table[key].comment(comments[key])
    accounts = doc.get("accounts")
    if not isinstance(accounts, AoT):
        doc.add(tomlkit.nl())  # a blank line between the last section and her first account
        doc.append("accounts", tomlkit.aot())
        accounts = doc["accounts"]
    assert isinstance(accounts, AoT)
    for i, existing in enumerate(accounts):
        if existing.get("name") == account["name"]:
            accounts[i] = table
            return
    accounts.append(table)


def account_names(doc: TOMLDocument) -> list[str]:
    accounts = doc.get("accounts")
    return [str(a.get("name")) for a in accounts] if isinstance(accounts, AoT) else []


def _inline(value: Any) -> Any:
    """A secret reference ({file = ...}) is written on its line, as the README shows it."""
    if isinstance(value, Mapping):
        inline = tomlkit.inline_table()
        inline.update(value)
        return inline
    return value


def save(path: Path, doc: TOMLDocument) -> None:
    """Write ``doc`` to ``path`` at once: a new file beside it, then a rename."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        temporary.write_text(tomlkit.dumps(doc), encoding="utf-8")
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
