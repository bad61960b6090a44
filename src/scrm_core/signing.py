"""HMAC webhook signatures, compared in constant time.

The built-in webhook channel and scrm's outgoing webhooks follow the Standard Webhooks conventions: headers
``webhook-id``, ``webhook-timestamp`` (Unix seconds) and ``webhook-signature`` (space-separated ``v1,<base64>``
entries, to allow key rotation), the signed content being ``"{id}.{timestamp}.{body}"`` over the raw bytes.
A timestamp outside the tolerance is refused, which bounds replays.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Mapping

from scrm_core.errors import SignatureError

__all__ = ["hmac_sha256_hex", "sign_standard_webhook", "verify_standard_webhook"]

DEFAULT_TOLERANCE_SECONDS = 300


def _key(secret: str) -> bytes:
    # Standard Webhooks secrets are "whsec_" + base64; any other string is used as raw bytes
    if secret.startswith("whsec_"):
        return base64.b64decode(secret.removeprefix("whsec_"))
    return secret.encode()


def hmac_sha256_hex(secret: str | bytes, body: bytes) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def sign_standard_webhook(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three headers that sign ``body``."""
    digest = hmac.new(_key(secret), f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": "v1," + base64.b64encode(digest).decode(),
    }


def verify_standard_webhook(
    secret: str, headers: Mapping[str, str], body: bytes, *,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS, now: float | None = None, channel: str | None = None,
) -> str:
    """Check the signature of a request (lower-case header names); returns its ``webhook-id``.

    Raises SignatureError saying what is missing or wrong, never echoing the expected signature.
    """
    message_id = headers.get("webhook-id")
    stamp = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not message_id or not stamp or not signatures:
        raise SignatureError("missing webhook-id, webhook-timestamp or webhook-signature header", channel=channel)
    try:
        timestamp = int(stamp)
    except ValueError:
        raise SignatureError("webhook-timestamp is not a Unix time in seconds", channel=channel) from None
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise SignatureError(f"webhook-timestamp is more than {tolerance} s from now (replay or clock skew)",
                             channel=channel)
    expected = sign_standard_webhook(secret, message_id, timestamp, body)["webhook-signature"]
    for candidate in signatures.split():
        if hmac.compare_digest(candidate.encode(), expected.encode()):
            return message_id
    raise SignatureError("webhook-signature does not match the body", channel=channel)
