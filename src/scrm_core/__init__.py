"""scrm: social customer care for any CRM. The core's public names live here; plugins import only these."""

from scrm_core.hookspecs import hookimpl

__all__ = ["hookimpl"]
