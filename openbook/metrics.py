"""Computing the metrics (use case behind ``openbook metrics compute``): every process of the log
as it stands, through openbook.standards.metrics.computation, into the precomputed tables the
API and pages read (docs/methods/).

A run reads the log's first N entries (N taken at the start), so it is reproducible: the bulk
snapshot of the same N gives the same figures (scripts/recompute_metrics.py). Items are spooled
to a temporary file while processes stream past, so memory stays flat however large the log.
"""

import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from datetime import UTC, datetime
from typing import IO

import orjson

from openbook import config
from openbook.pool import Pool
from openbook.standards.log import format_log_time
from openbook.standards.metrics import figures as figures_module
from openbook.standards.metrics.computation import (
    FAMILIES,
    METHODS,
    METRICS,
    RED_FLAGS,
    SPEND,
    Computation,
    Partial,
    figure_row,
    figures_of_tally,
)
from openbook.standards.metrics.figures import Tally
from openbook.standards.metrics.milestones import as_of_day
from openbook.standards.metrics.process import Process, Release
from openbook.standards.metrics.reading import InvalidSetting, Settings, read_settings
from openbook.standards.metrics.spend import figures as spend_figures
from openbook.store import flags as store_flags
from openbook.store import metrics as stored
from openbook.store import spend_views as stored_spend
from openbook.store.database import Store, own_connection, refresh_statistics
from openbook.store.export import reading
from openbook.store.log import log_size

Progress = Callable[[int], None]  # called with the number of processes done so far


def settings() -> Settings:
    """The red flags' settings: ``OPENBOOK_RED_FLAGS`` over the defaults. Raises
    ``MetricsError`` naming what is wrong with it."""
    text = config.red_flag_settings()
    if not text:
        return Settings()
    try:
        values = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise MetricsError("OPENBOOK_RED_FLAGS", f"is not JSON ({error})") from None
    if not isinstance(values, dict):
        raise MetricsError("OPENBOOK_RED_FLAGS", "must be a JSON object of settings")
    try:
        return read_settings(values)
    except InvalidSetting as error:
        raise MetricsError("OPENBOOK_RED_FLAGS", str(error)) from None


# Processes a worker reads and measures at a time (a range of ocids), and how many ranges may
# be out at once: memory stays bounded while both cores are kept busy.
BATCH_PROCESSES = 2000
BATCHES_IN_FLIGHT = 4
# Logs smaller than this are measured in this process: starting workers costs more.
PARALLEL_FROM_RELEASES = 20_000


def compute(
    store: Store,
    *,
    progress: Progress | None = None,
    families: tuple[str, ...] = (*FAMILIES, SPEND),
    workers: int | None = None,
) -> stored.Run:
    """Compute every figure afresh and replace the stored ones; the run, with how long it
    took. ``families``: all of them, unless a benchmark times one apart. Processes are read
    and measured by worker processes (one a core, or ``workers``), a range of ocids each, while
    this one merges their counts and spools their items; the figures are summed by a worker
    while this one writes the items."""
    started = time.perf_counter()
    chosen = settings()
    stop = log_size(store)
    platform = stored.platform_seqs(store, stop)
    withdrawn = stored.withdrawn_seqs(store, stop)
    newest = stored.log_time_at(store, stop - 1) if stop else None
    as_of = as_of_day(newest)
    context = store_flags.context(store) if RED_FLAGS in families else None
    spend_rows = _spend_rows(store, stop) if SPEND in families else []
    computation = Computation(as_of, context, chosen, families)
    # What forked workers start with, never sent to them: the context can be large.
    _SHARED["state"] = (as_of, context, chosen, families, platform, withdrawn, stop)
    try:
        with tempfile.TemporaryFile() as spool, Pool(workers) as pool:
            executor = pool.executor() if stop >= PARALLEL_FROM_RELEASES else None
            if executor is None:
                with reading(store):
                    lines = _measure_range(store, computation, None, None, progress)
                spool.write(lines)
            else:
                bounds = stored.process_bounds(store, BATCH_PROCESSES)
                _measure_in_parallel(executor, bounds, computation, spool, progress)
            for row in computation.finish():
                spool.write(orjson.dumps(row.as_tuple()) + b"\n")
            spool.seek(0)
            summed = (
                executor.submit(_figure_rows, computation.tally) if executor is not None else None
            )
            run = stored.Run(
                id=0,
                log_size=stop,
                as_of=as_of.isoformat(),
                computed_time=format_log_time(datetime.now(UTC)),
                seconds=time.perf_counter() - started,
                methods=METHODS,
                summary=computation.summary(),
            )
            counted = (
                summed.result if summed is not None else lambda: _figure_rows(computation.tally)
            )
            # the spend coverage figures beside those of the processes
            stored.save(store, run, _spooled(spool), lambda: [*counted(), *spend_rows])
            if executor is not None:  # a large run: the figures' tables were rewritten whole
                refresh_statistics(store)
    finally:
        _SHARED.clear()
    return run


