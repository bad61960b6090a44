"""Interactions per second through the full scrm pipeline, next to a hand-written loop doing the same work.

    python benchmarks/pipeline.py [--n 3000] [--repeat 3]

Both sides receive the same signed webhook batches (20 interactions each, built from the demo dataset with
fresh ids, a third of them replies in an earlier thread) and both:
  verify the Standard Webhooks HMAC, decode the JSON, validate every item against the interaction schema,
  deduplicate, check consent and opt-out phrases, run the same default scorers (language, sentiment, intent,
  influence, customer value, priority), find the conversation a reply belongs to (or the customer's previous
  owner for a new one), route with the same compiled rules (the demo's), update the conversation's state
  (count, queue, owner, priority, SLA, tags, why) and store it with the interaction, its scores and its
  decision, committing each interaction in its own SQLite transaction (WAL, synchronous=NORMAL, a checkpoint
  every 10,000 pages: the same storage settings on both sides).
The framework side is ``Engine.handle_webhook`` with the default plugins. The hand-written side calls the
same scorer and router objects directly, with raw sqlite3 statements, plain dicts and json.dumps: no plugin
manager, no hooks, no models beyond the Interaction the scorers take, no store abstraction, no codec.

The last line is one JSON object: framework_per_s, handwritten_per_s (medians), ratio (framework / hand-written:
the median of the per-run ratios, each run timing both sides back to back) and ratio_of_medians.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import sqlite3
import statistics
import tempfile
import time
import tomllib
import uuid
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from scrm_core import schemas
from scrm_core.channels import WebhookRequest
from scrm_core.config import Config
from scrm_core.engine import Engine
from scrm_core.models import Conversation, Interaction, Party, utcnow
from scrm_core.plugins import Registry, create_plugin_manager
from scrm_core.routing import build_router
from scrm_core.routing.base import RoutingInput
from scrm_core.scoring import build_scorers
from scrm_core.scoring.base import ScoringContext
from scrm_core.signing import sign_standard_webhook
from scrm_core.store import SQLiteStore

SECRET = "benchmark-secret"
BATCH = 20


def demo_routing() -> dict[str, Any]:
    text = resources.files("scrm_core.demo").joinpath("scrm-demo.toml").read_text("utf-8")
    routing: dict[str, Any] = tomllib.loads(text)["routing"]
    return routing


def make_batches(n: int) -> list[tuple[bytes, dict[str, str]]]:
    """Signed webhook bodies carrying ``n`` interactions in the webhook channel's shape."""
    source = json.loads(resources.files("scrm_core.demo").joinpath("data/interactions.json").read_text("utf-8"))
    source = [d for d in source if d["direction"] == "inbound"] if "direction" in source[0] else source
    items = []
    for i in range(n):
        base = source[i % len(source)]
        item = {
            "external_id": f"bench-{i}", "kind": base["kind"], "text": base["text"],
            "author": {**base["author"], "platform_id": f"author-{i // 3}"},
            "created_at": base["created_at"], "visibility": base.get("visibility", "public"),
        }
        if i % 3:  # two of every three continue the thread of the first
            item["in_reply_to"] = f"bench-{i - 1}"
        items.append(item)
    batches = []
    for start in range(0, n, BATCH):
        body = json.dumps({"interactions": items[start:start + BATCH]}).encode()
        headers = sign_standard_webhook(SECRET, f"msg-{start}", int(time.time()), body)
        batches.append((body, headers))
    return batches


async def framework(batches: list[tuple[bytes, dict[str, str]]], folder: Path) -> tuple[float, int]:
    config = Config.from_mapping(
        {"channels": {"x": {"type": "webhook", "account": "acme", "secret_env": "S"}}, "routing": demo_routing()},
        environ={"S": SECRET})
    engine = Engine(config, plugin_manager=create_plugin_manager(entry_points=False),
                    store=SQLiteStore(folder / "framework.sqlite3"))
    accepted = 0
    async with engine:
        started = time.perf_counter()
        for body, headers in batches:
            result = await engine.handle_webhook("x", WebhookRequest(headers=headers, body=body))
            accepted += result.summary()["accepted"]
        elapsed = time.perf_counter() - started
    return elapsed, accepted


