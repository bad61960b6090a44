"""``scrm plugins``, ``scrm check`` and ``scrm schema``: look at what is installed and configured."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from scrm_core import schemas
from scrm_core.cli.options import console, print_problems
from scrm_core.config import load_config
from scrm_core.errors import ConfigError, PluginError
from scrm_core.plugins import Registry, create_plugin_manager, manifests
from scrm_core.validation import check_config


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One manifest per plugin, as JSON.")
def plugins(as_json: bool) -> None:
    """List the loaded plugins: name, version, hooks and what each registered."""
    pm = create_plugin_manager()
    try:
        found = manifests(pm, Registry(pm))
    except PluginError as exc:
        console.print(f"[red]plugin error[/]: {escape(str(exc))}")
        sys.exit(2)
    failures = pm.scrm_load_failures  # type: ignore[attr-defined]
    if as_json:
        click.echo(json.dumps({"plugins": found, "failures": [{"plugin": f.plugin, "error": f.error}
                                                               for f in failures]}, indent=2))
        return
    table = Table(title="scrm plugins", title_justify="left")
    for column in ("name", "version", "hooks", "registered"):
        table.add_column(column)
    for manifest in found:
        registered = [f"{kind}: {', '.join(manifest[kind])}" for kind in
                      ("channels", "scorers", "strategies", "conditions", "config_sections") if manifest[kind]]
        table.add_row(manifest["name"], manifest["version"] or "-", "\n".join(manifest["hooks"]),
                      escape("\n".join(registered)))
    console.print(table)
    for failure in failures:
        console.print(f"[red]failed to load[/] {failure.plugin}: {escape(failure.error)}")


@click.command()
@click.argument("config_file", type=click.Path(dir_okay=False, path_type=Path))
def check(config_file: Path) -> None:
    """Validate CONFIG_FILE against the schema and the installed plugins; print every problem with its path."""
    try:
        config = load_config(config_file)
    except ConfigError as exc:
        print_problems(exc)
        sys.exit(1)
    pm = create_plugin_manager(load_plugins=config.load_plugins, disable=config.disable_plugins)
    problems = check_config(config, Registry(pm))
    if problems:
        print_problems(ConfigError(problems, str(config_file)))
        sys.exit(1)
    rules = config.routing.get("rules", [])
    console.print(f"{escape(str(config_file))}: OK ({len(config.channels)} channel(s), {len(rules)} rule(s))")


@click.command()
@click.argument("name", required=False, type=click.Choice(list(schemas.SCHEMA_NAMES)))
def schema(name: str | None) -> None:
    """Print the JSON Schema NAME (or list them)."""
    if name is None:
        for known in schemas.SCHEMA_NAMES:
            document: Any = schemas.load_schema(known)
            click.echo(f"{known}: {document.get('title', '')}")
        return
    click.echo(json.dumps(schemas.load_schema(name), indent=2, ensure_ascii=False))
