"""``scrm check``: every problem of a configuration against the installed plugins, each with its path."""

from __future__ import annotations

from scrm_core import schemas
from scrm_core.config import Config
from scrm_core.errors import ConfigError, ConfigProblem
from scrm_core.plugins import Registry

__all__ = ["check_config", "check_sections"]


def check_config(config: Config, registry: Registry) -> list[ConfigProblem]:
    """Problems the plugins find in ``config``: unknown channel types, channel and plugin sections that break
    their plugin's schema, missing secrets, and everything routing and scoring refuse."""
    return check_sections(config, registry) + _build_problems(config, registry)


def check_sections(config: Config, registry: Registry) -> list[ConfigProblem]:
    """The channel and plugin sections against the schemas their plugins registered, and missing secrets."""
    problems: list[ConfigProblem] = []
    for name, section in config.channels.items():
        path = f"channels.{name}"
        registered = registry.channels.get(section.type)
        if registered is None:
            known = ", ".join(sorted(registry.channels)) or "none"
            problems.append(ConfigProblem(f"{path}.type", f"no channel type {section.type!r} is installed "
                                                          f"(installed: {known})"))
            continue
        cls = registered.value
        problems += schemas.iter_problems(schemas.compile_schema(cls.config_schema), dict(section.settings), path)
        problems += [ConfigProblem(f"{path}.{secret}_env", f"channel type {section.type!r} needs this secret")
                     for secret in cls.required_secrets if secret not in section.secrets]
    for name, settings in config.plugins.items():
        schema = registry.config_sections.get(name)
        if schema is None:
            problems.append(ConfigProblem(f"plugins.{name}", "no installed plugin registered this section"))
            continue
        plain = {k: v for k, v in settings.items() if k != "secrets"}
        problems += schemas.iter_problems(schemas.compile_schema(schema.value), plain, f"plugins.{name}")
    return problems


def _build_problems(config: Config, registry: Registry) -> list[ConfigProblem]:
    # routing and scoring validate by compiling: the same code that runs later refuses what it cannot run
    from scrm_core.routing import build_router
    from scrm_core.scoring import build_scorers
    from scrm_core.store import SQLiteStore

    problems: list[ConfigProblem] = []
    try:
        build_scorers(registry, config.scoring)
    except ConfigError as exc:
        problems += exc.problems
    store = SQLiteStore()
    try:
        build_router(config.routing, registry, store=store, timezone=config.timezone)
    except ConfigError as exc:
        problems += exc.problems
    finally:
        store.close()
    return problems
