"""Banco's configuration: the ``banco.toml`` of a shop folder, checked at load, secrets by reference."""

from .load import (
    ROUTINES,
    AccountConfig,
    Config,
    ConfigError,
    ShopConfig,
    Slot,
    load_config,
    longest_gap_hours,
    parse_config,
    slot_days,
)
from .options import REQUIRED, Option, Problem
from .secrets import Secret, SecretError

__all__ = [
    "REQUIRED",
    "ROUTINES",
    "AccountConfig",
    "Config",
    "ConfigError",
    "Option",
    "Problem",
    "Secret",
    "SecretError",
    "ShopConfig",
    "Slot",
    "load_config",
    "longest_gap_hours",
    "parse_config",
    "slot_days",
]
