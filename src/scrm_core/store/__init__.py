"""State store: the interface and its backends."""

from pathlib import Path

from scrm_core.errors import StoreError
from scrm_core.store.base import DeadLetter, PendingDelivery, Store, StoredInteraction, subject_hash
from scrm_core.store.sqlite import SQLiteStore

__all__ = ["DeadLetter", "PendingDelivery", "SQLiteStore", "Store", "StoredInteraction", "open_store",
           "subject_hash"]


def open_store(url: str, *, base_dir: Path | None = None, busy_timeout_ms: int = 5000) -> Store:
    """Open the store a URL names. ``sqlite:///...`` is built in; PostgreSQL is planned for scale-out."""
    if url.startswith("sqlite:///"):
        return SQLiteStore.from_url(url, base_dir=base_dir, busy_timeout_ms=busy_timeout_ms)
    raise StoreError(f"no store backend for {url.split(':', 1)[0]!r} URLs in this version; use sqlite:///PATH")
