"""Which connector kinds exist: read from the ``banco.connectors`` entry-point group.

Banco's own connectors register there too (see ``pyproject.toml``), so a third-party connector is a
pip package with one line of metadata::

    [project.entry-points."banco.connectors"]
    etsy = "banco_etsy:EtsyConnector"

A plugin that fails to import is reported by ``banco check``; it never stops the built-in ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points

from banco.config import Option

from .base import Connector

GROUP = "banco.connectors"


@dataclass
class Registry:
    kinds: dict[str, type[Connector]]
    #: entry points that could not be loaded: name -> reason
    broken: dict[str, str] = field(default_factory=dict)

    def options(self) -> Mapping[str, Mapping[str, Option]]:
        return {kind: cls.options for kind, cls in self.kinds.items()}


def load_registry() -> Registry:
    registry = Registry(kinds={})
    for ep in entry_points(group=GROUP):
        try:
            cls = ep.load()
        except Exception as e:  # a broken plugin must not take Banco down with it
            registry.broken[ep.name] = f"{ep.value} could not be loaded: {e}"
            continue
        registry.kinds[ep.name] = cls
    return registry
