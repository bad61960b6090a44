"""Webhooks over HTTP through the ASGI app: accepted, refused with the right status, nothing half-stored."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from scrm_core.asgi import create_app
from scrm_core.engine import Engine
from scrm_core.fakes.webhook import sign_webhook
from scrm_core.signing import sign_standard_webhook
from tests.support import SECRET, interaction_doc


def signed(documents: list[dict[str, object]], secret: str = SECRET) -> tuple[bytes, dict[str, str]]:
    body = json.dumps({"interactions": documents}).encode()
    return body, sign_webhook(secret, body)


async def test_a_signed_batch_is_accepted_and_stored(web: httpx.AsyncClient, engine: Engine) -> None:
    body, headers = signed([interaction_doc("1"), interaction_doc("2", text="how do I roam in Portugal?")])
    response = await web.post("/webhooks/x", content=body, headers=headers)
    assert response.status_code == 200
    assert response.json()["accepted"] == 2
    assert engine.store.counts()["interactions"] == 2


async def test_redelivery_is_harmless(web: httpx.AsyncClient, engine: Engine) -> None:
    body, headers = signed([interaction_doc("1")])
    first = await web.post("/webhooks/x", content=body, headers=headers)
    again = await web.post("/webhooks/x", content=body, headers=headers)
    assert first.json()["accepted"] == 1
    assert again.json() == {"accepted": 0, "duplicate": 1, "suppressed": 0, "dead_letter": 0}
    assert engine.store.counts()["interactions"] == 1


@pytest.mark.parametrize("tamper", ["body", "secret", "missing", "stale"])
async def test_a_bad_signature_is_refused_and_nothing_stored(
    web: httpx.AsyncClient, engine: Engine, tamper: str
) -> None:
    body, headers = signed([interaction_doc("1")], secret="wrong" if tamper == "secret" else SECRET)
    if tamper == "body":
        body = body.replace(b"down", b"DOWN")
    if tamper == "missing":
        del headers["webhook-signature"]
    if tamper == "stale":
        headers = sign_standard_webhook(SECRET, "m1", int(time.time()) - 3600, body)
    response = await web.post("/webhooks/x", content=body, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"] == "bad_signature"
    assert SECRET not in response.text
    assert engine.store.counts()["interactions"] == 0


@pytest.mark.parametrize(("body", "detail", "path"), [
    (b"{not json", "not valid JSON", "$"),
    (b"\xff\xfe{}", "not valid UTF-8", "$"),
    (b'{"interactions": {}}', "array 'interactions'", "$"),
    (json.dumps({"interactions": [interaction_doc("1"), {**interaction_doc("2"), "kind": "shout"}]}).encode(),
     "'shout' is not one of", "$.interactions[1].kind"),
    (json.dumps({"interactions": [{**interaction_doc("1"), "author": {}}]}).encode(),
     "'platform_id' is a required property", "$.interactions[0].author"),
    (json.dumps({"interactions": [{**interaction_doc("1"), "channel": "facebook"}]}).encode(),
     "arrived on 'x'", "$.interactions[0].channel"),
])
async def test_a_malformed_body_is_refused_with_its_path_and_nothing_stored(
    web: httpx.AsyncClient, engine: Engine, body: bytes, detail: str, path: str
) -> None:
    response = await web.post("/webhooks/x", content=body, headers=signed([])[1] | sign_standard_webhook(
        SECRET, "m", int(time.time()), body))
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "malformed"
    assert detail in response.json()["detail"]
    assert response.json()["path"] == path
    # the valid first item of a batch with a bad second one is not stored either: all or nothing per request
    assert engine.store.counts()["interactions"] == 0


async def test_an_oversized_body_is_cut_off(web: httpx.AsyncClient, engine: Engine) -> None:
    body = b"{" + b" " * (engine.config.max_body_bytes + 10) + b"}"

    async def stream() -> object:
        for start in range(0, len(body), 65536):
            yield body[start:start + 65536]

    response = await web.post("/webhooks/x", content=stream(), headers=sign_standard_webhook(
        SECRET, "m", int(time.time()), body))
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"


async def test_an_unknown_channel_is_404(web: httpx.AsyncClient) -> None:
    body, headers = signed([interaction_doc("1")])
    response = await web.post("/webhooks/nope", content=body, headers=headers)
    assert response.status_code == 404
    assert response.json()["error"] == "unknown_channel"
    assert "configured: x" in response.json()["detail"]


async def test_health_and_readiness(web: httpx.AsyncClient) -> None:
    assert (await web.get("/healthz")).json() == {"status": "ok"}
    assert (await web.get("/readyz")).json() == {"status": "ready", "channels": ["x"]}


@pytest.fixture
def served(engine: Engine) -> Iterator[str]:
    """The ASGI app on a real loopback socket."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(engine), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.time() + 10
    while not server.started and time.time() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(5)
    sock.close()


async def test_webhooks_over_a_real_loopback_socket(served: str, engine: Engine) -> None:
    body, headers = signed([interaction_doc("1"), interaction_doc("2")])
    async with httpx.AsyncClient(base_url=served) as client:
        ok = await client.post("/webhooks/x", content=body, headers=headers)
        forged = await client.post("/webhooks/x", content=body, headers={**headers, "webhook-signature": "v1,AAAA"})
    assert ok.status_code == 200 and ok.json()["accepted"] == 2
    assert forged.status_code == 401
    assert engine.store.counts()["interactions"] == 2
