"""A shop: its folder, its checked config, its store, the connectors it can use, and a clock."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from banco.config import Config, load_config
from banco.connectors import Connector, Context, Handle, Registry, load_registry
from banco.connectors.errors import NeedsUser
from banco.inbox.clock import Clock, SystemClock
from banco.inbox.store.database import Store

CONFIG_NAME = "banco.toml"


def default_home() -> Path:
    """``BANCO_HOME`` if set, else the platform's per-user data folder."""
    env = os.environ.get("BANCO_HOME")
    return Path(env).expanduser() if env else Path(platformdirs.user_data_dir("banco"))


@dataclass
class Shop:
    home: Path
    config: Config
    registry: Registry
    clock: Clock = field(default_factory=SystemClock)
    _store: Store | None = None

    @classmethod
    def open(
        cls, home: Path, *, clock: Clock | None = None, registry: Registry | None = None
    ) -> Shop:
        """Load the shop in ``home``. Raises ConfigError (exit 2) when banco.toml is wrong."""
        registry = registry or load_registry()
        config = load_config(home / CONFIG_NAME, registry.options())
        return cls(home, config, registry, clock or SystemClock())

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.home)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    @property
    def owner_handles(self) -> set[Handle]:
        """The maker's own addresses: what she sends from them is hers, not a customer's."""
        handles = {Handle("email", a) for a in self.config.shop.addresses}
        if self.config.shop.owner_chat:
            handles.add(Handle("telegram", str(self.config.shop.owner_chat)))
        return handles

    def can_send(self, account: str) -> bool:
        settings = self.config.account(account)
        return settings.enabled and hasattr(self.registry.kinds.get(settings.kind), "send")

    def sending_account(self, channel: str) -> str | None:
        """The first enabled account that can send on ``channel`` ("email", "telegram")."""
        for account in self.config.accounts:
            cls = self.registry.kinds.get(account.kind)
            if getattr(cls, "channel", None) == channel and self.can_send(account.name):
                return account.name
        return None

    def connector(self, account: str) -> Connector:
        settings = self.config.account(account)
        cls = self.registry.kinds.get(settings.kind)
        if cls is None:
            raise NeedsUser(f"the connector for kind {settings.kind!r} is not installed")
        context = Context(home=self.home, timezone=self.config.shop.timezone, clock=self.clock)
        return cls(settings.name, settings.settings, context)
