"""Terminal views shared by ``scrm inbox`` and ``scrm demo``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.markup import escape
from rich.table import Table

from scrm_core.models import Conversation, Priority
from scrm_core.store import Store

_PRIORITY_STYLE = {Priority.URGENT: "bold red", Priority.HIGH: "yellow", Priority.NORMAL: "default",
                   Priority.LOW: "dim"}


def _snippet(text: str, width: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _due(value: datetime | None, now: datetime | None) -> str:
    if value is None:
        return "-"
    if now is not None and value < now:
        return f"[red]overdue {value:%a %H:%M}[/]"
    return f"{value:%a %H:%M}"


def inbox_table(
    conversations: Sequence[Conversation], store: Store, *, title: str, why: bool = True,
    now: datetime | None = None,
) -> Table:
    """One row per conversation, most pressing first, with the last customer words and why it is there."""
    table = Table(title=title, title_justify="left", show_lines=why, expand=True)
    table.add_column("priority", no_wrap=True)
    table.add_column("queue / owner", no_wrap=True)
    table.add_column("channel", no_wrap=True)
    table.add_column("customer", no_wrap=True, max_width=22)
    table.add_column("lang", no_wrap=True)
    table.add_column("last message", ratio=3)
    table.add_column("SLA due", no_wrap=True)
    if why:
        table.add_column("why", ratio=3)
    for c in conversations:
        stored = store.interactions_of(c.id)
        last = next((s for s in reversed(stored) if s.interaction.direction.value == "inbound"), None)
        text = _snippet(last.interaction.text) if last else ""
        who = c.customer.handle or c.customer.display_name or c.customer.platform_id
        owner = f"{c.queue or '-'}" + (f"\n→ {c.assignee}" if c.assignee else "")
        style = _PRIORITY_STYLE[c.priority]
        row = [f"[{style}]{c.priority.value}[/]", escape(owner), c.channel, escape(who), c.language or "?",
               escape(text) + (f" [dim](+{c.interaction_count - 1})[/]" if c.interaction_count > 1 else ""),
               _due(c.sla_due, now)]
        if why:
            reasons = [escape(c.explanation)] if c.explanation else []
            if last is not None:
                priority = next((s for s in last.scores if s.name == "priority"), None)
                if priority is not None and priority.reasons:
                    reasons.append("[dim]priority: " + escape("; ".join(priority.reasons)) + "[/]")
            if c.tags:
                reasons.append("[dim]tags: " + escape(", ".join(c.tags)) + "[/]")
            row.append("\n".join(reasons))
        table.add_row(*row)
    return table
