"""How the notice forms name what they write from the moment they write it: the stamp in a
release's id (``questions.release_id``) and in a correction's notice document
(``corrections.as_correction``).

The moment is written to the microsecond the clock gives (ISO 8601's basic format, with a
decimal fraction of the second): in whole seconds, two notices of one procurement written in
the same second were given one id (issue 8: the second correction of a notice named its notice
document as the first had, and OCDS merges documents by id, so one was lost from the compiled
release). A moment in whole seconds (as tests and examples give) is written without a fraction,
as before. Pure.
"""

from datetime import UTC, datetime


def stamp(moment: datetime) -> str:
    """``moment`` in UTC as an id's part: ``20260105T100000Z``, ``20260105T100000.250000Z``."""
    at = moment.astimezone(UTC)
    fraction = f".{at.microsecond:06d}" if at.microsecond else ""
    return f"{at:%Y%m%dT%H%M%S}{fraction}Z"
