"""Every Python sample in the connector docs is copied from a file the tests execute, so it cannot rot."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [*ROOT.glob("plugins/scrm-rss/src/**/*.py"), *ROOT.glob("plugins/scrm-rss/tests/*.py"),
           *ROOT.glob("src/scrm_core/testing/*.py"), *ROOT.glob("tests/testing/*.py"),
           *ROOT.glob("src/scrm_core/templates/plugin/**/*.py.tmpl")]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
DOCS = ["writing-a-connector.md", "testing-kit.md"]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def appears_in(block: list[str], lines: list[str]) -> bool:
    """``block`` occurs in ``lines`` as consecutive lines, allowing one extra indentation for all of them."""
    first = block[0]
    for start, line in enumerate(lines):
        if line.strip() != first.strip() or _indent(line) < _indent(first):
            continue
        pad = " " * (_indent(line) - _indent(first))
        window = lines[start:start + len(block)]
        if len(window) == len(block) and all(
                got == (pad + want if want.strip() else "").rstrip() or not (got.strip() or want.strip())
                for got, want in zip(window, block, strict=True)):
            return True
    return False


def samples() -> list[tuple[str, int, str]]:
    found = []
    for doc in DOCS:
        text = (ROOT / "docs" / doc).read_text("utf-8")
        for number, match in enumerate(BLOCK.finditer(text), 1):
            found.append((doc, number, match.group(1)))
    return found


def test_the_docs_have_samples() -> None:
    assert sum(1 for doc, _, _ in samples() if doc == "writing-a-connector.md") >= 6


@pytest.mark.parametrize(("doc", "number", "code"), samples(), ids=lambda v: str(v)[:30])
def test_sample_is_taken_from_an_executed_file(doc: str, number: int, code: str) -> None:
    block = [line.rstrip() for line in code.rstrip("\n").split("\n")]
    sources = {path: path.read_text("utf-8").split("\n") for path in SOURCES}
    assert any(appears_in(block, [line.rstrip() for line in lines]) for lines in sources.values()), (
        f"python sample #{number} of docs/{doc} is not copied verbatim from a tested file; update it from "
        f"the source:\n{code}")
