"""Built-in strategies (default plugin). Filled in by the routing/scoring work."""

from __future__ import annotations
