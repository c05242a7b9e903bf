"""Reading query parameters: each problem is an ApiError naming the parameter and why."""

import re
from datetime import UTC, date, datetime

from openbook.standards.identifiers import check_party_id
from openbook.standards.log import format_log_time
from openbook.store.log import LAST_SEQ
from openbook.web.api.errors import ApiError, bad_parameter

# Paging keys are log seqs (openbook.store.log.LAST_SEQ at most); a larger one is a bad
# parameter (400), never an overflow in the database driver (500).
MAX_KEY = LAST_SEQ

# RFC 3339 date-time, or a date; with the Find a Tender API's form (no offset: UTC) allowed.
_MOMENT = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:[Zz]|[+-]\d{2}:\d{2})?)?"
)
MOMENT_FORMAT = "YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS (UTC), or with a Z or ±HH:MM offset"


def moment(parameter: str, value: str | None) -> str | None:
    """A moment as a log time (UTC, microseconds), or None if not given."""
    if value is None or value == "":
        return None
    if len(value) > 40 or not _MOMENT.fullmatch(value):
        raise bad_parameter(parameter, f"{value[:40]!r} is not a date and time ({MOMENT_FORMAT})")
    text = value.replace("z", "Z").replace("t", "T").replace(" ", "T")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as error:
        raise bad_parameter(parameter, f"{value!r} is not a real date and time ({error})") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return format_log_time(parsed)


def choices(parameter: str, value: str | None, allowed: tuple[str, ...]) -> list[str]:
    """Comma-separated values, each one of ``allowed``."""
    if not value:
        return []
    found = [part.strip() for part in value.split(",") if part.strip()]
    for part in found:
        one_of(parameter, part, allowed)
    return list(dict.fromkeys(found))


def one_of(parameter: str, value: str, allowed: tuple[str, ...]) -> str:
    """``value`` if it is one of ``allowed``; else a 400 naming the parameter and the choices."""
    if value not in allowed:
        raise bad_parameter(parameter, f"{value[:40]!r} is not one of {', '.join(allowed)}")
    return value


def texts(parameter: str, value: str | None, most: int = 20) -> list[str]:
    """Repeated or comma-free values (a name may contain commas: one value per parameter)."""
    if not value:
        return []
    if len(value) > 300:
        raise bad_parameter(parameter, f"is {len(value)} characters long; at most 300")
    if "\x00" in value:
        raise bad_parameter(parameter, "contains a NUL character")
    return [value][:most]


def text(parameter: str, value: str | None) -> str | None:
    """One text value, checked as texts() checks it, without its outer spaces; None when
    empty or blank."""
    found = texts(parameter, value)
    return found[0].strip() or None if found else None


def order_range(a: str | None, b: str | None, first: str, second: str) -> None:
    if a and b and a > b:
        raise bad_parameter(second, f"is before {first}: the range is empty")


def instant(parameter: str, value: str | None, *, upper: bool = False) -> datetime | None:
    """A date or date and time as an aware UTC datetime, or None if not given. A date alone
    is its first moment, or with ``upper`` its last (so that ``_to`` ranges include the day)."""
    if value is None or value == "":
        return None
    if len(value) > 40 or not _MOMENT.fullmatch(value):
        raise bad_parameter(
            parameter, f"{value[:40]!r} is not a date or date and time ({MOMENT_FORMAT})"
        )
    text = value.replace("z", "Z").replace("t", "T").replace(" ", "T")
    try:
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        if upper and len(value) == 10:
            parsed = parsed.replace(hour=23, minute=59, second=59, microsecond=999999)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError) as error:
        raise bad_parameter(parameter, f"{value!r} is not a real date and time ({error})") from None


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?")


def number(parameter: str, value: str | None, most: float = 1e15) -> float | None:
    """A decimal number whose size is at most ``most``, or None if not given."""
    if value is None or value == "":
        return None
    if len(value) > 40 or not _NUMBER.fullmatch(value):
        raise bad_parameter(parameter, f"{value[:40]!r} is not a number (such as 250000 or 1.5e6)")
    parsed = float(value)
    if not abs(parsed) <= most:
        raise bad_parameter(parameter, f"{value!r} is too large: at most {most:g} either way")
    return parsed


def flag(parameter: str, value: str | None) -> bool | None:
    """``true`` or ``false``, or None if not given."""
    if value is None or value == "":
        return None
    if value not in ("true", "false"):
        raise bad_parameter(parameter, f"{value[:40]!r} is not true or false")
    return value == "true"


def listed(parameter: str, value: str | None, pattern: str, form: str, most: int = 20) -> list[str]:
    """Comma-separated values, each matching ``pattern`` (described as ``form``), at most
    ``most`` of them."""
    if not value:
        return []
    found = list(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
    if len(found) > most:
        raise bad_parameter(parameter, f"has {len(found)} values; at most {most}")
    for part in found:
        if not re.fullmatch(pattern, part):
            raise bad_parameter(parameter, f"{part[:40]!r} is not {form}")
    return found


def identifier(parameter: str, value: str | None) -> str | None:
    """An organisation identifier (SCHEME-ID) given as a filter, normalised as its register
    writes it; None if not given."""
    if not value:
        return None
    if len(value) > 300:
        raise bad_parameter(parameter, f"is {len(value)} characters long; at most 300")
    checked = check_party_id(value)
    if checked.identifier is None:
        raise ApiError(400, "invalid-identifier", f"{parameter}: {checked.message}", parameter)
    return str(checked.identifier)


def day(parameter: str, value: str | None, *, today: bool = False) -> str | None:
    """A day written YYYY-MM-DD (and, where ``today``, the word "today"); None if not given."""
    if value is None or value == "":
        return None
    if today and value == "today":
        return date.today().isoformat()
    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise bad_parameter(parameter, f"{value[:40]!r} is not a date: write YYYY-MM-DD") from None


def from_cursor(value: str | None, pattern: re.Pattern[str]) -> tuple[str, str] | None:
    """A ``cursor`` parameter: the two groups of ``pattern`` (the ``next`` a list gave: its
    sort key and its record's key), or None if not given."""
    if not value:
        return None
    match = pattern.fullmatch(value)
    if not match or "\x00" in value:
        raise bad_parameter("cursor", f"{value[:40]!r} is not a `next` this list gave")
    return match.group(1), match.group(2)
