"""An order as text for the terminal: its fields, its history and its whole conversation."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from banco.inbox.orders.pipeline import STATUS_WORDS


def order_text(order: dict[str, Any], when: Callable[[str | None], str]) -> str:
    contact = order["contact"] or {}
    customer = contact.get("name") or "the customer"
    lines = [
        f"{order['ref']}  {order['title']}",
        f"Status:    {STATUS_WORDS[order['status']]}",
        f"Customer:  {contact.get('name') or '?'}"
        + "".join(f"  {h['kind']}: {h['value']}" for h in order["handles"]),
    ]
    for label, key in (
        ("Deadline", "deadline"),
        ("Quantity", "quantity"),
        ("Price", "price"),
        ("Estimate", "estimated_hours"),
    ):
        if order[key] is not None:
            value = f"{order[key]:g} hours" if key == "estimated_hours" else order[key]
            lines.append(f"{label + ':':<10} {value}")
    lines.append(f"Payment:   {order['payment'].replace('_', ' ')}")
    for link in order["links"]:
        lines.append(f"Link for the customer ({link['account']}): {link['url']}")
    if order["details"]:
        lines += ["", order["details"]]
    custom = json.loads(order["custom"] or "{}")
    if custom:
        lines += [""] + [f"{k}: {v}" for k, v in custom.items()]
    if order["tasks"]:
        lines += ["", "Tasks:"]
        for t in order["tasks"]:
            mark = "x" if t["done_at"] else " "
            lines.append(f"  [{mark}] {t['title']}" + (f" (due {t['due']})" if t["due"] else ""))
    lines += ["", "History:"]
    for e in order["events"]:
        change = f"{e['from_status'] or ''} -> {e['to_status']}" if e["to_status"] else e["kind"]
        lines.append(f"  {when(e['at'])}  {change}" + (f": {e['note']}" if e["note"] else ""))
    lines += ["", f"Conversation ({len(order['conversation'])} messages):"]
    for m in order["conversation"]:
        who = "You" if m["direction"] == "out" else (m["sender"] or "?")
        flag = " (waiting for your reply)" if m["waiting"] else ""
        note = f" [{m['problem']}]" if m["status"] != "ok" else ""
        lines += ["", f"--- {when(m['sent_at'])}  {who} via {m['channel']}{flag}{note}"]
        if m["new_sender"]:
            lines.append(f"From a new sender — link to {customer}? `banco orders link {m['id']}`")
        if m["subject"]:
            lines.append(f"Subject: {m['subject']}")
        lines.append((m["text"] or "").strip())
    return "\n".join(lines)
