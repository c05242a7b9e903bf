"""What is recorded in the plans register, checked before anything is stored (openbook.plans;
docs/plans.md): texts, days, evidence links and a commitment's fields. Pure: each check adds
its problems, each (what, why), to a list, so that every problem of a request is said at once.
"""

import re
from datetime import date

from openbook.standards.plans import (
    LONGEST_NAME,
    LONGEST_TEXT,
    LONGEST_URL,
    MOST_EVIDENCE,
    OGP_VALUES,
)

_DAY_WRITTEN = re.compile(r"\d{4}-\d{2}-\d{2}")
_URL = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)


def field_value(name: str, value: object, problems: list[tuple[str, str]]) -> object:
    """A commitment's field as recorded (``openbook plans set``): its OGP values (a list, or
    comma-separated), else its text."""
    if name == "ogpValues":
        given = value.split(",") if isinstance(value, str) else value
        if not isinstance(given, list) or not given:
            problems.append(("value", "give the OGP values, comma-separated"))
            return None
        codes = [str(each).strip() for each in given if str(each).strip()]
        unknown = [each for each in codes if each not in OGP_VALUES]
        if unknown or not codes:
            problems.append(
                ("value", f"{', '.join(repr(each[:40]) for each in unknown) or 'nothing'} is not "
                          f"an OGP value; they are: {', '.join(OGP_VALUES)}")
            )  # fmt: skip
            return None
        return list(dict.fromkeys(codes))
    longest = LONGEST_NAME if name == "leadBody" else LONGEST_TEXT
    return text("value", value, longest, problems, about=f"the commitment's {name}")


def text(
    what: str, value: object, longest: int, problems: list[tuple[str, str]], *, about: str
) -> str | None:
    """A text given, trimmed: required, without NUL, at most ``longest`` characters."""
    if not isinstance(value, str) or not value.strip():
        problems.append((what, f"is required: {about}"))
        return None
    given = value.strip()
    if "\x00" in given:
        problems.append((what, "holds a NUL character"))
    elif len(given) > longest:
        problems.append((what, f"holds {len(given):,} characters; at most {longest:,}"))
    else:
        return given
    return None


def day(given: object, problems: list[tuple[str, str]], today: date, *, about: str) -> str:
    """A day written YYYY-MM-DD, not after ``today``, else a problem."""
    when = str(given).strip()
    if not _DAY_WRITTEN.fullmatch(when):
        problems.append(("date", f"{when[:40]!r} is not a date written YYYY-MM-DD"))
        return when
    try:
        if date.fromisoformat(when) > today:
            problems.append(("date", f"{when} is after today: {about}"))
    except ValueError:
        problems.append(("date", f"{when!r} is no day of the calendar"))
    return when


def evidence(given: object, problems: list[tuple[str, str]]) -> list[dict]:
    """Evidence links: at most ``MOST_EVIDENCE``, each an http or https ``url`` and an optional
    ``title``."""
    if not isinstance(given, list):
        problems.append(("evidence", "must be a list of links"))
        return []
    if len(given) > MOST_EVIDENCE:
        problems.append(("evidence", f"{len(given)} links; at most {MOST_EVIDENCE}"))
        return []
    found = []
    for index, each in enumerate(given):
        where = f"evidence {index + 1}"
        url = each.get("url") if isinstance(each, dict) else None
        if not isinstance(url, str) or len(url) > LONGEST_URL or not _URL.fullmatch(url.strip()):
            problems.append((where, f"{str(url)[:60]!r} is not an http or https address"))
            continue
        link = {"url": url.strip()}
        title = each.get("title")
        if title is not None:
            named = text(f"{where} title", title, LONGEST_NAME, problems, about="its title")
            if named:
                link["title"] = named
        found.append(link)
    return found
