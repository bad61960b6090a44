"""Options and helpers shared by several commands."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape

from scrm_core.config import Config, load_config
from scrm_core.errors import ConfigError

F = TypeVar("F", bound=Callable[..., Any])

console = Console()
err_console = Console(stderr=True)


def config_option(f: F) -> F:
    return click.option(
        "-c", "--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
        envvar="SCRM_CONFIG", help="TOML config file (default: $SCRM_CONFIG, else ./scrm.toml if present).",
    )(f)


def load(config_path: Path | None) -> Config:
    """The config the user named, ./scrm.toml, or the embedded defaults; exits with the problems if invalid."""
    if config_path is None and Path("scrm.toml").is_file():
        config_path = Path("scrm.toml")
    if config_path is None:
        return Config.default()
    try:
        return load_config(config_path)
    except ConfigError as exc:
        print_problems(exc)
        sys.exit(2)


def print_problems(exc: ConfigError) -> None:
    err_console.print(f"[bold red]{escape(exc.source)}[/]: {len(exc.problems)} problem(s)", highlight=False)
    for problem in exc.problems:
        err_console.print(f"  [yellow]{escape(problem.path or '<root>')}[/]: {escape(problem.message)}",
                          highlight=False)


def no_color() -> bool:
    return bool(os.environ.get("NO_COLOR"))
