"""The ``scrm`` command. Each command lives in its own module; this one only assembles the group."""

from __future__ import annotations

import logging

import click

from scrm_core.cli import admin, demo, housekeeping, inbox, ingest, new_plugin, route, serve

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.version_option(package_name="scrm-core", prog_name="scrm")
def main(verbose: int) -> None:
    """scrm: social customer care for any CRM."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


for command in (
    demo.demo, inbox.inbox, ingest.replay, ingest.poll, housekeeping.retry, housekeeping.escalate, serve.serve,
    admin.plugins, admin.check, admin.schema, route.route, new_plugin.new_plugin,
):
    main.add_command(command)

