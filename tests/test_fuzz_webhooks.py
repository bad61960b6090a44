"""Fuzzing the inbound path: whatever a signed body holds, the answer is stored results or a typed refusal.

CI runs 3,000 generated bodies; ``SCRM_FUZZ_EXAMPLES=100000`` runs a long campaign.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scrm_core.channels import WebhookRequest
from scrm_core.engine import Engine
from scrm_core.errors import InputError
from scrm_core.pipeline import Outcome
from scrm_core.signing import sign_standard_webhook
from tests.support import SECRET, interaction_doc

_json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
_json = st.recursive(_json_scalars, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=12)
_fields = ["external_id", "kind", "text", "author", "created_at", "in_reply_to", "thread_ref", "visibility",
           "metadata", "language", "link", "direction", "account", "channel", "received_at"]


@st.composite
def mangled_items(draw: st.DrawFn) -> dict[str, Any]:
    """A plausible interaction with some fields replaced by arbitrary JSON or removed."""
    item = interaction_doc(draw(st.text(min_size=1, max_size=12)), text=draw(st.text(max_size=60)))
    for name in draw(st.lists(st.sampled_from(_fields), max_size=4)):
        if draw(st.booleans()):
            item[name] = draw(_json)
        else:
            item.pop(name, None)
    return item


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["structured", "truncated", "bytes", "json"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    if kind == "json":
        return json.dumps(draw(_json)).encode()
    body = json.dumps({"interactions": draw(st.lists(mangled_items(), min_size=1, max_size=3))}).encode()
    if kind == "truncated":
        return body[: draw(st.integers(0, max(0, len(body) - 1)))]
    return body


_engine: list[Engine] = []


@settings(max_examples=int(os.environ.get("SCRM_FUZZ_EXAMPLES", "3000")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=bodies())
async def test_any_signed_body_gets_results_or_a_typed_refusal(
    make_engine: Callable[..., Engine], body: bytes
) -> None:
    # one engine for all examples: building scorers and rules per example would be most of the run
    if not _engine:
        _engine.append(make_engine())
    engine = _engine[0]
    before = engine.store.counts()["interactions"]
    headers = sign_standard_webhook(SECRET, "m", int(time.time()), body)
    try:
        result = await engine.handle_webhook("x", WebhookRequest(headers=headers, body=body))
    except InputError as exc:
        assert exc.status in (400, 413) and exc.path.startswith("$")
        assert engine.store.counts()["interactions"] == before, "a refused body stored something"
    else:
        accepted = result.count(Outcome.ACCEPTED)
        assert engine.store.counts()["interactions"] == before + accepted, "an accepted interaction was not stored"
