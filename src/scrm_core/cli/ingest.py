"""``scrm replay`` and ``scrm poll``: put interactions through the pipeline."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from scrm_core import codec
from scrm_core.cli.options import config_option, console, err_console, load
from scrm_core.engine import Engine, result_counts
from scrm_core.errors import InputError
from scrm_core.models import Interaction
from scrm_core.pipeline import ProcessResult


def read_documents(path: Path) -> Iterator[tuple[str, Any]]:
    """(where, document) pairs from a JSON array or a JSON-lines file; a broken line is reported as its own
    InputError so the lines around it still load."""
    text = path.read_bytes().decode("utf-8", errors="strict")
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            documents = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path} is not valid JSON: {exc.msg} (line {exc.lineno})") from None
        for index, document in enumerate(documents):
            yield f"$[{index}]", document
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield f"line {number}", json.loads(line)
        except json.JSONDecodeError as exc:
            yield f"line {number}", InputError(f"not valid JSON: {exc.msg} (column {exc.colno})")


@click.command()
@config_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def replay(config_path: Path | None, file: Path) -> None:
    """Feed recorded interactions (JSON array or JSON lines) through the pipeline.

    Invalid documents are reported with their position and JSON path; the valid ones are still processed.
    """
    config = load(config_path)
    try:
        documents = list(read_documents(file))
    except (InputError, UnicodeDecodeError) as exc:
        err_console.print(f"[red]cannot read {escape(str(file))}[/]: {escape(str(exc))}")
        sys.exit(2)
    results: list[ProcessResult] = []
    rejected = 0

    async def run() -> None:
        nonlocal rejected
        async with Engine(config) as engine:
            with Progress(TextColumn("replaying"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                          console=err_console, transient=True) as progress:
                task = progress.add_task("replay", total=len(documents))
                for where, document in documents:
                    progress.advance(task)
                    try:
                        if isinstance(document, InputError):
                            raise document
                        interaction = codec.from_json(Interaction, document)
                        results.extend(engine.ingest([interaction]))
                    except InputError as exc:
                        rejected += 1
                        err_console.print(f"[red]rejected[/] {where}: {escape(str(exc))}", highlight=False)

    asyncio.run(run())
    counts = result_counts(results)
    console.print(f"replayed {len(documents)} document(s): " + ", ".join(
        f"{v} {k.replace('_', ' ')}" for k, v in counts.items()) + f", {rejected} rejected")
    if rejected:
        sys.exit(1)


@click.command()
@config_option
@click.option("--channel", help="Only this channel.")
@click.option("--max-pages", type=click.IntRange(1), help="Stop after this many pages.")
def poll(config_path: Path | None, channel: str | None, max_pages: int | None) -> None:
    """Poll the polling channels once, from their stored cursors."""
    config = load(config_path)

    async def run() -> None:
        async with Engine(config) as engine:
            report = await engine.poll(channel, max_pages=max_pages)
            counts = result_counts(report.results)
            console.print(f"{report.pages} page(s): " + ", ".join(f"{v} {k}" for k, v in counts.items()))
            for name, account, until in report.waits:
                console.print(f"  {name}/{account}: rate limited until {until:%H:%M:%S} UTC")
            for problem in report.problems:
                err_console.print(f"  [red]{escape(problem)}[/]")

    asyncio.run(run())
