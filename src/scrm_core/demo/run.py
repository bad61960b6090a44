"""``scrm demo``: the real pipeline on the embedded default, against a local stand-in platform.

X and Facebook events arrive as signed webhooks through the same ASGI app ``scrm serve`` runs (one batch is
delivered twice, as platforms do, and one forged request is refused); e-mail and the helpdesk are polled page
by page from stored cursors, with a rate limit in the middle. Then agents answer the most pressing
conversations through the outbox, a billing dispute is handed off to finance, and the inbox is printed by
queue and priority with why each conversation went where it went.
"""

from __future__ import annotations

import json
import secrets
from collections import Counter
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
from attrs import frozen
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from scrm_core.asgi import create_app
from scrm_core.config import load_config
from scrm_core.engine import Engine
from scrm_core.errors import ConsentError
from scrm_core.fakes import Fault
from scrm_core.fakes.webhook import WebhookPlatformFake, sign_webhook
from scrm_core.http import create_client
from scrm_core.models import ConversationStatus, Priority, utcnow
from scrm_core.pipeline import Outcome

__all__ = ["DemoReport", "load_dataset", "run_demo"]

_PUSHED = ("x", "facebook")
_POLLED = ("email", "helpdesk")
_BATCH = 12


def load_dataset() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The bundled interactions and agents."""
    data = resources.files("scrm_core.demo").joinpath("data")
    interactions = json.loads(data.joinpath("interactions.json").read_text("utf-8"))
    agents = json.loads(data.joinpath("agents.json").read_text("utf-8"))
    return interactions, agents


@frozen(kw_only=True)
class DemoReport:
    outcomes: Mapping[str, int]
    refused: int
    replies_sent: int
    replies_blocked: int
    handoffs: int
    store_path: Path
    config_path: Path
    conversations: int


def _by_channel(documents: Sequence[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for document in sorted(documents, key=lambda d: str(d["created_at"])):
        grouped.setdefault(str(document["channel"]), []).append(document)
    return grouped


async def run_demo(workdir: Path, *, console: Console, show: int = 6) -> DemoReport:
    workdir.mkdir(parents=True, exist_ok=True)
    store_path = workdir / "scrm-demo.sqlite3"
    for stale in workdir.glob("scrm-demo.sqlite3*"):
        stale.unlink()
    interactions, agents = load_dataset()
    grouped = _by_channel(interactions)
    environ = {"SCRM_DEMO_SECRET": secrets.token_urlsafe(24), "SCRM_DEMO_TOKEN": secrets.token_urlsafe(24)}
    config_path = workdir / "scrm-demo.toml"
    config_path.write_text(resources.files("scrm_core.demo").joinpath("scrm-demo.toml").read_text("utf-8"),
                           "utf-8")
    config = load_config(config_path, environ=environ)
    accounts = {name: str(section.settings["account"]) for name, section in config.channels.items()}

    platform = WebhookPlatformFake(token=environ["SCRM_DEMO_TOKEN"])
    for channel in _POLLED:
        platform.add_items(accounts[channel], grouped.get(channel, []))
    # the first poll is rate limited, as busy APIs are; the engine waits for the reset and resumes
    platform.faults.push(Fault.rate_limited(retry_after=0, path="/interactions"))

    console.rule("[bold]scrm demo[/]: Lumen Telecom's social care inbox")
    console.print(f"{len(interactions)} interactions in English and Portuguese on {len(grouped)} channels; "
                  f"{len(agents)} people in the organisation. Store: {store_path}\n")
    async with Engine(config, http=create_client(transport=platform.transport())) as engine:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      console=console, transient=True) as progress:
            outcomes, refused = await _push_webhooks(engine, grouped, environ["SCRM_DEMO_SECRET"], progress)
            rate_limited = await _poll_until_done(engine, outcomes, grouped, progress)
        console.print(
            f"Ingested: [green]{outcomes[Outcome.ACCEPTED]} accepted[/], {outcomes[Outcome.DUPLICATE]} "
            f"re-deliveries recognised as duplicates, {outcomes[Outcome.DEAD_LETTER]} dead letters; "
            f"{refused} forged webhook refused (401); polling was rate limited {rate_limited}x and resumed "
            f"from its cursor.")

        sent, blocked = await _answer_some(engine, console)
        handoffs = _hand_off_billing(engine, console)
        _print_inbox(engine, console, show=show)
        conversations = engine.store.counts()["conversations"]
    console.print(f"\nThe stand-in platform received {len(platform.effects.of('reply'))} reply(ies). "
                  f"Explore: [bold]scrm inbox --store {store_path}[/] (add --queue NAME, --status all).")
    return DemoReport(outcomes=dict(outcomes), refused=refused, replies_sent=sent, replies_blocked=blocked,
                      handoffs=handoffs, store_path=store_path, config_path=config_path,
                      conversations=conversations)


async def _push_webhooks(
    engine: Engine, grouped: Mapping[str, list[dict[str, Any]]], secret: str,
    progress: Progress,
) -> tuple[Counter[str], int]:
    """X and Facebook push signed batches through the webhook app; the first batch of each arrives twice,
    as platforms re-deliver, and one forged request is sent to show the refusal."""
    outcomes: Counter[str] = Counter()
    task = progress.add_task("webhooks in", total=sum(len(grouped.get(c, [])) for c in _PUSHED))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(engine)),
                                 base_url="http://scrm.local") as web:
        for channel in _PUSHED:
            documents = grouped.get(channel, [])
            for start in range(0, len(documents), _BATCH):
                batch = documents[start:start + _BATCH]
                body = json.dumps({"interactions": batch}, ensure_ascii=False).encode()
                headers = sign_webhook(secret, body)
                for _ in range(2 if start == 0 else 1):
                    response = await web.post(f"/webhooks/{channel}", content=body, headers=headers)
                    response.raise_for_status()
                    outcomes.update(response.json())
                progress.advance(task, len(batch))
        forged = json.dumps({"interactions": grouped[_PUSHED[0]][:1]}).encode()
        forged_response = await web.post(f"/webhooks/{_PUSHED[0]}", content=forged,
                                         headers=sign_webhook("not-the-secret", forged))
    return outcomes, int(forged_response.status_code == 401)


async def _poll_until_done(engine: Engine, outcomes: Counter[str], grouped: Mapping[str, list[dict[str, Any]]],
                           progress: Progress) -> int:
    """E-mail and the helpdesk are polled page by page until nothing is left; returns the rate-limit hits."""
    task = progress.add_task("polling", total=sum(len(grouped.get(c, [])) for c in _POLLED))
    rate_limited = 0
    for _ in range(100):
        report = await engine.poll()
        rate_limited += len(report.waits)
        outcomes.update(result.outcome.value for result in report.results)
        progress.advance(task, len(report.results))
        if report.pages == 0 and not report.waits:
            break
    return rate_limited


async def _answer_some(engine: Engine, console: Console) -> tuple[int, int]:
    """Advocates answer the three most pressing conversations; a reply to an opted-out person is blocked."""
    sent = blocked = 0
    for conversation in engine.inbox(limit=200):
        if sent >= 3:
            break
        if "do-not-contact" in conversation.tags:
            continue
        reply = await engine.reply(conversation.id, "We're sorry about this. An advocate is on it now and will "
                                   "update you within the hour.", agent=conversation.assignee or "advocate")
        sent += reply.status.value == "sent"
    opted_out = next((c for c in engine.inbox(limit=500) if "do-not-contact" in c.tags), None)
    if opted_out is not None:
        try:
            await engine.reply(opted_out.id, "Can we help with anything else?", agent="advocate")
        except ConsentError as exc:
            blocked += 1
            console.print(f"Reply to {escape(opted_out.customer.handle or opted_out.customer.platform_id)} "
                          f"blocked: {escape(str(exc))}")
    console.print(f"Agents answered {sent} urgent conversation(s) through the outbox.")
    return sent, blocked


def _hand_off_billing(engine: Engine, console: Console) -> int:
    """A disputed charge needs finance's approval: hand it off, tracked with an owner and a due time."""
    for conversation in engine.inbox(limit=500):
        text = " ".join(s.interaction.text.lower() for s in engine.store.interactions_of(conversation.id))
        if any(word in text for word in ("charged twice", "cobrança", "cobrado", "refund", "reembolso")):
            handoff = engine.hand_off(conversation.id, "finance", "disputed charge needs back-office approval",
                                      actor=conversation.assignee or "advocate")
            console.print(f"Handed off conversation with {escape(conversation.customer.display_name or '?')} "
                          f"to [bold]{handoff.to}[/] (tracked; status {handoff.status.value}).")
            return 1
    return 0


def _print_inbox(engine: Engine, console: Console, *, show: int) -> None:
    from scrm_core.cli.render import inbox_listing

    everything = engine.store.list_conversations(status=None, limit=100000)
    grid = Table(title="Conversations by queue and priority", title_justify="left")
    grid.add_column("queue")
    for priority in Priority:
        grid.add_column(priority.value, justify="right")
    grid.add_column("handed off", justify="right")
    queues = sorted({c.queue or "-" for c in everything})
    for queue in queues:
        mine = [c for c in everything if (c.queue or "-") == queue]
        counts = Counter(c.priority for c in mine if c.status is not ConversationStatus.HANDED_OFF)
        handed = sum(c.status is ConversationStatus.HANDED_OFF for c in mine)
        grid.add_row(queue, *(str(counts.get(p, 0) or "") for p in Priority), str(handed or ""))
    console.print()
    console.print(grid)
    now = utcnow()
    for queue in queues:
        mine = [c for c in everything if (c.queue or "-") == queue][:show]
        console.print()
        console.rule(f"queue [bold]{escape(queue)}[/]: the {len(mine)} most pressing", align="left")
        console.print(inbox_listing(mine, engine.store, now=now))
