"""Days written at the start of a date or a date-time (RFC 3339, ISO 8601): what the registers
and the ownership data compare. Pure."""

from datetime import date


def day_of(value: object) -> str | None:
    """The day ``YYYY-MM-DD`` a date or date-time begins with; None for anything else, or a day
    the calendar does not have."""
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10]).isoformat()
        except ValueError:
            return None
    return None
