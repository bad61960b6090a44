"""Plugin discovery and loading: entry points, built-ins, failures reported by name, switches."""

from __future__ import annotations

import json
import logging
import textwrap
from collections.abc import Callable
from pathlib import Path

import pluggy
import pytest

from scrm_core import hookimpl, schemas
from scrm_core.channels import Channel
from scrm_core.errors import PluginError
from scrm_core.plugins import DEFAULT_PLUGINS, Hooks, Registry, create_plugin_manager, manifests


def make_distribution(root: Path, dist: str, entry: str, module: str, source: str) -> None:
    """A real installed distribution as importlib.metadata sees one: a module and its dist-info."""
    (root / f"{module}.py").write_text(textwrap.dedent(source), "utf-8")
    info = root / f"{dist.replace('-', '_')}-1.2.3.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.2.3\n", "utf-8")
    (info / "entry_points.txt").write_text(f"[scrm]\n{entry} = {module}\n", "utf-8")


GREETER = """
    from scrm_core import hookimpl
    from scrm_core.channels import Channel
    from scrm_core.models import Contact

    CALLS = []

    class GreeterChannel(Channel):
        pass

    @hookimpl
    def scrm_register_channels(register):
        register("greeter", GreeterChannel)

    @hookimpl
    def scrm_resolve_identity(identity):
        CALLS.append(identity.party.platform_id)
        return Contact(ref="crm-42", tier="gold")
"""


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("SCRM_LOAD_PLUGINS", raising=False)
    return tmp_path


def test_an_installed_plugin_is_discovered_and_its_hooks_called(site: Path) -> None:
    make_distribution(site, "scrm-greeter", "greeter", "scrm_greeter_plugin", GREETER)
    pm = create_plugin_manager()
    assert pm.has_plugin("greeter")
    registry = Registry(pm)
    assert registry.channels["greeter"].plugin == "greeter"
    from scrm_core.models import Identity, Party

    contact = Hooks(pm).resolve_identity(Identity(channel="x", account="a", party=Party(platform_id="p1")))
    assert contact is not None and contact.ref == "crm-42"
    import scrm_greeter_plugin  # type: ignore[import-not-found]

    assert scrm_greeter_plugin.CALLS == ["p1"]
    manifest = next(m for m in manifests(pm, registry) if m["name"] == "greeter")
    assert manifest["version"] == "1.2.3"
    assert manifest["channels"] == ["greeter"]
    assert manifest["hooks"] == ["scrm_register_channels", "scrm_resolve_identity"]
    for document in manifests(pm, registry):
        schemas.validate("plugin-manifest", json.loads(json.dumps(document)))


def test_a_plugin_that_fails_to_import_is_reported_by_name_and_the_others_load(
    site: Path, caplog: pytest.LogCaptureFixture
) -> None:
    make_distribution(site, "scrm-greeter", "greeter", "scrm_greeter_ok", GREETER)
    make_distribution(site, "scrm-broken", "broken", "scrm_broken_plugin", "import not_a_module_anywhere\n")
    with caplog.at_level(logging.ERROR, logger="scrm.plugins"):
        pm = create_plugin_manager()
    assert pm.has_plugin("greeter")
    failures = pm.scrm_load_failures  # type: ignore[attr-defined]
    assert [f.plugin for f in failures] == ["broken"]
    assert "ModuleNotFoundError" in failures[0].error
    assert "plugin 'broken' failed to load" in caplog.text