_SHARED: dict[str, tuple] = {}


def _measure_in_parallel(executor, bounds, computation, spool, progress) -> None:
    """Every range of processes measured by the workers; their counts merged and their items
    spooled in ocid order (the order of the ranges)."""
    waiting: deque[Future] = deque()
    ranges = zip([None, *bounds], [*bounds, None], strict=True)
    for low, high in ranges:
        waiting.append(executor.submit(_measure_batch, low, high))
        while len(waiting) >= BATCHES_IN_FLIGHT:
            _collect(waiting.popleft().result(), computation, spool, progress)
    while waiting:
        _collect(waiting.popleft().result(), computation, spool, progress)


def _collect(done: tuple[Partial, bytes], computation, spool, progress) -> None:
    partial, lines = done
    computation.merge(partial)
    spool.write(lines)
    if progress is not None:
        progress(computation.processes)


def _measure_batch(low: str | None, high: str | None) -> tuple[Partial, bytes]:
    """In a worker: the processes of one range of ocids, read by the worker itself and
    measured by a computation of its own."""
    if "store" not in _WORKER:
        own_connection()
        _WORKER["store"] = Store()
    as_of, context, chosen, families, *_ = _SHARED["state"]
    computation = Computation(as_of, context, chosen, families)
    with reading(_WORKER["store"]):
        lines = _measure_range(_WORKER["store"], computation, low, high)
    return computation.partial(), lines


_WORKER: dict[str, Store] = {}  # a worker's own store, opened on its first range


def _measure_range(
    store: Store,
    computation: Computation,
    low: str | None,
    high: str | None,
    progress: Progress | None = None,
) -> bytes:
    """The processes of a range of ocids through ``computation``; their items' lines."""
    *_, platform, withdrawn, stop = _SHARED["state"]
    lines = bytearray()
    for ocid, rows in stored.processes(store, stop, withdrawn=withdrawn, low=low, high=high):
        process = Process(ocid, tuple(_release(row, platform) for row in rows))
        for row in computation.add(process):
            lines += orjson.dumps(row.as_tuple())
            lines += b"\n"
        if progress is not None and computation.processes % 1000 == 0:
            progress(computation.processes)
    return bytes(lines)


def _spend_rows(store: Store, stop: int) -> list[tuple]:
    """The spend coverage figures (openbook.standards.metrics.spend) of the payments whose
    newest statement is below ``stop``, as the last linking run linked them."""
    groups = stored_spend.groups(store, stop=stop)
    return [figure_row(f) for f in spend_figures(groups, stored_spend.body_names(store))]


def _figure_rows(tally: Tally) -> list[tuple]:
    """The figures of a tally as stored (in a worker, while the items are written)."""
    return [figure_row(figure) for figure in figures_of_tally(tally)]


def _release(row: stored.ReleaseRow, platform: set[int]) -> Release:
    seq, log_time, publisher, body = row
    parsed = orjson.loads(body)
    return Release(
        seq, log_time, publisher, seq in platform, parsed if isinstance(parsed, dict) else {}
    )


def _spooled(spool: IO[bytes]) -> Iterator[tuple]:
    for line in spool:
        yield tuple(orjson.loads(line))


# Reading the figures (the API, the CLI and the reports) ------------------------------------


