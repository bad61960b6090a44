"""``scrm new-plugin NAME``: a complete channel plugin package that installs and passes its own tests
straight away (pyproject with the entry point, channel, fake platform, conformance tests, README)."""

from __future__ import annotations

import importlib.metadata
import re
import string
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import click

__all__ = ["new_plugin", "render_plugin"]

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_TEMPLATE_SUFFIX = ".tmpl"


def _variables(name: str) -> dict[str, str]:
    camel = "".join(part.capitalize() for part in name.split("_"))
    try:
        core = importlib.metadata.version("scrm-core")
    except importlib.metadata.PackageNotFoundError:
        core = "0.1"
    return {
        "name": name, "package": f"scrm_{name}", "distribution": f"scrm-{name.replace('_', '-')}",
        "cls": f"{camel}Channel", "fake_cls": f"{camel}Fake", "title": camel, "env_prefix": name.upper(),
        "core_version": core.split("+")[0],
    }


def _walk(folder: Traversable, relative: Path) -> list[tuple[Path, Traversable]]:
    found: list[tuple[Path, Traversable]] = []
    for child in sorted(folder.iterdir(), key=lambda c: c.name):
        if child.is_dir():
            found += _walk(child, relative / child.name)
        elif child.name.endswith(_TEMPLATE_SUFFIX):
            found.append((relative / child.name.removesuffix(_TEMPLATE_SUFFIX), child))
    return found


def render_plugin(name: str, directory: Path, *, force: bool = False) -> Path:
    """Write the plugin package for channel type ``name`` into ``directory/scrm-<name>``; returns its path."""
    if not _NAME.match(name):
        raise click.BadParameter("use lower-case letters, digits and underscores, starting with a letter "
                                 "(it becomes the channel type, scrm_<name> and scrm-<name>)", param_hint="NAME")
    variables = _variables(name)
    target = directory / variables["distribution"]
    if target.exists() and any(target.iterdir()) and not force:
        raise click.ClickException(f"{target} exists and is not empty (use --force to overwrite)")
    for relative, template in _walk(files("scrm_core") / "templates" / "plugin", Path()):
        path = target / Path(*(variables["package"] if p == "__package__" else p for p in relative.parts))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(string.Template(template.read_text("utf-8")).substitute(variables), "utf-8")
    return target


@click.command("new-plugin")
@click.argument("name")
@click.option("-d", "--directory", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Where to create the scrm-NAME folder.")
@click.option("--force", is_flag=True, help="Overwrite files in an existing folder.")
def new_plugin(name: str, directory: Path, force: bool) -> None:
    """Generate a channel plugin package NAME (channel type NAME, package scrm_NAME) ready to develop:
    channel skeleton, fake platform, conformance tests and README."""
    target = render_plugin(name, directory, force=force)
    click.echo(f"created {target}\n\nnext:\n  cd {target}\n  pip install -e \".[test]\"\n  pytest")
