"""The shared HTTP client and what every channel needs to read a platform's "not now"."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

import httpx

from scrm_core.errors import ChannelError, RateLimited

__all__ = ["DEFAULT_TIMEOUT", "create_client", "raise_for_status", "retry_after_seconds"]

#: every call has a deadline; a platform that hangs must not hang the engine
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


def create_client(*, transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    """The engine's one client: timeouts always set, redirects not followed (a webhook or API answering with
    a redirect is a misconfiguration to report, not to follow silently)."""
    return httpx.AsyncClient(timeout=DEFAULT_TIMEOUT, follow_redirects=False, transport=transport,
                             headers={"user-agent": "scrm"})


def retry_after_seconds(response: httpx.Response, *, default: float = 60.0) -> float:
    """Seconds to wait before calling again, from ``Retry-After`` (seconds or an HTTP date) or the
    ``x-rate-limit-reset`` Unix time some platforms send; ``default`` when neither is usable."""
    value = response.headers.get("retry-after")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
            except (TypeError, ValueError):
                pass
    reset = response.headers.get("x-rate-limit-reset")
    if reset:
        try:
            return max(0.0, float(reset) - time.time())
        except ValueError:
            pass
    return default


def raise_for_status(response: httpx.Response, *, channel: str, what: str = "platform",
                     rate_limit_statuses: tuple[int, ...] = (429,)) -> None:
    """The typed error for a refusal: RateLimited (with ``retry_after``) for ``rate_limit_statuses``, a
    retryable ChannelError for 5xx, a final ChannelError for other 4xx; nothing for success."""
    status = response.status_code
    if status in rate_limit_statuses:
        raise RateLimited(f"{channel}: {what} answered {status}", channel=channel, status=status,
                          retry_after=retry_after_seconds(response))
    if status >= 500:
        raise ChannelError(f"{channel}: {what} error {status}", channel=channel, status=status, retryable=True)
    if status >= 400:
        raise ChannelError(f"{channel}: {what} refused with {status}", channel=channel, status=status)
