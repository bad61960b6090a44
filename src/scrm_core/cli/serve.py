"""``scrm serve``: the webhook endpoints on a real HTTP server."""

from __future__ import annotations

from pathlib import Path

import click
import uvicorn

from scrm_core.asgi import create_app
from scrm_core.cli.options import config_option, load
from scrm_core.engine import Engine


@click.command()
@config_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
def serve(config_path: Path | None, host: str, port: int) -> None:
    """Serve the webhook endpoints with uvicorn (POST /webhooks/CHANNEL)."""
    engine = Engine(load(config_path))
    uvicorn.run(create_app(engine, manage_engine=True), host=host, port=port, log_level="info",
                proxy_headers=False)
