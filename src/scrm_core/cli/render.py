"""Terminal views shared by ``scrm inbox`` and ``scrm demo``: one block per conversation, most pressing
first, that reads well at 80 columns: who and where, the customer's last words, and why it is there."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.console import Group
from rich.markup import escape
from rich.padding import Padding
from rich.text import Text

from scrm_core.models import Conversation, Priority
from scrm_core.store import Store

_PRIORITY_STYLE = {Priority.URGENT: "bold white on red", Priority.HIGH: "bold yellow", Priority.NORMAL: "bold",
                   Priority.LOW: "dim"}


def _snippet(text: str, width: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _due(value: datetime | None, now: datetime | None) -> str:
    if value is None:
        return ""
    if now is not None and value < now:
        return f" · [red]overdue since {value:%a %H:%M} UTC[/]"
    return f" · due {value:%a %H:%M} UTC"


def conversation_block(conversation: Conversation, store: Store, *, now: datetime | None = None,
                       why: bool = True) -> Group:
    c = conversation
    stored = store.interactions_of(c.id)
    last = next((s for s in reversed(stored) if s.interaction.direction.value == "inbound"), None)
    who = c.customer.handle or c.customer.display_name or c.customer.platform_id
    owner = f" → {escape(c.assignee)}" if c.assignee else " (unassigned)"
    status = "" if c.status.value == "open" else f" · [magenta]{c.status.value.replace('_', ' ')}[/]"
    more = f" · {c.interaction_count} messages" if c.interaction_count > 1 else ""
    head = Text.from_markup(
        f"[{_PRIORITY_STYLE[c.priority]}] {c.priority.value.upper()} [/] [bold]{escape(who)}[/] · {c.channel} · "
        f"{c.language or '?'} · {escape(c.queue or '-')}{owner}{status}{more}{_due(c.sla_due, now)}")
    lines: list[Text] = [head]
    if last is not None:
        lines.append(Text(f"“{_snippet(last.interaction.text)}”", style="italic"))
    if why:
        if c.explanation:
            lines.append(Text.from_markup(f"[cyan]why:[/] {escape(c.explanation)}"))
        if last is not None:
            priority = next((s for s in last.scores if s.name == "priority"), None)
            if priority is not None and priority.reasons:
                lines.append(Text.from_markup(
                    f"[cyan]last message scored:[/] {escape('; '.join(priority.reasons))}"))
        if c.tags:
            lines.append(Text.from_markup(f"[cyan]tags:[/] {escape(', '.join(c.tags))}"))
    return Group(lines[0], Padding(Group(*lines[1:]), (0, 0, 1, 3)))


def inbox_listing(conversations: Sequence[Conversation], store: Store, *, now: datetime | None = None,
                  why: bool = True) -> Group:
    return Group(*(conversation_block(c, store, now=now, why=why) for c in conversations))