_SCHEMA = """
CREATE TABLE seen (key TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE consent (subject TEXT PRIMARY KEY, state TEXT) WITHOUT ROWID;
CREATE TABLE conversations (id TEXT PRIMARY KEY, channel TEXT, account TEXT, thread_key TEXT, customer_id TEXT,
    status TEXT, queue TEXT, assignee TEXT, priority_rank INTEGER, sla_due TEXT, updated_at TEXT, document TEXT,
    UNIQUE (channel, account, thread_key));
CREATE INDEX conversations_customer ON conversations (channel, customer_id, updated_at);
CREATE TABLE interactions (channel TEXT, account TEXT, external_id TEXT, conversation_id TEXT, document TEXT,
    scores TEXT, decision TEXT, PRIMARY KEY (channel, account, external_id)) WITHOUT ROWID;
"""
_OPT_OUT = {"stop", "unsubscribe", "pare", "parar", "sair"}
_RANK = {"urgent": 0, "high": 1, "normal": 2, "low": 3}


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _conversation_model(doc: dict[str, Any]) -> Conversation:
    """The router takes the conversation it may keep sticky, so the loop rebuilds it from its row."""
    return Conversation(
        id=doc["id"], channel="x", account="acme", thread_key=doc["thread_key"],
        customer=Party(platform_id=doc["customer_id"]), queue=doc["queue"], assignee=doc["assignee"],
        priority=doc["priority"], sla_due=datetime.fromisoformat(doc["sla_due"]) if doc["sla_due"] else None,
        interaction_count=doc["count"], opened_at=datetime.fromisoformat(doc["opened_at"]),
        updated_at=datetime.fromisoformat(doc["updated_at"]))


