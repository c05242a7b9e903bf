"""The procurement pipeline register (issue 5, item 4; docs/pipeline.md): planned procurements
(UK1 pipeline notices, the other planning notices, and OCDS planning-stage releases) by
authority, category and the date their tender notice was expected, and which of them reached
tender, and when.

Derived at read time from the published data: candidates from the process search, and for
the page shown only, the entries and stage terms of their releases and the bodies of those
that say when the tender was expected and when it came. Nothing is written when data loads.
"""

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime

import orjson

from openbook.standards.ocds.shapes import as_dict as _dict
from openbook.standards.ocds.shapes import dicts as _dicts
from openbook.standards.ocds.summary import utc
from openbook.standards.uk.notices import AmbiguousNoticeType, UnknownNoticeType, find_notice_type
from openbook.store import pipeline
from openbook.store.database import Store

MAX_LIMIT = 100
# Planned processes read, at most, for one page when a filter needs their releases (the
# expected date, overdue): a page may then hold fewer entries than asked, with a ``next``.
SCAN_LIMIT = 1000
# Processes read together in a stream (the bulk file) or a filtered page.
BATCH = 200

# Notices that plan a procurement: the Act's pipeline (s.93), preliminary market engagement
# (s.16) and planned procurement (s.15) notices; the 2015 rules' prior information notices.
PLANNING_NOTICES = ("UK1", "UK2", "UK3", "F01", "F04", "F16")
# Notices that start the procurement itself: the Act's tender (s.21) and transparency (s.44,
# before a direct award) notices; the 2015 rules' contract notices (reg. 49 and the utilities,
# defence and concessions forms) and design contest notice.
TENDER_NOTICES = ("UK4", "UK5", "F02", "F05", "F07", "F12", "F17", "F24")
# A process at any of these stages has reached tender (a release tagged for it, or awards or
# contracts in its compiled release: openbook.standards.ocds.summary).
REACHED_STAGES = ("tender", "award", "contract", "implementation")
REACHED = ("yes", "no", "overdue")

# Where a planning release says when the tender notice is expected, in order of preference:
# the communication extension's futureNoticeDate (what Find a Tender's UK1 and UK3 give),
# for the tender then its lots, and failing both a planned tender period's start.
EXPECTED_FIELDS = (
    "tender.communication.futureNoticeDate",
    "tender.lots.communication.futureNoticeDate",
    "tender.tenderPeriod.startDate",
)


def register(
    store: Store,
    *,
    buyer: str | None = None,
    cpv: Sequence[str] = (),
    expected_from: str | None = None,
    expected_to: str | None = None,
    reached: str | None = None,
    before: int | None = None,
    limit: int = 20,
    today: date | None = None,
) -> dict:
    """A page of the register, the most recently changed process first, and the ``next``
    to give as ``before``. ``buyer`` is a normalised identifier, ``cpv`` prefixes of CPV
    codes, ``expected_from`` and ``expected_to`` UTC times (``YYYY-MM-DDTHH:MM:SSZ``) that
    bound the expected date, ``reached`` one of REACHED."""
    filters = _filters(buyer, cpv, reached)
    today = today or datetime.now(UTC).date()
    scanning = bool(expected_from or expected_to or reached == "overdue")
    batch = BATCH if scanning else limit
    found: list[dict] = []
    scanned = 0
    while True:
        rows = pipeline.page(store, filters, before, batch)
        for row, entry in zip(rows, entries(store, rows, today), strict=True):
            scanned += 1
            if _matches(entry, expected_from, expected_to, reached):
                found.append(entry)
                if len(found) == limit:
                    return {"page": found, "next": row.process_id}
        if len(rows) < batch:
            return {"page": found, "next": None}
        before = rows[-1].process_id
        if scanned >= SCAN_LIMIT:
            return {"page": found, "next": before}


def bulk(store: Store, today: date | None = None) -> Iterator[dict]:
    """Every entry of the register, one JSON-able dict each (a line of the JSON Lines bulk
    file), the most recently changed first; streamed, a batch of processes at a time."""
    today = today or datetime.now(UTC).date()
    rows: list[pipeline.Planned] = []
    for row in pipeline.every(store, _filters(None, (), None)):
        rows.append(row)
        if len(rows) == BATCH:
            yield from entries(store, rows, today)
            rows = []
    yield from entries(store, rows, today)


def _filters(buyer: str | None, cpv: Sequence[str], reached: str | None) -> pipeline.Filters:
    return pipeline.Filters(
        planning_notices=PLANNING_NOTICES,
        tender_notices=TENDER_NOTICES,
        reached_stages=REACHED_STAGES,
        buyer=buyer,
        cpv=tuple(cpv),
        reached=None if reached is None else reached == "yes",
    )


