"""Which connector kinds exist: read from the ``banco.connectors`` entry-point group.

Banco's own connectors register there too (see ``pyproject.toml``), so a third-party connector is a
pip package with one line of metadata::

    [project.entry-points."banco.connectors"]
    etsy = "banco_etsy:EtsyConnector"

Every command reads banco.toml, and so the options of each kind it names; only a command that uses
an account (collect, check, send, auth, setup) needs the connector class. A kind's options are
its entry point's module's ``OPTIONS`` when that module declares them, so reading them imports
only that module: each built-in connector package declares ``OPTIONS`` from a light module
(``options.py``) and imports its class, with imapclient, python-telegram-bot or gspread (half a
second together), on first use. A module without ``OPTIONS`` gives the class's ``options``, so a
plugin written against the class alone still works. A module that declares ``OPTIONS`` declares
those of the one kind it registers.

A plugin whose module or class fails to import is absent and its reason kept in ``broken``
(``banco check`` shows it); it never stops the built-in ones.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from banco.config import Option

from .base import Connector

GROUP = "banco.connectors"


class LazyKinds(Mapping[str, type[Connector]]):
    """Kind name -> connector class, importing each class the first time it is asked for.
    A kind whose import fails is absent, and its reason is kept in ``broken``. ``options`` reads
    a kind's options without importing its class when its module declares them."""

    def __init__(self, points: Mapping[str, EntryPoint], broken: dict[str, str]) -> None:
        self._points = dict(points)
        self._loaded: dict[str, type[Connector]] = {}
        self._options: dict[str, Mapping[str, Option]] = {}
        self._broken = broken

    def names(self) -> list[str]:
        """Every registered kind, loadable or not (nothing is imported)."""
        return sorted(self._points)

    def options(self, kind: str) -> Mapping[str, Option] | None:
        """The kind's options: its module's ``OPTIONS``, else its class's; None for a kind that is
        not registered or fails to import."""
        if kind not in self._options and kind not in self._broken and kind in self._points:
            point = self._points[kind]
            try:
                module = importlib.import_module(point.module)
            except Exception as e:  # a broken plugin must not take Banco down with it
                self._broken[kind] = _cannot_load(point, e)
                return None
            declared = getattr(module, "OPTIONS", None)
            if declared is not None:
                self._options[kind] = declared
            elif (cls := self._load(kind)) is not None:
                self._options[kind] = cls.options
        return self._options.get(kind)

    def _load(self, kind: str) -> type[Connector] | None:
        if kind not in self._loaded and kind not in self._broken and kind in self._points:
            point = self._points[kind]
            try:
                self._loaded[kind] = point.load()
            except Exception as e:  # a broken plugin must not take Banco down with it
                self._broken[kind] = _cannot_load(point, e)
        return self._loaded.get(kind)

    def __getitem__(self, kind: str) -> type[Connector]:
        cls = self._load(kind)
        if cls is None:
            raise KeyError(kind)
        return cls

    def __contains__(self, kind: object) -> bool:
        return isinstance(kind, str) and self._load(kind) is not None

    def __iter__(self) -> Iterator[str]:
        return iter([kind for kind in self.names() if kind in self])

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _cannot_load(point: EntryPoint, error: Exception) -> str:
    return f"{point.value} could not be loaded: {error}"


class _LazyOptions(Mapping[str, Mapping[str, Option]]):
    """Each kind's options, read only for the kinds a config names (and, from ``LazyKinds``,
    without importing their classes)."""

    def __init__(self, kinds: Mapping[str, type[Connector]]) -> None:
        self._kinds = kinds

    def _options(self, kind: str) -> Mapping[str, Option] | None:
        if isinstance(self._kinds, LazyKinds):
            return self._kinds.options(kind)
        cls = self._kinds.get(kind)  # a plain mapping of classes, as tests build
        return None if cls is None else cls.options

    def __getitem__(self, kind: str) -> Mapping[str, Option]:
        options = self._options(kind)
        if options is None:
            raise KeyError(kind)
        return options

    def __contains__(self, kind: object) -> bool:
        return isinstance(kind, str) and self._options(kind) is not None

    def __iter__(self) -> Iterator[str]:
        names = self._kinds.names() if isinstance(self._kinds, LazyKinds) else list(self._kinds)
        return iter([kind for kind in names if kind in self])

    def __len__(self) -> int:
        return sum(1 for _ in self)


@dataclass
class Registry:
    kinds: Mapping[str, type[Connector]]
    #: entry points that could not be loaded: name -> reason
    broken: dict[str, str] = field(default_factory=dict)

    def options(self) -> Mapping[str, Mapping[str, Option]]:
        return _LazyOptions(self.kinds)


def registry_of(points: Iterable[EntryPoint]) -> Registry:
    """A registry of these entry points (the installed ones: ``load_registry``)."""
    broken: dict[str, str] = {}
    return Registry(kinds=LazyKinds({ep.name: ep for ep in points}, broken), broken=broken)


def load_registry() -> Registry:
    return registry_of(entry_points(group=GROUP))


def imported_on_first_use(package: str, name: str) -> Callable[[str], Any]:
    """A connector package's module ``__getattr__`` (PEP 562): its class ``name``, from the
    package's ``connector`` module, imported the first time it is asked for. Reading banco.toml
    needs only the package's ``OPTIONS``, and a kind's client library takes up to half a second
    to import."""

    def __getattr__(attr: str) -> Any:
        if attr == name:
            return getattr(importlib.import_module(".connector", package), name)
        raise AttributeError(f"module {package!r} has no attribute {attr!r}")

    return __getattr__
