"""What must hold whatever happens: exactly-once storage under re-delivery, and no loss across a crash."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scrm_core.engine import Engine
from scrm_core.models import Interaction, Party
from scrm_core.pipeline import Outcome
from scrm_core.store import SQLiteStore

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
TEXTS = ["my internet is down", "obrigado pela ajuda!", "STOP", "how much is the 1 Gb plan?",
         "vou cancelar se não resolverem", "there is a cable sparking outside my house"]


def interaction(n: int, parent: int | None) -> Interaction:
    text = TEXTS[n % len(TEXTS)]
    return Interaction(channel="x", account="acme", external_id=str(n), kind="reply" if parent else "mention",
                       author=Party(platform_id=f"p{n % 4}"), text=text, created_at=T0,
                       in_reply_to=None if parent is None else str(parent))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 15), st.none() | st.integers(0, 15)), min_size=1, max_size=40))
def test_any_sequence_of_deliveries_stores_each_interaction_exactly_once(
    make_engine: Callable[..., Engine], tmp_path_factory: pytest.TempPathFactory,
    deliveries: list[tuple[int, int | None]],
) -> None:
    store = SQLiteStore(tmp_path_factory.mktemp("exactly-once") / "s.sqlite3")
    engine = make_engine(store=store)
    first_seen: dict[int, Outcome] = {}
    for n, parent in deliveries:
        # the same external id always carries the same content, as a platform's re-delivery does
        item = interaction(n, parent if parent is not None and parent < n else None)
        [result] = engine.ingest([item])
        if n in first_seen:
            assert result.outcome is Outcome.DUPLICATE
        else:
            first_seen[n] = result.outcome
            assert result.outcome is Outcome.ACCEPTED
    counts = store.counts()
    assert counts["interactions"] == len(first_seen) == counts["seen_keys"]
    conversations = store.list_conversations(status=None, limit=1000)
    assert sum(c.interaction_count for c in conversations) == len(first_seen)
    assert all(c.queue for c in conversations)
    store.close()


_WORKER = textwrap.dedent("""
    import sys
    from datetime import UTC, datetime
    from scrm_core.config import Config
    from scrm_core.engine import Engine
    from scrm_core.models import Interaction, Party
    from scrm_core.plugins import create_plugin_manager
    from scrm_core.store import SQLiteStore

    engine = Engine(Config.from_mapping({}), plugin_manager=create_plugin_manager(entry_points=False),
                    store=SQLiteStore(sys.argv[1]))
    for n in range(100000):
        item = Interaction(channel="x", account="acme", external_id=str(n), kind="mention",
                           author=Party(platform_id=f"p{n % 50}"), text=f"my line {n} is dead again",
                           created_at=datetime(2026, 11, 24, tzinfo=UTC),
                           in_reply_to=str(n - 1) if n % 3 else None)
        [result] = engine.ingest([item])
        print(f"ack {n} {result.outcome.value}", flush=True)
""")


@pytest.mark.slow
@pytest.mark.parametrize("after_acks", [5, 60, 250])
def test_a_crash_loses_nothing_acknowledged_and_leaves_nothing_half_stored(tmp_path: Path, after_acks: int) -> None:
    path = tmp_path / "crash.sqlite3"
    worker = subprocess.Popen([sys.executable, "-c", _WORKER, str(path)], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert worker.stdout is not None
    acked: list[int] = []
    deadline = time.monotonic() + 60
    while len(acked) < after_acks and time.monotonic() < deadline:
        line = worker.stdout.readline()
        if line.startswith("ack "):
            acked.append(int(line.split()[1]))
    worker.send_signal(signal.SIGKILL)  # no clean-up, no final commit: the worst moment we can pick
    worker.wait(10)
    worker.stdout.close()
    assert len(acked) == after_acks, "the worker did not get going"
    db = sqlite3.connect(path)
    stored = {int(row[0]) for row in db.execute("SELECT external_id FROM interactions")}
    assert set(acked) <= stored, f"acknowledged but lost: {sorted(set(acked) - stored)[:5]}"
    seen = db.execute("SELECT count(*) FROM seen_keys").fetchone()[0]
    assert seen == len(stored), "a dedup key without its interaction: something was stored half-way"
    orphans = db.execute("SELECT count(*) FROM interactions i LEFT JOIN conversations c ON c.id = "
                         "i.conversation_id WHERE c.id IS NULL").fetchone()[0]
    assert orphans == 0
    total = db.execute("SELECT sum(json_extract(document, '$.interaction_count')) FROM conversations").fetchone()[0]
    assert total == len(stored)
    db.close()
    # the store reopens, and the next delivery of an unacknowledged item is processed, not lost
    store = SQLiteStore(path)
    assert store.counts()["interactions"] == len(stored)
    store.close()
