"""Reading OCDS data of any shape: real publishers' JSON has lists where objects belong, numbers
where strings do, and NUL characters. These answer "nothing" for the wrong shape rather than
fail, so that one malformed field never stops a whole release being read. Pure."""

import math


def text(value: object) -> str:
    """A string as given, an integer as its digits, anything else empty. NUL is valid in JSON
    strings but not in PostgreSQL's text: it is dropped."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return ""


def number(value: object) -> float | None:
    """A JSON number as a float; None for anything else (a boolean, text, NaN, infinity)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def as_dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list:
    return value if isinstance(value, list) else []


def dicts(value: object) -> list[dict]:
    """The objects of a list; nothing if it is not one."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
