"""Every python block of docs/writing-a-plugin.md runs, in order, as one module."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "writing-a-plugin.md"


def test_the_guide_runs_as_written() -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text("utf-8"), flags=re.S)
    assert len(blocks) >= 5
    module = types.ModuleType("scrm_docs_plugin_guide")
    sys.modules[module.__name__] = module
    try:
        exec(compile("\n".join(blocks), str(DOC), "exec"), module.__dict__)  # the asserts are in the guide
    finally:
        del sys.modules[module.__name__]
