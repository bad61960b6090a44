"""Durations, business hours and SLA due times, in the calendar's own time zone (zoneinfo, DST-safe)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from attrs import frozen

from scrm_core.models import Priority

__all__ = ["DAYS", "DEFAULT_SLA", "BusinessHours", "SlaPolicy", "parse_clock", "parse_duration"]

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_SLA: Mapping[Priority, timedelta] = {
    Priority.URGENT: timedelta(hours=1),
    Priority.HIGH: timedelta(hours=4),
    Priority.NORMAL: timedelta(hours=24),
    Priority.LOW: timedelta(hours=72),
}
_UNITS = {"d": 1440, "h": 60, "m": 1}
#: how far ahead to look for open hours before declaring the calendar closed for good
_HORIZON_DAYS = 400


def parse_duration(value: Any) -> timedelta:
    """``"1h30m"``, ``"2d"``, ``"45m"`` or a number of minutes."""
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"a duration cannot be negative: {value!r}")
        return timedelta(minutes=value)
    text, minutes, number = str(value).strip().lower(), 0, ""
    for char in text:
        if char.isdigit():
            number += char
        elif char in _UNITS and number:
            minutes, number = minutes + int(number) * _UNITS[char], ""
        else:
            raise ValueError(f"not a duration: {value!r} (use e.g. '30m', '4h', '1d', '1h30m')")
    if number or not text:
        raise ValueError(f"not a duration: {value!r} (use e.g. '30m', '4h', '1d', '1h30m')")
    return timedelta(minutes=minutes)


def parse_clock(value: str) -> time | None:
    """``"09:30"`` -> time; ``"24:00"`` -> None (the end of the day)."""
    hours, _, minutes = value.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"not a time of day: {value!r} (use HH:MM)")
    h, m = int(hours), int(minutes)
    if (h, m) == (24, 0):
        return None
    if not (0 <= h < 24 and 0 <= m < 60):
        raise ValueError(f"not a time of day: {value!r}")
    return time(h, m)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (use an IANA name like 'America/Sao_Paulo')") from None


Interval = tuple[time, time | None]


def _parse_intervals(value: Sequence[str]) -> tuple[Interval, ...]:
    intervals = []
    for item in value:
        start_text, sep, end_text = str(item).partition("-")
        start, end = parse_clock(start_text.strip()), parse_clock(end_text.strip())
        if not sep or start is None or (end is not None and end <= start):
            raise ValueError(
                f"not an opening interval: {item!r} (use '09:00-18:00'; split overnight hours "
                "over two days with '22:00-24:00' and '00:00-06:00')"
            )
        intervals.append((start, end))
    return tuple(sorted(intervals))


@frozen
class BusinessHours:
    """Opening hours per weekday in one time zone, minus holidays. ``always()`` is open around the clock."""

    tz: ZoneInfo
    week: tuple[tuple[Interval, ...], ...]  # Monday first
    holidays: frozenset[date] = frozenset()

    @classmethod
    def always(cls, tz: str = "UTC") -> BusinessHours:
        return cls(zone(tz), tuple(((time(0), None),) for _ in DAYS))

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], default_tz: str = "UTC") -> BusinessHours:
        tz = zone(settings.get("timezone", default_tz))
        week = tuple(_parse_intervals(settings.get(day, ())) for day in DAYS)
        holidays = frozenset(date.fromisoformat(str(d)) for d in settings.get("holidays", ()))
        if not any(week):
            raise ValueError("business hours are configured but no day has opening hours")
        return cls(tz, week, holidays)

    def _open_spans(self, day: date) -> list[tuple[datetime, datetime]]:
        if day in self.holidays:
            return []
        spans = []
        for start, end in self.week[day.weekday()]:
            begin = datetime.combine(day, start, tzinfo=self.tz).astimezone(UTC)
            finish = (
                datetime.combine(day, end, tzinfo=self.tz)
                if end is not None
                else datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.tz)
            ).astimezone(UTC)
            spans.append((begin, finish))
        return spans

    def is_open(self, when: datetime) -> bool:
        local_day = when.astimezone(self.tz).date()
        return any(b <= when < f for b, f in self._open_spans(local_day))

    def add(self, start: datetime, work: timedelta) -> datetime:
        """The moment ``work`` of open time has passed after ``start`` (which may be outside hours)."""
        cursor, remaining = start.astimezone(UTC), work
        day = cursor.astimezone(self.tz).date() - timedelta(days=1)  # a span may begin the local day before
        for _ in range(_HORIZON_DAYS):
            for begin, finish in self._open_spans(day):
                if finish <= cursor:
                    continue
                opened = max(begin, cursor)
                if opened + remaining <= finish:
                    return opened + remaining
                remaining -= finish - opened
                cursor = finish
            day += timedelta(days=1)
        raise ValueError(f"no open business hours within {_HORIZON_DAYS} days")


@frozen
class SlaPolicy:
    """How long each priority may wait, and which priorities count only business hours."""

    targets: Mapping[Priority, timedelta]
    hours: BusinessHours | None = None
    wall_clock: frozenset[Priority] = frozenset({Priority.URGENT})

    @classmethod
    def from_settings(cls, sla: Mapping[str, Any], hours: BusinessHours | None) -> SlaPolicy:
        targets = dict(DEFAULT_SLA)
        for level in Priority:
            if level.value in sla:
                targets[level] = parse_duration(sla[level.value])
        wall = frozenset(Priority(p) for p in sla.get("wall_clock", ("urgent",)))
        return cls(targets, hours, wall)

    def due(self, now: datetime, priority: Priority, target: timedelta | None = None) -> datetime:
        wait = self.targets[priority] if target is None else target
        if self.hours is None or priority in self.wall_clock:
            return now + wait
        return self.hours.add(now, wait)