class MetricsError(Exception):
    """A question about the figures that has no answer: an unknown metric or period."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


OUTCOMES = figures_module.OUTCOMES
# Subjects as the API names them: everyone, central government, or an authority's key.
EVERYONE = figures_module.EVERYONE
CENTRAL = figures_module.CENTRAL


def known_metric(metric: str) -> None:
    if metric not in METRICS:
        raise MetricsError(
            "metric", f"{metric[:60]!r} is not a metric; the metrics are listed at /api/metrics"
        )


def known_period(period: str) -> None:
    if not figures_module.is_period(period):
        raise MetricsError(
            "period",
            f"{period[:40]!r} is not a period: give all, a year (2023), a half-year "
            "(2023-H1) or a month (2023-04)",
        )


def overview(store: Store) -> dict:
    """What is measured, and the run the figures are from (None before the first run)."""
    run = stored.latest_run(store)
    return {
        "run": run.as_dict() if run else None,
        "metrics": [metric.as_dict() for metric in METRICS.values()],
    }


def figure_dict(figure: stored.StoredFigure) -> dict:
    metric = METRICS.get(figure.metric)
    return {
        "metric": figure.metric,
        "subject": figure.subject,
        "subjectName": figure.subject_name,
        "period": figure.period,
        "for": figure.for_count,
        "against": figure.against_count,
        "excluded": figure.excluded_count,
        "pending": figure.pending_count,
        "value": figure.value,
        "target": metric.target if metric else None,
        "againstShare": figure.against_count / (figure.for_count + figure.against_count)
        if figure.for_count + figure.against_count
        else None,
        "met": None
        if metric is None or metric.target is None or figure.value is None
        else figure.value >= metric.target,
        "breakdown": figure.extra,
    }


def figures_of(store: Store, metric: str, *, subject: str | None, period: str) -> dict:
    """A metric's figures for one period: everyone's, central government's and each
    authority's, or one subject's."""
    known_metric(metric)
    known_period(period)
    run = stored.latest_run(store)
    found = stored.figures(store, metric=metric, subject=subject, periods=[period])
    return {
        "metric": METRICS[metric].as_dict(),
        "period": period,
        "run": run.as_dict() if run else None,
        "figures": [figure_dict(figure) for figure in found],
    }


def latest_figure(store: Store, metric: str) -> dict | None:
    """Everyone's figure for the newest half-year that has something counted for or against
    (the home page's headline); None before the first run or when nothing counts yet."""
    halves = [
        figure
        for figure in stored.figures(store, metric=metric, subject=EVERYONE)
        if figures_module.is_half(figure.period) and figure.for_count + figure.against_count
    ]
    if not halves:
        return None
    newest = max(halves, key=lambda figure: figure.period)
    return {**figure_dict(newest), "title": METRICS[metric].title}


def period_days(period: str) -> tuple[str, str] | None:
    """The first and last day of a period; None for all."""
    if period == figures_module.ALL:
        return None
    year = period[:4]
    if len(period) == 4:
        return f"{year}-01-01", f"{year}-12-31"
    if period.endswith("H1"):
        return f"{year}-01-01", f"{year}-06-30"
    if period.endswith("H2"):
        return f"{year}-07-01", f"{year}-12-31"
    return f"{period}-01", f"{period}-31"  # days compare as text: no month has a 32nd


def items_of(
    store: Store,
    metric: str,
    *,
    subject: str | None,
    period: str,
    outcomes: list[str],
    after: int,
    limit: int,
) -> dict:
    """A page of the items behind a figure: the procurements, awards, contracts or notices
    it counts, with why; ``next`` is the ``after`` of the next page."""
    known_metric(metric)
    known_period(period)
    page = stored.items(
        store,
        metric=metric,
        subject=None if subject == EVERYONE else subject,
        days=period_days(period),
        outcomes=outcomes or list(OUTCOMES),
        after=after,
        limit=limit + 1,
    )
    shown = page[:limit]
    return {
        "metric": metric,
        "period": period,
        "items": [item_dict(item) for item in shown],
        "next": shown[-1].id if len(page) > limit else None,
    }


def item_dict(item: stored.StoredItem) -> dict:
    return {
        "metric": item.metric,
        "subject": item.subject,
        "centralGovernment": item.central,
        "ocid": item.ocid,
        "item": item.item,
        "day": item.day,
        "outcome": item.outcome,
        "detail": item.detail,
    }


def process_items(store: Store, ocid: str) -> dict:
    """Every item of one process: how it counts in each milestone, its failed data-quality
    checks and its red flags."""
    return {
        "ocid": ocid,
        "items": [item_dict(item) for item in stored.items_of_process(store, ocid)],
    }
