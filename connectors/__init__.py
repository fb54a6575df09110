"""Connectors: adapters that fetch records from one service each. See ``base`` for the contract."""

from .base import (
    HANDLE_KINDS,
    Attachment,
    CheckResult,
    Connector,
    Context,
    HandingOver,
    Handle,
    OrderFields,
    Outgoing,
    Page,
    Person,
    Receipt,
    Record,
    Sender,
    normalise_handle,
    unreadable_record,
)
from .errors import BadRecord, ConnectorError, MayHaveBeenSent, NeedsUser, Rejected, TryLater
from .registry import Registry, load_registry

__all__ = [
    "HANDLE_KINDS",
    "Attachment",
    "BadRecord",
    "CheckResult",
    "Connector",
    "ConnectorError",
    "Context",
    "HandingOver",
    "Handle",
    "MayHaveBeenSent",
    "NeedsUser",
    "OrderFields",
    "Outgoing",
    "Page",
    "Person",
    "Receipt",
    "Record",
    "Registry",
    "Rejected",
    "Sender",
    "TryLater",
    "load_registry",
    "normalise_handle",
    "unreadable_record",
]