def _matches(entry: dict, start: str | None, end: str | None, reached: str | None) -> bool:
    expected = entry["expectedDate"]
    if (start or end) and expected is None:
        return False
    if start and expected < start:
        return False
    if end and expected > end:
        return False
    return reached != "overdue" or entry["overdue"]


def entries(store: Store, rows: Sequence[pipeline.Planned], today: date) -> list[dict]:
    """The register's entries of these processes, in their order."""
    if not rows:
        return []
    history = pipeline.statements(store, [row.ocid for row in rows])
    wanted: list[int] = []
    for row in rows:
        planning, first_tender = _split(history.get(row.ocid, []))
        wanted += [statement.seq for statement in planning]
        if first_tender is not None:
            wanted.append(first_tender.seq)
    bodies = pipeline.bodies(store, wanted)
    buyers = pipeline.buyers(store, [row.process_id for row in rows])
    return [
        _entry(row, history.get(row.ocid, []), bodies, buyers.get(row.process_id), today)
        for row in rows
    ]


def _split(
    statements: Sequence[pipeline.Statement],
) -> tuple[list[pipeline.Statement], pipeline.Statement | None]:
    """The planning releases published before the tender, and the first release at tender
    stage or later (by their dates; log order where a date cannot be read)."""
    later = [s for s in statements if s.stages & set(REACHED_STAGES)]
    first = min(later, key=lambda s: (utc(s.date) or "9999", s.seq), default=None)
    cut = utc(first.date) if first is not None else None
    planning = [
        s
        for s in statements
        if "planning" in s.stages
        and not s.stages & set(REACHED_STAGES)
        and (cut is None or (utc(s.date) or "") <= cut)
    ]
    return planning, first


def _entry(
    row: pipeline.Planned,
    statements: Sequence[pipeline.Statement],
    bodies: dict[int, str | None],
    buyer: str | None,
    today: date,
) -> dict:
    planning, first_tender = _split(statements)
    expected, field = None, None
    # The latest planning release that says when the tender is expected: the estimate last
    # published before the tender.
    for statement in sorted(planning, key=lambda s: (utc(s.date) or "", s.seq)):
        found = expected_date(_release(bodies.get(statement.seq)))
        if found is not None:
            expected, field = found
    reached = row.stage in REACHED_STAGES or any(n in TENDER_NOTICES for n in row.notice_types)
    tender_date = utc(first_tender.date) if first_tender is not None else None
    tender_notice = None
    if first_tender is not None:
        tender_notice = _notice_type(_release(bodies.get(first_tender.seq)))
    planned_dates = [d for d in (utc(s.date) for s in planning) if d]
    overdue = not reached and expected is not None and expected[:10] < today.isoformat()
    delay = None
    if expected is not None and tender_date is not None:
        delay = (date.fromisoformat(tender_date[:10]) - date.fromisoformat(expected[:10])).days
    return {
        "ocid": row.ocid,
        "title": row.title,
        "buyer": {"name": row.buyer_name, "identifier": buyer},
        "cpv": list(row.cpv),
        "value": None
        if row.value_amount is None
        else {"amount": row.value_amount, "currency": row.value_currency},
        "planningNotices": [code for code in row.notice_types if code in PLANNING_NOTICES],
        "planned": min(planned_dates, default=None) or row.published,
        "expectedDate": expected,
        "expectedField": field,
        "stage": row.stage,
        "reachedTender": reached,
        "tenderDate": tender_date if reached else None,
        "tenderNotice": tender_notice if reached else None,
        "delayDays": delay if reached else None,
        "overdue": overdue,
    }


def expected_date(release: dict) -> tuple[str, str] | None:
    """When a planning release expects the tender notice (UTC), and the field that says so."""
    tender = _dict(release.get("tender"))
    given = utc(_dict(tender.get("communication")).get("futureNoticeDate"))
    if given:
        return given, EXPECTED_FIELDS[0]
    lots = [
        utc(_dict(lot.get("communication")).get("futureNoticeDate"))
        for lot in _dicts(tender.get("lots"))
    ]
    if earliest := min((day for day in lots if day), default=None):
        return earliest, EXPECTED_FIELDS[1]
    given = utc(_dict(tender.get("tenderPeriod")).get("startDate"))
    if given:
        return given, EXPECTED_FIELDS[2]
    return None


def _notice_type(release: dict) -> str | None:
    try:
        notice = find_notice_type(release)
    except (UnknownNoticeType, AmbiguousNoticeType):
        return None
    return notice.code if notice is not None else None


def _release(body: str | None) -> dict:
    if body is None:
        return {}
    try:
        release = orjson.loads(body)
    except orjson.JSONDecodeError:
        return {}
    return release if isinstance(release, dict) else {}
