"""The metrics' tables (docs/methods/): what a computation reads from the log, and the figures
and items it leaves, replaced whole by each run so that dashboards read one consistent run."""

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import orjson

from openbook.store.database import Store, stream
from openbook.store.log import insert_rows
from openbook.store.marks import corrections_before

REGISTER = "ocds"
CENTRAL = "*central"  # the subject of central government's figures (its authorities' items)


def platform_seqs(store: Store, stop: int) -> set[int]:
    """The seqs below ``stop`` of the releases published through the publish API: the audit
    trail records each publication with the entries it created."""
    found: set[int] = set()
    with store.cursor() as cursor:
        cursor.execute("SELECT detail FROM audit_event WHERE action = %s", ["publish"])
        for (detail,) in cursor.fetchall():
            created = orjson.loads(detail).get("created") if detail else None
            found.update(seq for seq in created or () if isinstance(seq, int) and seq < stop)
    return found


def log_time_at(store: Store, seq: int) -> str | None:
    with store.cursor() as cursor:
        cursor.execute("SELECT log_time FROM log_entry WHERE seq = %s", [seq])
        row = cursor.fetchone()
    return row[0] if row else None


# A release as the metrics read it: (seq, log time, publisher, body JSON text).
ReleaseRow = tuple[int, str, str, str]


def withdrawn_seqs(store: Store, stop: int) -> set[int]:
    """The seqs below ``stop`` of releases withdrawn by then (as if never published)."""
    return {seq for marks in corrections_before(store, stop).values() for seq in marks.withdrawn}


def process_bounds(store: Store, every: int) -> list[str]:
    """Every ``every``-th ocid of the compiled OCDS records, in the database's order: bounds
    that split the processes into ranges of about that many (``processes(low=, high=)``), for
    workers to read one range each. Processes not compiled yet fall in a range all the same."""
    bounds: list[str] = []
    for number, (key,) in enumerate(
        stream(
            store,
            "SELECT record_key FROM record WHERE register = %s ORDER BY record_key",
            [REGISTER],
        )
    ):
        if number and number % every == 0:
            bounds.append(key)
    return bounds


def processes(
    store: Store,
    stop: int,
    *,
    withdrawn: set[int] | None = None,
    low: str | None = None,
    high: str | None = None,
) -> Iterator[tuple[str, list[ReleaseRow]]]:
    """Every OCDS process with a release below ``stop`` (and an ocid from ``low``, inclusive,
    to ``high``, exclusive, when given), in ocid order, with its releases in log order: those
    withdrawn (as if never published; ``withdrawn_seqs``, read here unless given) and redacted
    (their body gone) left out; a process left with none is not given. Streamed: one process in
    memory at a time. On PostgreSQL, call inside ``openbook.store.export.reading``."""
    if withdrawn is None:
        withdrawn = withdrawn_seqs(store, stop)
    sql = (
        "SELECT e.record_key, e.seq, e.log_time, e.publisher, b.body"
        " FROM log_entry e JOIN log_body b ON b.seq = e.seq"
        " WHERE e.register = %s AND e.seq < %s"
    )
    params: list = [REGISTER, stop]
    if low is not None:
        sql += " AND e.record_key >= %s"
        params.append(low)
    if high is not None:
        sql += " AND e.record_key < %s"
        params.append(high)
    current: str | None = None
    rows: list[ReleaseRow] = []
    for ocid, seq, log_time, publisher, body in stream(
        store, sql + " ORDER BY e.record_key, e.seq", params
    ):
        if ocid != current:
            if rows:
                yield current, rows  # type: ignore[misc]
            current, rows = ocid, []
        if body is not None and seq not in withdrawn:
            rows.append((seq, log_time, publisher, body))
    if rows:
        yield current, rows  # type: ignore[misc]


@dataclass(frozen=True, slots=True)
class Run:
    id: int
    log_size: int
    as_of: str
    computed_time: str
    seconds: float
    methods: dict
    summary: dict

    def as_dict(self) -> dict:
        return {
            "logSize": self.log_size,
            "asOf": self.as_of,
            "computed": self.computed_time,
            "seconds": round(self.seconds, 3),
            "methods": self.methods,
            **self.summary,
        }


# Columns of the figure rows save() takes, in order.
FIGURE_COLUMNS = (
    "metric",
    "subject",
    "subject_name",
    "period",
    "for_count",
    "against_count",
    "excluded_count",
    "pending_count",
    "value",
    "extra",
)
# As openbook.store.models.MetricItem declares them (tests/test_metrics.py checks they agree).
ITEM_INDEXES = (
    ("metric_item_figure", ("metric", "subject", "outcome", "day")),
    ("metric_item_period", ("metric", "outcome", "day")),
    ("metric_item_page", ("metric", "outcome", "id")),
    ("metric_item_ocid", ("ocid",)),
)
ITEM_COLUMNS = ("metric", "subject", "central", "day", "ocid", "item", "outcome", "detail")


