"""``scrm demo``: the README's first command."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from scrm_core.cli.options import console


@click.command()
@click.option("--dir", "workdir", type=click.Path(file_okay=False, path_type=Path), default=Path("scrm-demo"),
              show_default=True, help="Where the demo writes its store and config.")
@click.option("--show", default=6, show_default=True, type=click.IntRange(1, 1000),
              help="Conversations shown per queue.")
def demo(workdir: Path, show: int) -> None:
    """Run the real pipeline over the bundled interactions against a local stand-in platform, no credentials
    or network needed, and print the inbox by queue and priority with the reasons."""
    from scrm_core.demo.run import run_demo

    asyncio.run(run_demo(workdir, console=console, show=show))
