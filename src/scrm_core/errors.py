"""The exceptions scrm raises, in one small tree.

    ScrmError
    ├── ConfigError              the config file or a plugin's section is wrong (each problem has a path)
    ├── PluginError              a plugin is broken: bad registration, duplicate name, failed import
    ├── InputError               a document from outside was refused; ``reason`` and ``path`` say why
    │   ├── PayloadTooLarge      the body is over the configured cap
    │   ├── MalformedPayload     not UTF-8, not JSON, or not the shape the schema asks for
    │   ├── SignatureError       the webhook signature or challenge token did not verify
    │   └── UnknownChannel       no channel is registered or configured under that name
    ├── ConsentError             the person opted out or was erased, so nothing may be sent to them
    ├── ChannelError             a platform answered with an error (``retry_after`` when it says when)
    │   └── RateLimited          the platform said "not now"; ``retry_after`` is in seconds
    └── StoreError               the state store could not do what was asked

Every error carries the context a person needs to act (channel, plugin, JSON path) and never a secret.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "ChannelError",
    "ConfigError",
    "ConfigProblem",
    "ConsentError",
    "InputError",
    "MalformedPayload",
    "PayloadTooLarge",
    "PluginError",
    "RateLimited",
    "ScrmError",
    "SignatureError",
    "StoreError",
    "UnknownChannel",
]


class ScrmError(Exception):
    """Base of every error scrm raises on purpose."""


class ConfigProblem:
    """One problem in a config document: where (``path``, e.g. ``channels.x.secret_env``) and what."""

    __slots__ = ("message", "path")

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message

    def __str__(self) -> str:
        return f"{self.path or '<root>'}: {self.message}"

    def __repr__(self) -> str:
        return f"ConfigProblem({self.path!r}, {self.message!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ConfigProblem) and (self.path, self.message) == (other.path, other.message)

    def __hash__(self) -> int:
        return hash((self.path, self.message))


class ConfigError(ScrmError):
    """The configuration is wrong; ``problems`` lists every problem found, each with its path."""

    def __init__(self, problems: Sequence[ConfigProblem], source: str = "config") -> None:
        self.problems = tuple(problems)
        self.source = source
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{source} has {len(self.problems)} problem(s):\n{lines}")


class PluginError(ScrmError):
    """A plugin is broken. ``plugin`` names it (and ``other`` the plugin it clashed with, if any)."""

    def __init__(self, message: str, *, plugin: str | None = None, other: str | None = None) -> None:
        self.plugin = plugin
        self.other = other
        super().__init__(message)


class InputError(ScrmError):
    """A document from outside was refused.

    ``reason`` is a short machine-readable code, ``path`` the JSON path of the offending part (``$`` for the
    whole document) and ``status`` the HTTP status a webhook caller should get.
    """

    status = 400
    reason = "invalid"

    def __init__(self, message: str, *, path: str = "$", channel: str | None = None) -> None:
        self.path = path
        self.channel = channel
        where = f" at {path}" if path != "$" else ""
        on = f" on channel {channel!r}" if channel else ""
        super().__init__(f"{message}{where}{on}")
        self.detail = message


class PayloadTooLarge(InputError):
    status = 413
    reason = "too_large"


class MalformedPayload(InputError):
    status = 400
    reason = "malformed"


class SignatureError(InputError):
    status = 401
    reason = "bad_signature"


class UnknownChannel(InputError):
    status = 404
    reason = "unknown_channel"


class ConsentError(ScrmError):
    """Nothing may be sent to this person: they opted out or were erased."""


class ChannelError(ScrmError):
    """A platform call failed. ``retry_after`` (seconds) is set when the platform said when to try again."""

    def __init__(
        self, message: str, *, channel: str | None = None, status: int | None = None,
        retry_after: float | None = None, retryable: bool = False,
    ) -> None:
        self.channel = channel
        self.status = status
        self.retry_after = retry_after
        self.retryable = retryable or retry_after is not None
        super().__init__(message)


class RateLimited(ChannelError):
    """The platform refused for now; do not call again before ``retry_after`` seconds."""


class StoreError(ScrmError):
    """The state store failed (locked, corrupt, migration out of date)."""