def handwritten(batches: list[tuple[bytes, dict[str, str]]], folder: Path) -> tuple[float, int]:
    registry = Registry(create_plugin_manager(entry_points=False))
    scorers = build_scorers(registry, {})
    scratch = SQLiteStore()
    router = build_router(demo_routing(), registry, store=scratch, timezone="UTC")
    validator = schemas.validator("interaction")
    db = sqlite3.connect(folder / "handwritten.sqlite3", isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA wal_autocheckpoint = 10000")  # the same storage settings as the framework's store
    db.executescript(_SCHEMA)
    key = SECRET.encode()
    accepted = 0
    started = time.perf_counter()
    for body, headers in batches:
        signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
        expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        if not hmac.compare_digest(expected, headers["webhook-signature"]) or \
                abs(time.time() - int(headers["webhook-timestamp"])) > 300:
            raise ValueError("bad signature")
        for item in json.loads(body)["interactions"]:
            item = {**item, "channel": "x", "account": "acme"}
            if not validator.is_valid(item):
                raise ValueError("invalid")
            dedup = hashlib.sha256(f"x\x1facme\x1f{item['external_id']}".encode()).hexdigest()
            if db.execute("SELECT 1 FROM seen WHERE key = ?", (dedup,)).fetchone():
                continue
            author = item["author"]
            subject = hashlib.sha256(f"x\x1f{author['platform_id']}".encode()).hexdigest()
            state = db.execute("SELECT state FROM consent WHERE subject = ?", (subject,)).fetchone()
            opted_out = item["text"].strip().lower() in _OPT_OUT
            interaction = Interaction(
                channel="x", account="acme", external_id=item["external_id"], kind=item["kind"],
                author=Party(**author), text=item["text"], created_at=datetime.fromisoformat(item["created_at"]),
                in_reply_to=item.get("in_reply_to"), visibility=item.get("visibility", "public"))
            now = utcnow()
            scores: dict[str, Any] = {}
            for scorer in scorers:
                if scorer.languages is not None and interaction.language not in scorer.languages:
                    continue
                score = scorer.score(interaction, ScoringContext(scores=scores, now=now))
                if score is not None:
                    scores[scorer.name] = score
                    if scorer.name == "language" and score.label:
                        interaction = Interaction(
                            channel="x", account="acme", external_id=item["external_id"], kind=item["kind"],
                            author=interaction.author, text=item["text"], created_at=interaction.created_at,
                            in_reply_to=interaction.in_reply_to, visibility=interaction.visibility,
                            language=score.label)
            conversation = None
            if interaction.in_reply_to:
                row = db.execute("SELECT c.document FROM interactions i JOIN conversations c ON c.id = "
                                 "i.conversation_id WHERE i.channel = 'x' AND i.account = 'acme' AND "
                                 "i.external_id = ?", (interaction.in_reply_to,)).fetchone()
                conversation = json.loads(row[0]) if row else None
            previous = None
            if conversation is None:
                row = db.execute("SELECT assignee FROM conversations WHERE channel = 'x' AND customer_id = ? AND "
                                 "assignee IS NOT NULL ORDER BY updated_at DESC LIMIT 1",
                                 (author["platform_id"],)).fetchone()
                previous = row[0] if row else None
            decision = router.route(RoutingInput(
                interaction=interaction, scores=scores, now=now, previous_owner=previous,
                conversation=_conversation_model(conversation) if conversation else None))
            if conversation is None:
                conversation = {"id": uuid.uuid4().hex, "thread_key": item["external_id"],
                                "customer_id": author["platform_id"], "count": 0, "opened_at": item["created_at"],
                                "queue": None, "assignee": None, "priority": "normal", "sla_due": None,
                                "tags": [], "why": ""}
            if conversation["queue"] is None or _RANK[decision.priority.value] < _RANK[conversation["priority"]]:
                conversation.update(queue=decision.queue, assignee=decision.assignee,
                                    priority=decision.priority.value, sla_due=_iso(decision.sla_due),
                                    why=decision.explanation, rules=list(decision.rule_ids))
            conversation["tags"] += [t for t in decision.tags if t not in conversation["tags"]]
            conversation["count"] += 1
            conversation["updated_at"] = now.isoformat()
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO seen VALUES (?)", (dedup,))
            if opted_out or state:
                db.execute("INSERT OR REPLACE INTO consent VALUES (?, 'opted_out')", (subject,))
            db.execute("INSERT OR REPLACE INTO conversations VALUES (?, 'x', 'acme', ?, ?, 'open', ?, ?, ?, ?, ?, ?)",
                       (conversation["id"], conversation["thread_key"], conversation["customer_id"],
                        conversation["queue"], conversation["assignee"], _RANK[conversation["priority"]],
                        conversation["sla_due"], conversation["updated_at"], json.dumps(conversation)))
            db.execute("INSERT INTO interactions VALUES ('x', 'acme', ?, ?, ?, ?, ?)",
                       (item["external_id"], conversation["id"], json.dumps(item),
                        json.dumps([{"name": s.name, "value": s.value, "label": s.label,
                                     "reasons": list(s.reasons)} for s in scores.values()]),
                        json.dumps({"queue": decision.queue, "assignee": decision.assignee,
                                    "priority": decision.priority.value, "why": decision.explanation,
                                    "rules": list(decision.rule_ids), "sla_due": _iso(decision.sla_due)})))
            db.execute("COMMIT")
            accepted += 1
    elapsed = time.perf_counter() - started
    db.close()
    scratch.close()
    return elapsed, accepted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=3000, help="interactions per run")
    parser.add_argument("--repeat", type=int, default=5, help="runs per side (the median is reported)")
    args = parser.parse_args()
    batches = make_batches(args.n)
    ours, theirs = [], []
    for run in range(args.repeat):
        with tempfile.TemporaryDirectory() as folder:
            elapsed, accepted = asyncio.run(framework(batches, Path(folder)))
            assert accepted == args.n, f"framework accepted {accepted} of {args.n}"
            ours.append(args.n / elapsed)
            elapsed, accepted = handwritten(batches, Path(folder))
            assert accepted == args.n, f"hand-written accepted {accepted} of {args.n}"
            theirs.append(args.n / elapsed)
        print(f"run {run + 1}: framework {ours[-1]:8.0f}/s   hand-written {theirs[-1]:8.0f}/s   "
              f"ratio {ours[-1] / theirs[-1]:.2f}")
    framework_per_s, handwritten_per_s = statistics.median(ours), statistics.median(theirs)
    # each run measures both sides back to back, so the paired ratio is immune to the machine's drift
    paired = statistics.median(a / b for a, b in zip(ours, theirs, strict=True))
    print(f"median of {args.repeat}: framework {framework_per_s:.0f} interactions/s, hand-written "
          f"{handwritten_per_s:.0f}/s; ratio {paired:.2f} (median of the paired runs; ratio of the medians "
          f"{framework_per_s / handwritten_per_s:.2f}); target >= 0.8, floor 0.5")
    print(json.dumps({"framework_per_s": round(framework_per_s, 1), "handwritten_per_s": round(handwritten_per_s, 1),
                      "ratio": round(paired, 3), "ratio_of_medians": round(framework_per_s / handwritten_per_s, 3),
                      "n": args.n, "repeat": args.repeat}))


if __name__ == "__main__":
    main()
