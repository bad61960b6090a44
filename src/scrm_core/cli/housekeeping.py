"""``scrm retry`` and ``scrm escalate``: the periodic work a deployment runs (from cron or a scheduler)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from scrm_core.cli.options import config_option, console, load
from scrm_core.engine import Engine, result_counts


@click.command()
@config_option
def retry(config_path: Path | None) -> None:
    """Retry dead letters, pending host deliveries and queued replies."""
    config = load(config_path)

    async def run() -> None:
        async with Engine(config) as engine:
            results, delivered = engine.retry()
            sent = await engine.flush_outbox()
            counts = result_counts(results)
            console.print(f"dead letters retried: {len(results)} ({counts['accepted']} accepted); "
                          f"deliveries done: {delivered}; replies attempted: {len(sent)}")

    asyncio.run(run())


@click.command()
@config_option
def escalate(config_path: Path | None) -> None:
    """Move overdue conversations one step up their escalation chain, recording each step."""
    config = load(config_path)

    async def run() -> None:
        async with Engine(config) as engine:
            steps = engine.escalate()
            for step in steps:
                console.print(f"{step.conversation_id}: {step.reason}", highlight=False)
            console.print(f"{len(steps)} conversation(s) escalated")

    asyncio.run(run())
