"""Which connector kinds exist: read from the ``banco.connectors`` entry-point group.

Banco's own connectors register there too (see ``pyproject.toml``), so a third-party connector is a
pip package with one line of metadata::

    [project.entry-points."banco.connectors"]
    etsy = "banco_etsy:EtsyConnector"

A kind's code is imported only when a shop uses it (gspread and python-telegram-bot take half a
second to import), and a plugin that fails to import is reported by ``banco check``; it never
stops the built-in ones.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points

from banco.config import Option

from .base import Connector

GROUP = "banco.connectors"


class LazyKinds(Mapping[str, type[Connector]]):
    """Kind name -> connector class, importing each class the first time it is asked for.
    A kind whose import fails is absent, and its reason is kept in ``broken``."""

    def __init__(self, points: Mapping[str, EntryPoint], broken: dict[str, str]) -> None:
        self._points = dict(points)
        self._loaded: dict[str, type[Connector]] = {}
        self._broken = broken

    def _load(self, kind: str) -> type[Connector] | None:
        if kind not in self._loaded and kind not in self._broken and kind in self._points:
            point = self._points[kind]
            try:
                self._loaded[kind] = point.load()
            except Exception as e:  # a broken plugin must not take Banco down with it
                self._broken[kind] = f"{point.value} could not be loaded: {e}"
        return self._loaded.get(kind)

    def __getitem__(self, kind: str) -> type[Connector]:
        cls = self._load(kind)
        if cls is None:
            raise KeyError(kind)
        return cls

    def __contains__(self, kind: object) -> bool:
        return isinstance(kind, str) and self._load(kind) is not None

    def __iter__(self) -> Iterator[str]:
        return iter([kind for kind in sorted(self._points) if kind in self])

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _LazyOptions(Mapping[str, Mapping[str, Option]]):
    """Each kind's options, read (and so imported) only for the kinds a config names."""

    def __init__(self, kinds: Mapping[str, type[Connector]]) -> None:
        self._kinds = kinds

    def __getitem__(self, kind: str) -> Mapping[str, Option]:
        return self._kinds[kind].options

    def __contains__(self, kind: object) -> bool:
        return kind in self._kinds

    def __iter__(self) -> Iterator[str]:
        return iter(self._kinds)

    def __len__(self) -> int:
        return len(self._kinds)


@dataclass
class Registry:
    kinds: Mapping[str, type[Connector]]
    #: entry points that could not be loaded: name -> reason
    broken: dict[str, str] = field(default_factory=dict)

    def options(self) -> Mapping[str, Mapping[str, Option]]:
        return _LazyOptions(self.kinds)


def load_registry() -> Registry:
    broken: dict[str, str] = {}
    points = {ep.name: ep for ep in entry_points(group=GROUP)}
    return Registry(kinds=LazyKinds(points, broken), broken=broken)
