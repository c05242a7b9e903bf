"""Time as Find a Tender writes it: London local time, working days and office hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

DAY = 86_400
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def _bst_range(year: int) -> tuple[int, int]:
    """British Summer Time in UTC seconds: 01:00 UTC, last Sunday of March to last of October."""
    start, end = _last_sunday(year, 3), _last_sunday(year, 10)
    return (
        int((datetime(start.year, 3, start.day, 1, tzinfo=UTC) - _EPOCH).total_seconds()),
        int((datetime(end.year, 10, end.day, 1, tzinfo=UTC) - _EPOCH).total_seconds()),
    )


class Clock:
    """Formats UTC seconds as London local time, the way Find a Tender writes its dates."""

    def __init__(self) -> None:
        self._bst: dict[int, tuple[int, int]] = {}
        self._days: dict[int, tuple[int, str, str, bool]] = {}
        # noon offsets of every day from 1970 to 2199, so that most look-ups index a list
        self._noon = [0] * (230 * 366)
        for year in range(1970, 2200):
            start, end = _bst_range(year)
            for day in range(start // DAY, end // DAY):
                self._noon[day] = 3600
        self._hours: dict[int, str] = {}

    def offset(self, ts: int) -> int:
        year = 1970 + ts // 31_557_600
        bst = self._bst.get(year)
        if bst is None:
            bst = self._bst[year] = _bst_range(year)
        return 3600 if bst[0] <= ts < bst[1] else 0

    def iso(self, ts: int) -> str:
        """RFC 3339 in London local time: ``Z`` in winter, ``+01:00`` in summer time."""
        day, second = divmod(ts, DAY)
        entry = self._days.get(day)
        if entry is None:
            entry = self._days[day] = self._day(day)
        offset, today, tomorrow, changes = entry
        if changes and second < 3600:  # before 01:00 UTC on the day the clocks change
            offset = 3600 - offset
        second += offset
        prefix = today
        if second >= DAY:
            second, prefix = second - DAY, tomorrow
        hour, rest = divmod(second, 3600)
        minute, second = divmod(rest, 60)
        return f"{prefix}T{hour:02d}:{minute:02d}:{second:02d}{'+01:00' if offset else 'Z'}"

    def _day(self, day: int) -> tuple[int, str, str, bool]:
        if len(self._days) > 20_000:
            self._days.clear()
        noon = self.offset(day * DAY + DAY // 2)
        calendar = date(1970, 1, 1) + timedelta(days=day)
        tomorrow = (calendar + timedelta(days=1)).isoformat()
        return noon, calendar.isoformat(), tomorrow, noon != self.offset(day * DAY)

    def day(self, ts: int, hour: int = 0) -> str:
        """The local day of ``ts`` at ``hour`` o'clock, as contract and period dates are given."""
        local = (ts + self.summer(ts // DAY)) // DAY
        key = local * 24 + hour
        text = self._hours.get(key)
        if text is None:
            if len(self._hours) > 20_000:
                self._hours.clear()
            offset = self.offset(local * DAY + hour * 3600 - self.summer(local))
            calendar = (date(1970, 1, 1) + timedelta(days=local)).isoformat()
            text = self._hours[key] = f"{calendar}T{hour:02d}:00:00{'+01:00' if offset else 'Z'}"
        return text

    def summer(self, day: int) -> int:
        """The offset from UTC at noon of ``day`` (days since 1970): 3600 in summer time."""
        if 0 <= day < len(self._noon):
            return self._noon[day]
        return self.offset(day * DAY + DAY // 2)

    def working(self, ts: int) -> int:
        """The first working-day moment at or after ``ts`` in office hours (08:00-18:00 local).

        Moved times land in the morning, spread by the seconds of ``ts`` itself.
        """
        day, second = divmod(ts + self.summer(ts // DAY), DAY)
        if second >= 18 * 3600:
            day, second = day + 1, 8 * 3600 + ts % 10_800
        elif second < 8 * 3600:
            second = 8 * 3600 + ts % 10_800
        weekday = (day + 3) % 7  # 1970-01-01 was a Thursday
        if weekday >= 5:
            day += 7 - weekday
        return day * DAY + second - self.summer(day)
