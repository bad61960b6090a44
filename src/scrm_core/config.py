"""The TOML config file: parsed, validated against ``schemas/config.schema.json``, secrets read from the
environment.

A key ending in ``_env`` names an environment variable; its value becomes a :class:`Secret` under the key
without the suffix (``token_env = "X_TOKEN"`` -> ``secrets["token"]``). Secrets print as ``'***'`` in reprs,
logs and errors; only ``Secret.reveal()`` gives the value, at the moment of use.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from attrs import field, frozen

from scrm_core import schemas
from scrm_core.errors import ConfigError, ConfigProblem

__all__ = ["DEFAULT_MAX_BODY_BYTES", "ChannelConfig", "Config", "Secret", "Secrets", "load_config"]

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
_ENV_SUFFIX = "_env"


class Secret:
    """A secret value that never shows itself by accident."""

    __slots__ = ("_env", "_value")

    def __init__(self, value: str, env: str = "") -> None:
        self._value = value
        self._env = env

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret(env={self._env!r}, value='***')" if self._env else "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> Any:
        raise TypeError("a Secret cannot be pickled")


class Secrets(Mapping[str, Secret]):
    """The secrets of one config section, by name."""

    def __init__(self, values: Mapping[str, Secret] | None = None) -> None:
        self._values = dict(values or {})

    def __getitem__(self, key: str) -> Secret:
        try:
            return self._values[key]
        except KeyError:
            raise KeyError(f"no secret {key!r}; set {key}{_ENV_SUFFIX} in the config section") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Secrets({sorted(self._values)})"


@frozen(kw_only=True)
class ChannelConfig:
    """One ``[channels.<name>]`` section: which channel type serves it and its own settings."""

    name: str
    type: str
    enabled: bool = True
    settings: Mapping[str, Any] = field(factory=dict)
    secrets: Secrets = field(factory=Secrets)


@frozen(kw_only=True)
class Config:
    """A validated configuration. ``Config.default()`` is the embedded default: SQLite, no channels."""

    source: str = "<defaults>"
    base_dir: Path = field(factory=Path.cwd)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    timezone: str = "UTC"
    store_url: str = "sqlite:///scrm.sqlite3"
    load_plugins: tuple[str, ...] | None = None
    disable_plugins: tuple[str, ...] = ()
    channels: Mapping[str, ChannelConfig] = field(factory=dict)
    consent: Mapping[str, Any] = field(factory=dict)
    scoring: Mapping[str, Any] = field(factory=dict)
    routing: Mapping[str, Any] = field(factory=dict)
    plugins: Mapping[str, Mapping[str, Any]] = field(factory=dict)

    @classmethod
    def default(cls) -> Config:
        return cls()

    @classmethod
    def from_mapping(
        cls, document: Mapping[str, Any], *, source: str = "<mapping>", base_dir: Path | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Config:
        """Validate ``document`` and build a Config; raise ConfigError listing every problem with its path."""
        environ = os.environ if environ is None else environ
        problems = list(schemas.iter_problems(schemas.validator("config"), document))
        if problems:
            raise ConfigError(problems, source)
        channels: dict[str, ChannelConfig] = {}
        for name, section in document.get("channels", {}).items():
            settings, secrets = _split_secrets(section, f"channels.{name}", environ, problems)
            channels[name] = ChannelConfig(
                name=name, type=section["type"], enabled=section.get("enabled", True),
                settings={k: v for k, v in settings.items() if k not in ("type", "enabled")}, secrets=secrets,
            )
        plugins: dict[str, Mapping[str, Any]] = {}
        for name, section in document.get("plugins", {}).items():
            settings, secrets = _split_secrets(section, f"plugins.{name}", environ, problems)
            plugins[name] = {**settings, "secrets": secrets} if secrets else settings
        if problems:
            raise ConfigError(problems, source)
        core = document.get("scrm", {})
        load = core.get("load_plugins")
        return cls(
            source=source,
            base_dir=base_dir or Path.cwd(),
            max_body_bytes=core.get("max_body_bytes", DEFAULT_MAX_BODY_BYTES),
            timezone=core.get("timezone", "UTC"),
            store_url=document.get("store", {}).get("url", "sqlite:///scrm.sqlite3"),
            load_plugins=None if load is None else tuple(load),
            disable_plugins=tuple(core.get("disable_plugins", ())),
            channels=channels,
            consent=document.get("consent", {}),
            scoring=document.get("scoring", {}),
            routing=document.get("routing", {}),
            plugins=plugins,
        )

    def resolve_path(self, value: str) -> Path:
        path = Path(value)
        return path if path.is_absolute() else self.base_dir / path


def _split_secrets(
    section: Mapping[str, Any], path: str, environ: Mapping[str, str], problems: list[ConfigProblem]
) -> tuple[dict[str, Any], Secrets]:
    settings: dict[str, Any] = {}
    secrets: dict[str, Secret] = {}
    for key, value in section.items():
        if not key.endswith(_ENV_SUFFIX):
            settings[key] = value
            continue
        if not isinstance(value, str) or not value:
            problems.append(ConfigProblem(f"{path}.{key}", "must name an environment variable"))
        elif value not in environ:
            problems.append(ConfigProblem(f"{path}.{key}", f"environment variable {value} is not set"))
        else:
            secrets[key.removesuffix(_ENV_SUFFIX)] = Secret(environ[value], env=value)
    return settings, Secrets(secrets)


def load_config(path: str | os.PathLike[str], *, environ: Mapping[str, str] | None = None) -> Config:
    """Read and validate a TOML config file; relative paths inside it resolve from the file's folder."""
    file = Path(path)
    try:
        text = file.read_text("utf-8")
    except OSError as exc:
        raise ConfigError([ConfigProblem("", f"cannot read {file}: {exc.strerror}")], str(file)) from None
    except UnicodeDecodeError:
        raise ConfigError([ConfigProblem("", "file is not valid UTF-8")], str(file)) from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([ConfigProblem("", f"not valid TOML: {exc}")], str(file)) from None
    return Config.from_mapping(document, source=str(file), base_dir=file.resolve().parent, environ=environ)
