"""Write the hook reference from the hook specifications' docstrings: ``python docs/gen_hooks.py``.

It writes docs/hooks.md (the index, with the kinds of hook) and one page per hook under docs/hooks/.
tests/test_completeness.py fails when a page differs from what this renders, so the reference never drifts
from the code.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

from scrm_core import hookspecs

DOCS = Path(__file__).resolve().parent

INDEX_HEADER = """# Hook reference

Generated from `src/scrm_core/hookspecs.py` by `python docs/gen_hooks.py`; edit the docstrings, not these
files. Implement a hook in a plugin module with `from scrm_core import hookimpl`, and register the module
under the `scrm` entry-point group (see [writing-a-connector.md](writing-a-connector.md)):

```toml
[project.entry-points.scrm]
myplugin = "scrm_myplugin"
```
"""


def hook_names() -> list[str]:
    source = inspect.getsource(hookspecs)
    names = [name for name, _ in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("scrm_")]
    return sorted(names, key=lambda name: source.index(f"def {name}("))


def render_hook(name: str) -> str:
    function = getattr(hookspecs, name)
    options = getattr(function, "scrm_spec", {})
    signature = str(inspect.signature(function)).replace("'", "")
    kind = "one decision: the first non-None result wins" if options.get("firstresult") else (
        "registration" if name.startswith("scrm_register_") else "every implementation is called")
    return "\n".join([
        f"# `{name}`\n",
        f"```python\n@hookimpl\ndef {name}{signature}: ...\n```\n",
        f"Kind: {kind}.\n",
        inspect.cleandoc(function.__doc__ or ""),
        "",
        "[All hooks](../hooks.md)",
        "",
    ])


def render_index() -> str:
    lines = [INDEX_HEADER, inspect.cleandoc(hookspecs.__doc__ or ""), "", "## The hooks", ""]
    for name in hook_names():
        summary = inspect.cleandoc(getattr(hookspecs, name).__doc__ or "").split("\n\n")[0].replace("\n", " ")
        lines.append(f"- [`{name}`](hooks/{name}.md): {summary}")
    return "\n".join(lines) + "\n"


def pages() -> dict[Path, str]:
    rendered = {DOCS / "hooks.md": render_index()}
    rendered.update({DOCS / "hooks" / f"{name}.md": render_hook(name) for name in hook_names()})
    return rendered


if __name__ == "__main__":
    (DOCS / "hooks").mkdir(exist_ok=True)
    for path, text in pages().items():
        path.write_text(text, "utf-8")
    sys.stdout.write(f"wrote {len(pages())} pages\n")