def save(
    store: Store,
    run: Run,
    items: Iterable[tuple],
    figures: Callable[[], Sequence[tuple]],
) -> None:
    """Replace every figure and item with a run's, in one transaction: a reader sees the old
    run or the new one, never a mixture. ``figures`` is called once the items are in: the
    figures may still be being summed elsewhere while the items are written."""
    with store.atomic() as cursor:
        for table in ("metric_item", "metric_figure", "metric_run"):
            cursor.execute(f"DELETE FROM {table}")
        # The items' indexes are made again after the rows are in, in the same transaction:
        # building an index once is several times cheaper than updating it row by row.
        for name, _ in ITEM_INDEXES:
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute(
            "INSERT INTO metric_run (log_size, as_of, computed_time, seconds, methods, summary)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            [
                run.log_size,
                run.as_of,
                run.computed_time,
                run.seconds,
                orjson.dumps(run.methods).decode(),
                orjson.dumps(run.summary).decode(),
            ],
        )
        batch: list[tuple] = []
        for item in items:
            batch.append(item)
            if len(batch) == 10_000:
                insert_rows(store, cursor, "metric_item", ITEM_COLUMNS, batch)
                batch = []
        if batch:
            insert_rows(store, cursor, "metric_item", ITEM_COLUMNS, batch)
        insert_rows(store, cursor, "metric_figure", FIGURE_COLUMNS, list(figures()))
        for name, columns in ITEM_INDEXES:
            cursor.execute(f"CREATE INDEX {name} ON metric_item ({', '.join(columns)})")


def latest_run(store: Store) -> Run | None:
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT id, log_size, as_of, computed_time, seconds, methods, summary"
            " FROM metric_run ORDER BY id DESC LIMIT 1"
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return Run(row[0], row[1], row[2], row[3], row[4], orjson.loads(row[5]), orjson.loads(row[6]))


@dataclass(frozen=True, slots=True)
class StoredFigure:
    metric: str
    subject: str
    subject_name: str
    period: str
    for_count: int
    against_count: int
    excluded_count: int
    pending_count: int
    value: float | None
    extra: dict


def figures(
    store: Store,
    *,
    metric: str | None = None,
    metric_prefix: str | None = None,
    subject: str | None = None,
    periods: Sequence[str] | None = None,
) -> list[StoredFigure]:
    """Figures by any of metric (or metric prefix), subject and periods, in (metric, subject,
    period) order."""
    conditions, params = [], []
    if metric is not None:
        conditions.append("metric = %s")
        params.append(metric)
    if metric_prefix is not None:
        conditions.append("metric >= %s AND metric < %s")
        params += [metric_prefix, metric_prefix + "\uffff"]
    if subject is not None:
        conditions.append("subject = %s")
        params.append(subject)
    if periods is not None:
        if not periods:
            return []
        conditions.append(f"period IN ({', '.join(['%s'] * len(periods))})")
        params += list(periods)
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    with store.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(FIGURE_COLUMNS)} FROM metric_figure{where}"
            " ORDER BY metric, subject, period",
            params,
        )
        return [_figure(row) for row in cursor.fetchall()]


def _figure(row: Sequence) -> StoredFigure:
    extra = orjson.loads(row[9])
    return StoredFigure(
        row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], extra
    )


@dataclass(frozen=True, slots=True)
class StoredItem:
    id: int
    metric: str
    subject: str
    central: bool
    day: str | None
    ocid: str
    item: str
    outcome: str
    detail: dict


def items(
    store: Store,
    *,
    metric: str,
    subject: str | None,
    days: tuple[str, str] | None,
    outcomes: Sequence[str],
    after: int = 0,
    limit: int = 100,
) -> list[StoredItem]:
    """A page of a figure's items: of ``metric``, about ``subject`` (None: anyone; CENTRAL:
    central government authorities), with a day
    within ``days`` (inclusive; None: any day, undated too), of these outcomes; in id order
    from after ``after``."""
    conditions = ["metric = %s", f"outcome IN ({', '.join(['%s'] * len(outcomes))})", "id > %s"]
    params: list = [metric, *outcomes, after]
    if subject == CENTRAL:
        conditions.append("central = %s")
        params.append(True)
    elif subject is not None:
        conditions.append("subject = %s")
        params.append(subject)
    if days is not None:
        conditions.append("day >= %s AND day <= %s")
        params += list(days)
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT id, metric, subject, central, day, ocid, item, outcome, detail FROM metric_item"
            f" WHERE {' AND '.join(conditions)} ORDER BY id LIMIT %s",
            [*params, limit],
        )
        return [_item(row) for row in cursor.fetchall()]


def items_of_process(store: Store, ocid: str) -> list[StoredItem]:
    """Every item of one process: its milestones, failed checks and red flags."""
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT id, metric, subject, central, day, ocid, item, outcome, detail FROM metric_item"
            " WHERE ocid = %s ORDER BY metric, id",
            [ocid],
        )
        return [_item(row) for row in cursor.fetchall()]


def _item(row: Sequence) -> StoredItem:
    detail = orjson.loads(row[8])
    return StoredItem(row[0], row[1], row[2], bool(row[3]), row[4], row[5], row[6], row[7], detail)
