"""The registry reads a kind's options from its module's ``OPTIONS`` without importing its class,
so every command can check banco.toml without importing imapclient, python-telegram-bot or
gspread; a plugin without ``OPTIONS`` still works, and one that fails to import is reported."""

from __future__ import annotations

import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator
from importlib import import_module
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

import pytest
from conftest import SHOP_HEADER

from banco.config import load_config
from banco.connectors.registry import GROUP, Registry, registry_of

PLUGIN_INIT = """
from typing import Any

from banco.config import Option

OPTIONS = {"shop_id": Option("str", help="the shop's number")}


def __getattr__(name: str) -> Any:
    if name == "EtsyConnector":
        from .connector import EtsyConnector

        return EtsyConnector
    raise AttributeError(name)
"""

PLUGIN_CLASS = """
from banco.config import Option

from . import OPTIONS


class EtsyConnector:
    kind = "etsy"
    options = OPTIONS
"""

CLASS_ONLY = """
from banco.config import Option


class ShopifyConnector:
    kind = "shopify"
    options = {"store": Option("str", help="the store's address")}
"""


@pytest.fixture
def plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., str]]:
    """Write a plugin package (file name -> source) under a fresh name; returns that name."""
    written: list[str] = []
    monkeypatch.syspath_prepend(str(tmp_path))

    def write(**files: str) -> str:
        name = f"banco_test_plugin_{uuid.uuid4().hex[:8]}"
        (tmp_path / name).mkdir()
        for file, source in files.items():
            (tmp_path / name / f"{file}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        written.append(name)
        return name

    yield write
    for module in [m for m in sys.modules if m.split(".")[0] in written]:
        del sys.modules[module]


def registry(**values: str) -> Registry:
    return registry_of(EntryPoint(kind, value, GROUP) for kind, value in values.items())


def config(home: Path, kinds: Registry, *accounts: str) -> str:
    text = SHOP_HEADER + "".join(
        f'\n[[accounts]]\nname = "{kind}"\nkind = "{kind}"\n{keys}\n'
        for kind, keys in (a.split(" ", 1) for a in accounts)
    )
    (home / "banco.toml").write_text(text, encoding="utf-8")
    loaded = load_config(home / "banco.toml", kinds.options())
    return ", ".join(f"{a.kind}: {dict(a.settings)}" for a in loaded.accounts)


def test_a_kinds_options_are_read_without_importing_its_class(plugins, tmp_path: Path) -> None:
    name = plugins(__init__=PLUGIN_INIT, connector=PLUGIN_CLASS)
    kinds = registry(etsy=f"{name}:EtsyConnector")
    assert config(tmp_path, kinds, 'etsy shop_id = "42"') == "etsy: {'shop_id': '42'}"
    assert kinds.options()["etsy"] is import_module(name).OPTIONS
    assert f"{name}.connector" not in sys.modules
    assert kinds.kinds["etsy"].__module__ == f"{name}.connector"  # imported when used
    assert kinds.broken == {}


def test_a_plugin_without_OPTIONS_gives_its_classs_options(plugins, tmp_path: Path) -> None:
    name = plugins(__init__=CLASS_ONLY)
    kinds = registry(shopify=f"{name}:ShopifyConnector")
    assert (
        config(tmp_path, kinds, 'shopify store = "x.example"') == "shopify: {'store': 'x.example'}"
    )
    assert kinds.options()["shopify"] is kinds.kinds["shopify"].options
    assert list(kinds.options()) == ["shopify"]


def test_a_plugin_that_fails_to_import_is_broken_and_stops_no_other(
    plugins, tmp_path: Path
) -> None:
    good = plugins(__init__=PLUGIN_INIT, connector=PLUGIN_CLASS)
    bad = plugins(__init__="import banco_etsy_api_that_is_not_installed\n")
    kinds = registry(etsy=f"{good}:EtsyConnector", broken=f"{bad}:BrokenConnector")
    options = kinds.options()
    assert "broken" not in options and "etsy" in options
    assert list(options) == ["etsy"]
    assert "could not be loaded: No module named 'banco_etsy_api" in kinds.broken["broken"]
    assert config(tmp_path, kinds, 'etsy shop_id = "42"') == "etsy: {'shop_id': '42'}"
    assert list(kinds.kinds) == ["etsy"]


def test_a_class_that_fails_to_import_is_broken_when_it_is_used(plugins, tmp_path: Path) -> None:
    name = plugins(__init__=PLUGIN_INIT, connector="raise RuntimeError('needs etsy-api 2')\n")
    kinds = registry(etsy=f"{name}:EtsyConnector")
    assert config(tmp_path, kinds, 'etsy shop_id = "42"') == "etsy: {'shop_id': '42'}"
    assert kinds.broken == {}
    assert kinds.kinds.get("etsy") is None
    assert kinds.broken["etsy"].endswith("could not be loaded: needs etsy-api 2")


@pytest.mark.parametrize(
    "point", sorted(entry_points(group=GROUP), key=lambda p: p.name), ids=lambda p: p.name
)
def test_each_built_in_kind_declares_the_options_of_its_class(point: EntryPoint) -> None:
    assert import_module(point.module).OPTIONS is point.load().options
