"""The webhook endpoints as one ASGI application: a Python host mounts it inside its own app, and
``scrm serve`` runs it with uvicorn.

    GET|POST /webhooks/{channel}   a platform's webhook (challenge answered, events verified and ingested)
    GET      /healthz              liveness: the process answers
    GET      /readyz               readiness: the store answers

Refusals carry the platform-expected status (400 malformed, 401 bad signature, 404 unknown channel,
413 too large) and a JSON body ``{"error": reason, "detail": ..., "path": ...}``. The body is read with a cap,
so an oversized request is cut off without being buffered whole.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from scrm_core.channels import WebhookRequest
from scrm_core.engine import Engine
from scrm_core.errors import InputError, PayloadTooLarge, PluginError

__all__ = ["create_app"]

log = logging.getLogger("scrm.asgi")


def _refusal(exc: InputError) -> JSONResponse:
    return JSONResponse({"error": exc.reason, "detail": exc.detail, "path": exc.path}, status_code=exc.status)


async def _read_capped(request: Request, cap: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > cap:
        raise PayloadTooLarge(f"body is over the {cap}-byte limit")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise PayloadTooLarge(f"body is over the {cap}-byte limit")
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(engine: Engine, *, manage_engine: bool = False) -> Starlette:
    """The ASGI app serving ``engine``. With ``manage_engine`` the app's lifespan starts and closes the engine
    (``scrm serve``); a host that owns the engine leaves it False."""

    async def webhook(request: Request) -> Response:
        name = request.path_params["channel"]
        try:
            body = await _read_capped(request, engine.config.max_body_bytes)
            result = await engine.handle_webhook(name, WebhookRequest(
                method=request.method, path=request.url.path, headers=dict(request.headers),
                query=dict(request.query_params), body=body))
        except InputError as exc:
            if exc.channel is None:
                exc.channel = name
            log.info("refused webhook on %s: %s", name, exc)
            return _refusal(exc)
        except PluginError as exc:
            log.error("webhook on %s: %s", name, exc)
            return JSONResponse({"error": "plugin_error", "detail": str(exc)}, status_code=500)
        if result.response is not None:
            r = result.response
            return Response(r.body, status_code=r.status, media_type=r.content_type)
        return JSONResponse(result.summary())

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> Response:
        try:
            engine.store.counts()
        except Exception as exc:
            return JSONResponse({"status": "unavailable", "detail": type(exc).__name__}, status_code=503)
        return JSONResponse({"status": "ready", "channels": sorted(engine.channels)})

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        if manage_engine:
            engine.start()
        try:
            yield
        finally:
            if manage_engine:
                await engine.aclose()

    return Starlette(
        routes=[
            Route("/webhooks/{channel}", webhook, methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
