"""Completeness: every hook documented and tested, every schema valid and shipped, public names declared."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from scrm_core import schemas

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs"))
gen_hooks = importlib.import_module("gen_hooks")


def test_every_hook_has_its_generated_reference_page() -> None:
    for path, text in gen_hooks.pages().items():
        assert path.is_file(), f"{path.relative_to(ROOT)} is missing: run python docs/gen_hooks.py"
        assert path.read_text("utf-8") == text, f"{path.relative_to(ROOT)} is stale: run python docs/gen_hooks.py"


def test_every_hook_has_a_docstring_and_a_test() -> None:
    tests = "\n".join(p.read_text("utf-8") for p in ROOT.glob("tests/**/*.py") if p.name != Path(__file__).name)
    for name in gen_hooks.hook_names():
        function = getattr(gen_hooks.hookspecs, name)
        assert function.__doc__ and len(function.__doc__.strip()) > 40, f"{name} has no real docstring"
        assert re.search(rf"\b{name}\b", tests), f"no test exercises {name}"


@pytest.mark.parametrize("name", schemas.SCHEMA_NAMES)
def test_every_schema_is_a_valid_draft_2020_12_schema(name: str) -> None:
    document = json.loads((ROOT / "schemas" / f"{name}.schema.json").read_text("utf-8"))
    Draft202012Validator.check_schema(document)
    assert document["$id"].endswith(f"/{name}.schema.json")
    assert schemas.load_schema(name) == document


def test_every_schema_file_is_known() -> None:
    files = sorted(p.name.removesuffix(".schema.json") for p in (ROOT / "schemas").glob("*.schema.json"))
    assert files == sorted(schemas.SCHEMA_NAMES)


@pytest.mark.parametrize("module", ["scrm_core.errors", "scrm_core.models", "scrm_core.plugins",
                                    "scrm_core.channels", "scrm_core.config", "scrm_core.store"])
def test_public_names_are_declared(module: str) -> None:
    # their order is ruff's job (RUF022)
    imported = importlib.import_module(module)
    exported = imported.__all__
    assert len(set(exported)) == len(exported), f"{module}.__all__ names something twice"
    for name in exported:
        assert hasattr(imported, name), f"{module}.__all__ names {name} which does not exist"


@pytest.mark.slow
def test_the_wheel_ships_the_schemas_and_loads_them(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True)
    [wheel] = tmp_path.glob("scrm_core-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for name in schemas.SCHEMA_NAMES:
            member = f"scrm_core/_schemas/{name}.schema.json"
            assert member in names, f"{member} is not in the wheel"
            assert json.loads(archive.read(member)) == schemas.load_schema(name)
        assert "scrm_core/store/sqlite_migrations/0001_initial.sql" in names
        assert "scrm_core/demo/data/interactions.json" in names


def test_the_runtime_needs_no_test_dependency() -> None:
    """The demo and the fake-platform toolkit run where only scrm-core's runtime dependencies are installed."""
    code = ("import sys\n"
            "for name in ('pytest', 'hypothesis', '_pytest'):\n"
            "    sys.modules[name] = None\n"
            "import scrm_core.cli, scrm_core.demo.run, scrm_core.fakes, scrm_core.fakes.webhook, scrm_core.asgi\n")
    subprocess.run([sys.executable, "-c", code], check=True)
