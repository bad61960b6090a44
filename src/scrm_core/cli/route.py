"""``scrm route --explain FILE``: a dry run of scoring and routing that shows which rules fired and why."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs
import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from scrm_core import codec
from scrm_core.config import Config, load_config
from scrm_core.errors import ConfigError, InputError
from scrm_core.models import Interaction, Score
from scrm_core.plugins import Registry, create_plugin_manager
from scrm_core.routing import RoutingInput, build_router
from scrm_core.scoring import Scorer, ScoringContext, build_scorers
from scrm_core.store.sqlite import SQLiteStore

__all__ = ["route"]

console = Console()


def _documents(path: Path) -> list[Any]:
    text = path.read_text("utf-8")
    stripped = text.lstrip()
    if stripped.startswith("["):
        loaded = json.loads(text)
        return loaded if isinstance(loaded, list) else [loaded]
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _score(
    scorers: Sequence[Scorer], interaction: Interaction, now: datetime
) -> tuple[Interaction, dict[str, Score]]:
    scores: dict[str, Score] = {}
    context = ScoringContext(scores=scores, now=now)
    for scorer in scorers:
        if scorer.languages is not None and interaction.language not in scorer.languages:
            continue
        try:
            result = scorer.score(interaction, context)
        except Exception as exc:  # a dry run shows a failing scorer instead of stopping
            console.print(f"[yellow]scorer {scorer.name} failed[/]: {escape(str(exc))}")
            continue
        if result is not None:
            scores[scorer.name] = result
            if scorer.name == "language" and interaction.language is None and result.label:
                interaction = attrs.evolve(interaction, language=result.label)
    return interaction, scores


def _problems(exc: ConfigError) -> None:
    console.print(f"[red]{escape(exc.source)}[/]: {len(exc.problems)} problem(s)")
    for problem in exc.problems:
        console.print(f"  {escape(str(problem))}")


def _table(rows: Sequence[Mapping[str, str]]) -> Table:
    table = Table(title="scrm route --explain", title_justify="left", show_lines=True)
    for column in ("interaction", "rules fired", "queue / owner", "priority", "why"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(escape(row[c]) for c in ("interaction", "rules", "owner", "priority", "why")))
    return table


@click.command()
@click.option(
    "--explain",
    "file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A JSON array or JSON-lines file of interaction documents.",
)
@click.option(
    "-c",
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="SCRM_CONFIG",
    help="TOML config file (default: $SCRM_CONFIG, else built-in defaults).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON decision per line instead of a table.")
def route(file: Path, config_path: Path | None, as_json: bool) -> None:
    """Score and route each interaction in FILE without storing anything; show which rules fired and why."""
    try:
        config = load_config(config_path) if config_path else Config.default()
        pm = create_plugin_manager(load_plugins=config.load_plugins, disable=config.disable_plugins)
        registry = Registry(pm)
        scorers = build_scorers(registry, config.scoring)
        router = build_router(config.routing, registry, store=SQLiteStore(), timezone=config.timezone)
    except ConfigError as exc:
        _problems(exc)
        sys.exit(1)
    rows = []
    for number, document in enumerate(_documents(file), 1):
        try:
            interaction = codec.from_json(Interaction, document)
        except InputError as exc:
            console.print(f"[red]interaction {number}[/]: {escape(str(exc))}")
            continue
        now = interaction.received_at
        interaction, scores = _score(scorers, interaction, now)
        decision = router.route(RoutingInput(interaction=interaction, scores=scores, now=now))
        if as_json:
            click.echo(json.dumps({"interaction": interaction.external_id, **codec.to_json(decision)}))
            continue
        rows.append(
            {
                "interaction": f"{interaction.channel}/{interaction.external_id} "
                f"[{interaction.language or '?'}]\n{interaction.text[:80]}",
                "rules": ", ".join(decision.rule_ids) or "(none: fallback)",
                "owner": f"{decision.queue} / {decision.assignee or '-'}",
                "priority": decision.priority.value,
                "why": decision.explanation,
            }
        )
    if not as_json:
        console.print(_table(rows))
