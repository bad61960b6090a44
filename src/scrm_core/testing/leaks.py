"""The canary check: plant secret values, capture every log record and every text a run produces, and
find any place the secret shows up."""

from __future__ import annotations

import contextlib
import logging
import traceback
from collections.abc import Mapping
from types import TracebackType

__all__ = ["LeakWatch"]


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _record_texts(record: logging.LogRecord) -> list[str]:
    texts = [str(record.msg), repr(record.args)]
    with contextlib.suppress(Exception):  # a broken format string must not hide a leak
        texts.append(record.getMessage())
    if record.exc_info and record.exc_info[1] is not None:
        texts.append("".join(traceback.format_exception(record.exc_info[1])))
    if record.exc_text:
        texts.append(record.exc_text)
    return texts


class LeakWatch:
    """Collects log records at DEBUG from every logger (through the root logger) and any texts handed to
    ``see``; ``problems()`` names each place a secret value appeared."""

    def __init__(self, secrets: Mapping[str, str]) -> None:
        self.secrets = {name: value for name, value in secrets.items() if value}
        self._collector = _Collector()
        self._texts: list[tuple[str, str]] = []
        self._saved_level = logging.NOTSET

    def __enter__(self) -> LeakWatch:
        root = logging.getLogger()
        self._saved_level = root.level
        root.setLevel(logging.DEBUG)
        root.addHandler(self._collector)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        root = logging.getLogger()
        root.removeHandler(self._collector)
        root.setLevel(self._saved_level)

    def see(self, where: str, value: object) -> None:
        """Check ``str`` and ``repr`` of ``value`` (and the traceback of an exception)."""
        self._texts.append((where, str(value)))
        self._texts.append((where, repr(value)))
        if isinstance(value, BaseException):
            self._texts.append((where, "".join(traceback.format_exception(value))))

    def problems(self) -> list[str]:
        found: list[str] = []
        for name, value in self.secrets.items():
            for record in self._collector.records:
                if any(value in text for text in _record_texts(record)):
                    found.append(f"the secret value of {name!r} appeared in a log record from logger "
                                 f"{record.name!r} ({record.levelname}: {_masked(record, value)}): never log "
                                 f"secrets; log the Secret object (it prints as ***) or nothing")
                    break
            for where, text in self._texts:
                if value in text:
                    found.append(f"the secret value of {name!r} appeared in {where}: keep secrets out of "
                                 f"reprs and error messages (hold them as Secret, call reveal() only at use)")
                    break
        return found


def _masked(record: logging.LogRecord, secret: str) -> str:
    try:
        message = record.getMessage()
    except Exception:
        message = str(record.msg)
    return message.replace(secret, "<SECRET>")[:200]
