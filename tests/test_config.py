"""The config file: validated with paths, secrets from the environment that never show themselves."""

from __future__ import annotations

import logging
import pickle
from pathlib import Path

import pytest

from scrm_core.config import Config, Secret, load_config
from scrm_core.errors import ConfigError

CANARY = "canary-5f2b9d7e-secret"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scrm.toml"
    path.write_text(text, "utf-8")
    return path


def test_a_valid_file_loads_with_secrets_from_the_environment(tmp_path: Path) -> None:
    path = write(tmp_path, """
[scrm]
max_body_bytes = 65536
[store]
url = "sqlite:///state/scrm.sqlite3"
[channels.support]
type = "webhook"
account = "acme"
secret_env = "SUPPORT_SECRET"
""")
    config = load_config(path, environ={"SUPPORT_SECRET": CANARY})
    assert config.max_body_bytes == 65536
    section = config.channels["support"]
    assert section.type == "webhook" and section.settings == {"account": "acme"}
    assert section.secrets["secret"].reveal() == CANARY
    assert config.base_dir == tmp_path.resolve()


def test_secrets_never_show_in_reprs_strings_or_pickles(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    config = Config.from_mapping({"channels": {"s": {"type": "webhook", "account": "a", "secret_env": "S"}}},
                                 environ={"S": CANARY})
    secret = config.channels["s"].secrets["secret"]
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("test").info("config %s %r %s", config, config, secret)
    for text in (repr(config), str(config), repr(secret), str(secret), f"{secret}", caplog.text,
                 repr(config.channels["s"].secrets)):
        assert CANARY not in text
    with pytest.raises(TypeError):
        pickle.dumps(secret)
    assert Secret("a") == Secret("a")


def test_every_problem_is_reported_with_its_path(tmp_path: Path) -> None:
    path = write(tmp_path, """
[scrm]
max_body_bytes = "big"
colour = "blue"
[store]
url = "mysql://nope"
[channels."Bad Name"]
type = "webhook"
[channels.ok]
account = "a"
""")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    found = {(p.path, p.message.split(" (")[0]) for p in caught.value.problems}
    paths = {p for p, _ in found}
    assert {"scrm", "scrm.max_body_bytes", "store.url", "channels", "channels.ok"} <= paths
    assert str(path) in str(caught.value)


def test_a_missing_environment_variable_is_named_but_no_value_shown(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        Config.from_mapping({"channels": {"s": {"type": "webhook", "account": "a", "secret_env": "NOPE"}}},
                            environ={})
    [problem] = caught.value.problems
    assert problem.path == "channels.s.secret_env"
    assert "NOPE is not set" in problem.message


@pytest.mark.parametrize(("text", "message"), [
    ("[scrm\n", "not valid TOML"),
    (b"\xff\xfe".decode("latin-1"), None),
])
def test_unreadable_files_are_config_errors(tmp_path: Path, text: str, message: str | None) -> None:
    path = tmp_path / "bad.toml"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    if message:
        assert message in str(caught.value)
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")
