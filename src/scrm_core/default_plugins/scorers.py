"""Built-in scorers (default plugin). Filled in by the routing/scoring work."""

from __future__ import annotations
