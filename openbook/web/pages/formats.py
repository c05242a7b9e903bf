"""How pages write numbers, money and dates: the GOV.UK style (``£1,250,000``, ``4 June 2025``,
``4 June 2025 at 5:30pm``), in the reader's language, UK time."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from openbook.web.pages import i18n

LONDON = ZoneInfo("Europe/London")
_ENGLISH_MONTHS = "January February March April May June July August September October November"
_WELSH_MONTHS = "Ionawr Chwefror Mawrth Ebrill Mai Mehefin Gorffennaf Awst Medi Hydref Tachwedd"
MONTHS = {
    i18n.ENGLISH: [*_ENGLISH_MONTHS.split(), "December"],
    i18n.WELSH: [*_WELSH_MONTHS.split(), "Rhagfyr"],
}
SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}


def number(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return ""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    return f"{int(value):,}"


def money(amount: object, currency: object = "GBP") -> str:
    """``£1,250,000`` (pence only when there are some); another currency by its symbol or
    code; empty when the amount is not a number."""
    written = number(amount)
    if not written:
        return ""
    code = currency if isinstance(currency, str) else ""
    if code in SYMBOLS:
        sign = "-" if written.startswith("-") else ""
        return f"{sign}{SYMBOLS[code]}{written.lstrip('-')}"
    return f"{written} {code}".strip()


def _parse(value: object) -> datetime | date | None:
    if isinstance(value, datetime | date):
        return value
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def day(value: object) -> str:
    """``4 June 2025``: the UK day of a date or date-time; the text as given if unreadable."""
    parsed = _parse(value)
    if parsed is None:
        return value if isinstance(value, str) else ""
    if isinstance(parsed, datetime) and parsed.tzinfo is not None:
        parsed = parsed.astimezone(LONDON)
    months = MONTHS.get(i18n.current(), MONTHS[i18n.ENGLISH])
    return f"{parsed.day} {months[parsed.month - 1]} {parsed.year}"


def moment(value: object) -> str:
    """``4 June 2025 at 5:30pm`` UK time; a date alone as ``day``."""
    parsed = _parse(value)
    if not isinstance(parsed, datetime):
        return day(value)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(LONDON)
    hour = parsed.hour % 12 or 12
    suffix = "am" if parsed.hour < 12 else "pm"
    clock = f"{hour}:{parsed.minute:02d}{suffix}" if parsed.minute else f"{hour}{suffix}"
    return i18n.gettext("%(day)s at %(time)s", day=day(parsed), time=clock)
