"""``scrm inbox``: the routed conversations, most pressing first, with why each is where it is."""

from __future__ import annotations

from pathlib import Path

import click

from scrm_core.cli.options import config_option, console, load
from scrm_core.cli.render import inbox_listing
from scrm_core.models import utcnow
from scrm_core.store import SQLiteStore, Store, open_store


@click.command()
@config_option
@click.option("--store", "store_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read this SQLite store file instead of the config's store.")
@click.option("--queue", help="Only this queue.")
@click.option("--status", default="open", show_default=True,
              type=click.Choice(["open", "pending", "handed_off", "resolved", "all"]))
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10000))
@click.option("--why/--no-why", default=True, help="Show the routing reasons.")
def inbox(*, config_path: Path | None, store_path: Path | None, queue: str | None, status: str, limit: int,
          why: bool) -> None:
    """Show the routed conversations, most pressing first, with why each is where it is."""
    if store_path is not None:
        store: Store = SQLiteStore(store_path)
    else:
        config = load(config_path)
        store = open_store(config.store_url, base_dir=config.base_dir)
    try:
        conversations = store.list_conversations(status=None if status == "all" else status, queue=queue,
                                                 limit=limit)
        if not conversations:
            console.print("No conversations match.")
            return
        console.print(inbox_listing(conversations, store, why=why, now=utcnow()))
    finally:
        store.close()
