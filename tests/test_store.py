"""The SQLite store: migrations, transactions, and the interface promises the pipeline relies on."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scrm_core.errors import StoreError
from scrm_core.models import Conversation, Party, Priority
from scrm_core.store import SQLiteStore, open_store

T0 = datetime(2026, 11, 24, tzinfo=UTC)


def conversation(cid: str, priority: str, updated: int = 0, **extra: object) -> Conversation:
    return Conversation(id=cid, channel="x", account="a", thread_key=cid, customer=Party(platform_id=f"p{cid}"),
                        priority=priority, opened_at=T0, updated_at=T0.replace(hour=updated),
                        **extra)  # type: ignore[arg-type]


def test_a_file_store_uses_wal_and_reopens_migrated(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    store = SQLiteStore(path)
    store.close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    versions = [row[0] for row in db.execute("SELECT version FROM schema_migrations")]
    db.close()
    assert versions and versions == sorted(versions)
    SQLiteStore(path).close()  # re-opening applies nothing twice


def test_a_store_from_a_newer_scrm_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    SQLiteStore(path).close()
    db = sqlite3.connect(path)
    db.execute("INSERT INTO schema_migrations VALUES (9999, 'later')")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="newer than this scrm"):
        SQLiteStore(path)


def test_a_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.sqlite3")
    with pytest.raises(RuntimeError), store.transaction():
        store.mark_seen("x", "a", "1")
        store.save_conversation(conversation("c1", "high"))
        raise RuntimeError("boom")
    assert store.counts()["seen_keys"] == 0 and store.counts()["conversations"] == 0
    assert store.mark_seen("x", "a", "1") is True
    assert store.mark_seen("x", "a", "1") is False


def test_the_inbox_lists_the_most_pressing_first() -> None:
    store = SQLiteStore()
    for conv in (conversation("low", "low", 9), conversation("urgent", "urgent", 1),
                 conversation("high-late", "high", 5, sla_due=T0.replace(hour=20)),
                 conversation("high-soon", "high", 3, sla_due=T0.replace(hour=10))):
        store.save_conversation(conv)
    assert [c.id for c in store.list_conversations()] == ["urgent", "high-soon", "high-late", "low"]
    assert [c.priority for c in store.list_conversations(limit=1)] == [Priority.URGENT]


def test_unknown_store_urls_are_refused() -> None:
    with pytest.raises(StoreError, match="no store backend"):
        open_store("postgresql://localhost/scrm")
    assert isinstance(open_store("sqlite:///:memory:"), SQLiteStore)
