"""Where a phone can subscribe to the plan's calendar (``/plan.ics``).

A phone reaches the page only on the home network: when the page is open on this computer
alone (a loopback address), no address is offered (a phone told to subscribe to 127.0.0.1 would
fail in silence); the maker imports the file instead, or opens the page on her home network.
On the home network the page has a password (``serve`` makes sure of that), so the address
carries the calendar's own key in place of signing in."""

from __future__ import annotations

import ipaddress
import socket

from banco.inbox.web.auth import is_local, sign
from banco.inbox.web.context import Ctx

CALENDAR = "plan.ics"
#: addresses that mean "every address of this computer"
WILDCARDS = frozenset({"0.0.0.0", "::", ""})


def calendar_key(secret: str) -> str:
    """The key in the calendar link, so a calendar app can read plan.ics without signing in."""
    return sign(secret, CALENDAR)


def subscription_address(ctx: Ctx) -> str | None:
    """The address of plan.ics a phone on the home network can subscribe to, or None when the
    page is open on this computer only (or this computer is on no network)."""
    if is_local(ctx.web.host):
        return None
    host = ctx.request.url.hostname or ""
    if is_local(host):  # she opened the page here: the phone needs this computer's address
        host = ctx.web.host.strip("[]")
        if host in WILDCARDS:
            host = home_network_address() or ""
        if not host:
            return None
    url = ctx.request.url.replace(hostname=host, path="/" + CALENDAR, query="", fragment="")
    return f"{url}?key={calendar_key(ctx.web.secret)}"


def home_network_address() -> str | None:
    """This computer's address on its network: the one its connections leave from (a UDP
    socket pointed at a private address learns it without sending anything); None offline."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.168.255.255", 9))
            address = str(probe.getsockname()[0])
        except OSError:
            return None
    return None if ipaddress.ip_address(address).is_loopback else address
