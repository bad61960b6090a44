"""Constants and builders shared by the core's tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

SECRET = "test-webhook-secret-value"
TOKEN = "test-api-token-value"
ENVIRON = {"T_SECRET": SECRET, "T_TOKEN": TOKEN}


def channel_section(account: str = "acme", **extra: Any) -> dict[str, Any]:
    return {"type": "webhook", "account": account, "base_url": "http://platform.test", "max_page_size": 10,
            "secret_env": "T_SECRET", "token_env": "T_TOKEN", **extra}


def interaction_doc(external_id: str, text: str = "my internet is down again", **extra: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "external_id": external_id, "kind": "mention", "text": text,
        "author": {"platform_id": f"u-{external_id}", "handle": f"@user{external_id}"},
        "created_at": "2026-11-24T10:00:00Z",
    }
    document.update(extra)
    return document


class Clock:
    """A clock the tests move by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now