def test_scrm_load_plugins_restricts_entry_point_plugins(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_distribution(site, "scrm-greeter", "greeter", "scrm_greeter_env", GREETER)
    monkeypatch.setenv("SCRM_LOAD_PLUGINS", "")
    pm = create_plugin_manager()
    assert not pm.has_plugin("greeter")
    assert all(pm.has_plugin(name) for name in DEFAULT_PLUGINS)
    monkeypatch.setenv("SCRM_LOAD_PLUGINS", "greeter")
    assert create_plugin_manager().has_plugin("greeter")


def test_scrm_trace_plugins_logs_each_call(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    class Observer:
        @hookimpl
        def scrm_reply_sent(self, reply: object) -> None:
            return None

    monkeypatch.setenv("SCRM_TRACE_PLUGINS", "1")
    pm = create_plugin_manager(entry_points=False, extra=[Observer()])
    with caplog.at_level(logging.WARNING, logger="scrm.plugins"):
        Hooks(pm).reply_sent(object())  # type: ignore[arg-type]
    assert "trace: scrm_reply_sent" in caplog.text


def test_the_manager_is_fresh_each_time() -> None:
    first = create_plugin_manager(entry_points=False)
    second = create_plugin_manager(entry_points=False)
    assert first is not second
    first.set_blocked("scrm_core.default_plugins.webhook_channel")
    assert second.has_plugin("scrm_core.default_plugins.webhook_channel")


def test_built_ins_register_through_the_public_hooks() -> None:
    registry = Registry(create_plugin_manager(entry_points=False))
    assert registry.channels["webhook"].plugin == "scrm_core.default_plugins.webhook_channel"
    assert registry.scorers
    assert all(r.plugin.startswith("scrm_core.default_plugins.") for r in registry.scorers.values())
    assert registry.strategies and registry.conditions


def test_a_duplicate_channel_name_is_refused_naming_both_plugins() -> None:
    class Impostor:
        @hookimpl
        def scrm_register_channels(self, register: Callable[[str, type[Channel]], None]) -> None:
            register("webhook", Channel)

    pm = create_plugin_manager(entry_points=False)
    pm.register(Impostor(), name="impostor")
    with pytest.raises(PluginError) as caught:
        Registry(pm)
    message = str(caught.value)
    assert "'webhook'" in message and "'impostor'" in message
    assert "'scrm_core.default_plugins.webhook_channel'" in message
    assert {caught.value.plugin, caught.value.other} == {"impostor", "scrm_core.default_plugins.webhook_channel"}


def test_a_registration_that_is_not_a_channel_is_refused() -> None:
    class Confused:
        @hookimpl
        def scrm_register_channels(self, register: Callable[[str, object], None]) -> None:
            register("odd", object)

    with pytest.raises(PluginError, match="not a Channel subclass"):
        Registry(create_plugin_manager(entry_points=False, extra=[Confused()]))


def test_a_misspelt_hook_is_an_error_at_load() -> None:
    class Typo:
        @hookimpl
        def scrm_registr_channels(self, register: object) -> None:
            return None

    with pytest.raises(pluggy.PluginValidationError, match="unknown hook 'scrm_registr_channels'"):
        create_plugin_manager(entry_points=False, extra=[Typo()])


def test_a_failing_observer_does_not_stop_the_others(caplog: pytest.LogCaptureFixture) -> None:
    seen: list[str] = []

    class Broken:
        @hookimpl
        def scrm_reply_sent(self, reply: object) -> None:
            raise RuntimeError("observer down")

    class Fine:
        @hookimpl
        def scrm_reply_sent(self, reply: object) -> None:
            seen.append("fine")

    pm = create_plugin_manager(entry_points=False)
    pm.register(Broken(), name="broken")
    pm.register(Fine(), name="fine")
    failures = Hooks(pm)._call_each("scrm_reply_sent", reply=object())
    assert seen == ["fine"]
    assert [(f.plugin, str(f.error)) for f in failures] == [("broken", "observer down")]
    assert "plugin 'broken' failed in scrm_reply_sent" in caplog.text


def test_identity_first_answer_wins_and_a_failing_resolver_is_skipped() -> None:
    from scrm_core.models import Contact, Identity, Party

    class Failing:
        @hookimpl(tryfirst=True)
        def scrm_resolve_identity(self, identity: Identity) -> Contact | None:
            raise ConnectionError("crm down")

    class Abstains:
        @hookimpl
        def scrm_resolve_identity(self, identity: Identity) -> Contact | None:
            return None

    class Knows:
        @hookimpl(trylast=True)
        def scrm_resolve_identity(self, identity: Identity) -> Contact | None:
            return Contact(ref="c-1")

    class Never:
        @hookimpl(trylast=True)
        def scrm_resolve_identity(self, identity: Identity) -> Contact | None:
            raise AssertionError("asked after an answer was found")

    pm = create_plugin_manager(entry_points=False, extra=[Knows(), Never(), Abstains(), Failing()])
    identity = Identity(channel="x", account="a", party=Party(platform_id="p"))
    contact = Hooks(pm).resolve_identity(identity)
    assert contact == Contact(ref="c-1")
    # the same order pluggy itself uses for a firstresult hook
    pm.unregister(name=pm.get_name(next(p for p in pm.get_plugins() if isinstance(p, Failing))))
    assert pm.hook.scrm_resolve_identity(identity=identity) == contact
