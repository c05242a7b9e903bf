"""Grants in the 360Giving Data Standard (issue 9, item 5; docs/local-transparency.md). Pure:
a file's grants read from its JSON or its spreadsheet form (``reading``), each reviewed against
the standard's schema and its organisations resolved by identifier (``review``).

Each grant is a statement in the log's ``grants`` register, its record key the grant's own
360Giving identifier (globally unique: the publisher's registered ``360G-`` prefix and its own
number). The statement keeps the grant exactly as the file gave it, in the standard's JSON form,
so that the register's bulk file is 360Giving data any of its tools read.

Why not OCDS: a grant is not a contracting process. It has no tender, no award procedure and no
supplier; its recipient is a beneficiary, its amount a gift, its dates a plan of activity. The
UK's grant-makers, councils among them, publish grants in 360Giving, and GrantNav and its other
tools read it; carried as OCDS, a grant would lose fields (beneficiary location, grant
programme, regrant type) and gain empty ones. What joins grants to contracts is the organisation
(``review.recipients``: its org-id.guide identifier, the one the processes' parties carry).
"""

import json
from functools import cache
from pathlib import Path

REGISTER = "grants"
DATA = Path(__file__).resolve().parent / "data"


@cache
def columns() -> dict:
    """The standard's spreadsheet titles and the JSON path of each (built by
    scripts/build_grants_facts.py)."""
    return json.loads((DATA / "columns.json").read_text(encoding="utf-8"))


@cache
def schema() -> dict:
    return json.loads((DATA / "grant-schema.json").read_text(encoding="utf-8"))


def version() -> str:
    """The version of the standard the carried facts are of."""
    return str(columns()["version"])
