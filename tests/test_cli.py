"""The scrm command, through click's runner: what a person types and reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scrm_core import schemas
from scrm_core.cli import main
from scrm_core.store import SQLiteStore
from tests.support import interaction_doc


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.delenv("SCRM_CONFIG", raising=False)
    return CliRunner()


def test_the_demo_runs_the_real_pipeline_and_explains_the_inbox(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["demo", "--dir", str(tmp_path / "demo"), "--show", "3"])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())  # rich wraps at the terminal's width
    assert "240 accepted" in out and "24 re-deliveries recognised as duplicates" in out
    assert "1 forged webhook refused (401)" in out
    assert "rate limited 1x and resumed from its cursor" in out
    assert "blocked: the customer is opted out" in out
    assert "to finance" in out
    for queue in ("advocates", "safety", "retention", "sales", "escalations"):
        assert f"queue {queue}" in out
    assert out.count("why: ") >= 10 and "last message scored: " in out
    store = SQLiteStore(tmp_path / "demo" / "scrm-demo.sqlite3")
    counts = store.counts()
    assert counts["interactions"] == 240 and counts["dead_letters"] == 0
    assert all(c.queue and c.explanation for c in store.list_conversations(status=None, limit=1000))
    # the inbox of the demo's store, afterwards
    inbox = runner.invoke(main, ["inbox", "--store", str(tmp_path / "demo" / "scrm-demo.sqlite3"),
                                 "--queue", "safety", "--limit", "5"])
    assert inbox.exit_code == 0, inbox.output
    assert "URGENT" in inbox.output and "why: rule safety-first" in " ".join(inbox.output.split())


def test_check_reports_every_problem_with_its_path(runner: CliRunner, tmp_path: Path) -> None:
    config = tmp_path / "scrm.toml"
    config.write_text("""
[channels.x]
type = "webhook"
account = "acme"
base_url = "ftp://nope"
secret_env = "NOT_SET_ANYWHERE"
[[routing.rules]]
id = "bad-regex"
when = { regex = "(a+)+\\\\1" }
then = { queue = "nowhere" }
""", "utf-8")
    result = runner.invoke(main, ["check", str(config)])
    assert result.exit_code == 1
    assert "channels.x.secret_env: environment variable NOT_SET_ANYWHERE is not set" in result.output
    config.write_text(config.read_text("utf-8").replace('secret_env = "NOT_SET_ANYWHERE"', 'secret_env = "HOME"'))
    result = runner.invoke(main, ["check", str(config)])
    assert result.exit_code == 1
    assert "channels.x.base_url" in result.output
    assert "routing.rules[0]" in result.output and "bad-regex" in result.output


def test_check_accepts_the_demo_config(runner: CliRunner) -> None:
    demo = Path(__file__).resolve().parents[1] / "src" / "scrm_core" / "demo" / "scrm-demo.toml"
    result = runner.invoke(main, ["check", str(demo)], env={"SCRM_DEMO_SECRET": "s", "SCRM_DEMO_TOKEN": "t"})
    assert result.exit_code == 0, result.output
    assert "OK (4 channel(s), 7 rule(s))" in result.output


def test_replay_processes_the_good_documents_and_names_the_bad_ones(runner: CliRunner, tmp_path: Path) -> None:
    lines = [
        json.dumps({**interaction_doc("1"), "channel": "x", "account": "acme"}),
        json.dumps({**interaction_doc("2"), "channel": "x", "account": "acme", "kind": "shout"}),
        "{broken",
        json.dumps({**interaction_doc("1"), "channel": "x", "account": "acme"}),
        json.dumps({**interaction_doc("3", text="how do I pay my bill?"), "channel": "email", "account": "acme"}),
    ]
    recorded = tmp_path / "recorded.jsonl"
    recorded.write_text("\n".join(lines), "utf-8")
    config = tmp_path / "scrm.toml"
    config.write_text('[store]\nurl = "sqlite:///replay.sqlite3"\n', "utf-8")
    result = runner.invoke(main, ["replay", "-c", str(config), str(recorded)])
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "rejected line 2" in output and "$.kind" in output
    assert "rejected line 3: not valid JSON" in output
    assert "2 accepted, 1 duplicate" in output and "2 rejected" in output
    assert SQLiteStore(tmp_path / "replay.sqlite3").counts()["interactions"] == 2


def test_plugins_lists_the_built_ins_with_their_registrations(runner: CliRunner) -> None:
    result = runner.invoke(main, ["plugins", "--json"])
    assert result.exit_code == 0, result.output
    listing = json.loads(result.output)
    names = {p["name"]: p for p in listing["plugins"]}
    assert names["scrm_core.default_plugins.webhook_channel"]["channels"] == ["webhook"]
    for manifest in listing["plugins"]:
        schemas.validate("plugin-manifest", manifest)
    table = runner.invoke(main, ["plugins"])
    assert table.exit_code == 0 and "scrm_register_channels" in table.output


def test_schema_prints_each_public_schema(runner: CliRunner) -> None:
    listing = runner.invoke(main, ["schema"])
    assert all(name in listing.output for name in schemas.SCHEMA_NAMES)
    printed = runner.invoke(main, ["schema", "interaction"])
    assert json.loads(printed.output) == schemas.load_schema("interaction")


def test_a_broken_config_file_exits_with_its_problems(runner: CliRunner, tmp_path: Path) -> None:
    config = tmp_path / "scrm.toml"
    config.write_text("[scrm]\nmax_body_bytes = 1\n", "utf-8")
    result = runner.invoke(main, ["inbox", "-c", str(config)])
    assert result.exit_code == 2
    assert "scrm.max_body_bytes" in result.output
