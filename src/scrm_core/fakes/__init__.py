"""A small base for contract-faithful fake platforms.

A fake is a Starlette app that behaves like the platform's API where a connector touches it: the same
routes, the same auth check, the same pagination, the same error shapes. It also records every request it
received (with the time on an injectable clock), keeps a ledger of the side effects it accepted
(deduplicated by idempotency key, as real platforms do) and plays back programmed faults: 429s with
``Retry-After``/``x-rate-limit-reset``, 5xx before or after the side effect, delays, timeouts and
malformed pages.

    class MyFake(FakePlatform):
        def setup(self) -> None:
            self.add_route("/messages", self.list_messages, auth=bearer("t0ken"))

    fake = MyFake()
    client = httpx.AsyncClient(transport=fake.transport(), base_url=fake.base_url)   # in-process
    with serve_loopback(fake.app) as url: ...                                          # real server

The same app serves both ways; ``fake.loopback`` tells a handler which one it is in.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

import httpx
import uvicorn
from attrs import define, field, frozen
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from scrm_core.models import utcnow

__all__ = [
    "Auth",
    "CursorPage",
    "Effect",
    "EffectLedger",
    "FakePlatform",
    "Fault",
    "FaultQueue",
    "Handler",
    "RecordedRequest",
    "bearer",
    "cursor_page",
    "hmac_signature",
    "seconds_between",
    "serve_loopback",
]

T = TypeVar("T")

#: a handler gets the request (its body already read and cached) and answers
Handler = Callable[[Request], Awaitable[Response]]
#: an auth check answers None to let the request through, or the platform's refusal
Auth = Callable[[Request, bytes], Response | None]


# ----------------------------------------------------------------------------------------------------- checks
def bearer(token: str | Callable[[], str]) -> Auth:
    """Require ``Authorization: Bearer <token>``; a missing or wrong token gets a 401 like real APIs give."""

    def check(request: Request, _: bytes) -> Response | None:
        expected = token() if callable(token) else token
        given = request.headers.get("authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {expected}".encode()):
            return None
        return JSONResponse({"error": "unauthorized", "detail": "missing or invalid bearer token"}, 401)

    return check


def hmac_signature(secret: str, *, header: str = "x-signature", prefix: str = "sha256=") -> Auth:
    """Require a hex HMAC-SHA256 of the raw body in ``header`` (the ``X-Hub-Signature-256`` style)."""

    def check(request: Request, body: bytes) -> Response | None:
        expected = prefix + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        if hmac.compare_digest(request.headers.get(header, "").encode(), expected.encode()):
            return None
        return JSONResponse({"error": "bad_signature"}, 401)

    return check


# ---------------------------------------------------------------------------------------------------- records
@frozen(kw_only=True)
class RecordedRequest:
    """One request as the fake received it, and what it answered."""

    at: datetime
    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes
    status: int = 0
    fault: str | None = None

    def json(self) -> Any:
        return json.loads(self.body)


@frozen(kw_only=True)
class Effect:
    """A side effect the fake accepted (a reply posted, a message sent)."""

    kind: str
    key: str
    result: Mapping[str, Any]
    request: Mapping[str, Any]
    at: datetime


class EffectLedger:
    """Accepted side effects, one per idempotency key; a repeat returns the first result and is counted in
    ``duplicates`` (so a test sees a resend even though the platform hid it)."""

    def __init__(self) -> None:
        self._effects: dict[tuple[str, str], Effect] = {}
        self.duplicates: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def accept(self, kind: str, key: str, request: Mapping[str, Any], result: Mapping[str, Any],
               at: datetime) -> tuple[Effect, bool]:
        """Record an effect; returns it and whether it is new."""
        with self._lock:
            existing = self._effects.get((kind, key))
            if existing is not None:
                self.duplicates[(kind, key)] = self.duplicates.get((kind, key), 0) + 1
                return existing, False
            effect = Effect(kind=kind, key=key, result=result, request=request, at=at)
            self._effects[(kind, key)] = effect
            return effect, True

    def find(self, kind: str, key: str) -> Effect | None:
        return self._effects.get((kind, key))

    def of(self, kind: str) -> list[Effect]:
        return [e for e in self._effects.values() if e.kind == kind]

    def __len__(self) -> int:
        return len(self._effects)


# ----------------------------------------------------------------------------------------------------- faults
@frozen(kw_only=True)
class Fault:
    """One programmed misbehaviour. ``when="before"`` answers instead of handling (nothing happens on the
    platform); ``when="after"`` handles the request (the side effect happens) and then answers with the
    fault: the ambiguous failure a connector must survive without sending twice."""

    name: str
    status: int = 500
    headers: Mapping[str, str] = field(factory=dict)
    body: bytes = b'{"error": "fault"}'
    content_type: str = "application/json"
    when: str = "before"
    delay: float = 0.0
    timeout: bool = False
    method: str | None = None
    path: str | None = None

    @classmethod
    def rate_limited(cls, retry_after: float = 60, *, reset_header: bool = True, method: str | None = None,
                     path: str | None = None) -> Fault:
        """429 with ``Retry-After`` (seconds) and, by default, ``x-rate-limit-reset`` (Unix time)."""
        headers = {"retry-after": str(int(retry_after))}
        if reset_header:
            headers["x-rate-limit-reset"] = str(int(time.time() + retry_after))
        return cls(name=f"429 retry-after {int(retry_after)}", status=429, headers=headers,
                   body=b'{"error": "rate_limited"}', method=method, path=path)

    @classmethod
    def server_error(cls, status: int = 503, *, after: bool = False, method: str | None = None,
                     path: str | None = None) -> Fault:
        return cls(name=f"{status} {'after' if after else 'before'} handling", status=status,
                   when="after" if after else "before", method=method, path=path)

    @classmethod
    def timed_out(cls, *, after: bool = False, seconds: float = 30.0, method: str | None = None,
                  path: str | None = None) -> Fault:
        """In-process: the client sees ``httpx.ReadTimeout``; on loopback the answer takes ``seconds``."""
        return cls(name=f"timeout {'after' if after else 'before'} handling", timeout=True, delay=seconds,
                   when="after" if after else "before", method=method, path=path)

    @classmethod
    def slow(cls, seconds: float, *, method: str | None = None, path: str | None = None) -> Fault:
        """Handle normally, but only after ``seconds``."""
        return cls(name=f"slow {seconds} s", delay=seconds, status=0, when="after", method=method, path=path)

    @classmethod
    def malformed(cls, body: bytes = b'{"interactions": [', *, status: int = 200,
                  content_type: str = "application/json", method: str | None = None,
                  path: str | None = None) -> Fault:
        """A 200 whose body is cut off or not what the contract promises."""
        return cls(name="malformed page", status=status, body=body, content_type=content_type, method=method,
                   path=path)

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method.upper() == method.upper()) and (
            self.path is None or path == self.path or path.startswith(self.path.rstrip("/") + "/"))


class FaultQueue:
    """Faults waiting for their request, in order; each is used once."""

    def __init__(self) -> None:
        self._queue: deque[Fault] = deque()
        self._lock = threading.Lock()

    def push(self, *faults: Fault, times: int = 1) -> None:
        with self._lock:
            for _ in range(times):
                self._queue.extend(faults)

    def take(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._queue:
                if fault.matches(method, path):
                    self._queue.remove(fault)
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()

    def __len__(self) -> int:
        return len(self._queue)


# ------------------------------------------------------------------------------------------------- pagination
@frozen(kw_only=True)
class CursorPage(Generic[T]):
    items: tuple[T, ...]
    next_cursor: str | None
    has_more: bool


def cursor_page(items: Sequence[T], cursor: str | None, limit: int, key: Callable[[T], str]) -> CursorPage[T]:
    """The page after ``cursor`` (the key of the last item the client saw), oldest first. ``next_cursor`` is
    the key of the last item returned (or the given cursor when nothing is new), so a client that stores it
    resumes without loss or repeats. An unknown cursor raises KeyError (answer 400, as APIs do)."""
    start = 0
    if cursor:
        keys = [key(item) for item in items]
        if cursor not in keys:
            raise KeyError(cursor)
        start = keys.index(cursor) + 1
    page = tuple(items[start:start + max(1, limit)])
    next_cursor = key(page[-1]) if page else cursor
    return CursorPage(items=page, next_cursor=next_cursor, has_more=start + len(page) < len(items))


# --------------------------------------------------------------------------------------------------- the base
@define
class _RouteSpec:
    path: str
    handler: Handler
    methods: tuple[str, ...]
    auth: Auth | None


class FakePlatform:
    """Base of a fake platform. Subclasses register routes in ``setup()`` with ``add_route``; handlers use
    ``self.accept(...)`` for side effects, ``self.record_time()`` for the current time."""

    #: the in-process base URL (any host works with ``httpx.ASGITransport``)
    base_url = "http://fake.test"

    def __init__(self, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.clock = clock
        self.requests: list[RecordedRequest] = []
        self.faults = FaultQueue()
        self.effects = EffectLedger()
        self.loopback = False
        self._routes: list[_RouteSpec] = []
        self._app: Starlette | None = None
        self._lock = threading.Lock()
        self.setup()

    def setup(self) -> None:
        """Register the routes (override)."""

    def add_route(self, path: str, handler: Handler, *, methods: Sequence[str] = ("GET",),
                  auth: Auth | None = None) -> None:
        if self._app is not None:
            raise RuntimeError("add routes in setup(), before the app is built")
        self._routes.append(_RouteSpec(path, handler, tuple(m.upper() for m in methods), auth))

    # -------------------------------------------------------------------------------------- serving
    @property
    def app(self) -> Starlette:
        if self._app is None:
            self._app = Starlette(routes=[Route(spec.path, self._endpoint(spec), methods=list(spec.methods))
                                          for spec in self._routes])
        return self._app

    def transport(self) -> httpx.ASGITransport:
        return httpx.ASGITransport(app=self.app)

    def client(self, **kwargs: Any) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self.transport(), base_url=self.base_url, **kwargs)

    @contextlib.contextmanager
    def serve(self) -> Iterator[str]:
        """Serve on a free loopback port for the duration; yields the base URL."""
        self.loopback = True
        try:
            with serve_loopback(self.app) as url:
                yield url
        finally:
            self.loopback = False

    def _endpoint(self, spec: _RouteSpec) -> Handler:
        async def endpoint(request: Request) -> Response:
            return await self._handle(spec, request)

        return endpoint

    async def _handle(self, spec: _RouteSpec, request: Request) -> Response:
        body = await request.body()
        at = self.clock()
        fault = self.faults.take(request.method, request.url.path)
        response: Response | None = None
        if fault is not None and fault.when == "before":
            response = await self._play(fault)
        if response is None and spec.auth is not None:
            response = spec.auth(request, body)
        if response is None:
            response = await spec.handler(request)
            if fault is not None and fault.when == "after":
                response = await self._play(fault) or response
        self._record(request, body, at, response.status_code, fault)
        return response

    async def _play(self, fault: Fault) -> Response | None:
        if fault.delay and (self.loopback or not fault.timeout):
            await asyncio.sleep(fault.delay)
        if fault.timeout and not self.loopback:
            raise httpx.ReadTimeout(f"fake platform: {fault.name}")
        if fault.status == 0:
            return None
        return Response(fault.body, status_code=fault.status, headers=dict(fault.headers),
                        media_type=fault.content_type)

    def _record(self, request: Request, body: bytes, at: datetime, status: int, fault: Fault | None) -> None:
        with self._lock:
            self.requests.append(RecordedRequest(
                at=at, method=request.method, path=request.url.path, query=dict(request.query_params),
                headers=dict(request.headers), body=body, status=status, fault=fault.name if fault else None))

    # --------------------------------------------------------------------------------- helpers for handlers
    def accept(self, kind: str, request: Request, body: bytes, make_result: Callable[[], Mapping[str, Any]],
               *, key: str | None = None) -> tuple[Effect, bool]:
        """Accept a side effect once per idempotency key (``key``, else the ``Idempotency-Key`` header, else
        a hash of the body: a platform without keys would post twice, and that is what the ledger shows)."""
        effect_key = key or request.headers.get("idempotency-key")
        if not effect_key:
            effect_key = f"unkeyed-{len(self.effects)}-{hashlib.sha256(body).hexdigest()[:12]}"
        try:
            document: Mapping[str, Any] = json.loads(body) if body else {}
        except ValueError:
            document = {"raw": body.decode("utf-8", "replace")}
        return self.effects.accept(kind, effect_key, document, make_result(), self.clock())

    # ------------------------------------------------------------------------------------------ inspection
    def requests_to(self, path: str, method: str | None = None) -> list[RecordedRequest]:
        return [r for r in self.requests
                if r.path == path and (method is None or r.method == method.upper())]

    def requests_before(self, moment: datetime) -> list[RecordedRequest]:
        return [r for r in self.requests if r.at < moment]

    def reset(self) -> None:
        """Forget recorded requests and pending faults (the platform's state stays)."""
        with self._lock:
            self.requests.clear()
        self.faults.clear()


# --------------------------------------------------------------------------------------------------- loopback
@contextlib.contextmanager
def serve_loopback(app: Any, *, startup_timeout: float = 10.0) -> Iterator[str]:
    """Run an ASGI app under uvicorn on 127.0.0.1 (a free port) in a background thread; yields its base URL
    and stops the server on exit."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, lifespan="off", log_level="warning", ws="none", access_log=False,
                            timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"fake-server-{port}",
                              daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError(f"loopback server on port {port} did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=startup_timeout)
        sock.close()


def seconds_between(earlier: datetime, later: datetime) -> float:
    return (later - earlier) / timedelta(seconds=1)
