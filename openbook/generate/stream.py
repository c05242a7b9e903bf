"""A run's releases in publication order, generated as they are read in flat memory.

Between its notices the generator holds one integer for each process (next publication time,
process, step) and rebuilds the plan when that notice is due, keeping only bounded caches of
plans and supplier parties.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import orjson

from openbook.generate.clock import DAY, Clock
from openbook.generate.draws import noise
from openbook.generate.notices import build_release
from openbook.generate.organisations import Buyer, supplier
from openbook.generate.timeline import CALL_OFFS, KEY_BITS, Process

PLANS_KEPT = 8192  # plans kept between notices (about 2 KB each), for speed
PARTIES_KEPT = 8192  # encoded supplier parties kept (about 700 bytes each)
DEFAULT_START = date(2025, 2, 24)  # the Procurement Act 2023 and its UK1-UK17 notices commence
# About 100,000 processes a year: Find a Tender and Contracts Finder together.
PROCESSES_PER_WORKING_DAY = 400
MIN_SPAN_WORKING_DAYS = 250  # small runs still spread over a year, so lifecycles interleave


class Generator:
    """Merges the processes' notices by publication time; ``part`` of ``parts`` takes every
    ``parts``-th process (call-offs go with their framework), for writing in parallel."""

    def __init__(
        self,
        processes: int,
        seed: int,
        start: date,
        part: int = 0,
        parts: int = 1,
        *,
        until: int | None = None,
        span: int | None = None,
    ):
        self.processes, self.seed = processes, seed
        self.until = until  # UTC seconds: no release published after it
        self.part, self.parts = part, parts
        self.clock = Clock()
        rng = random.Random(seed * (1 << 40) + (1 << 39))
        taken: dict[str, str] = {}  # identifier: name
        self.buyers = [Buyer(rng, index, taken) for index in range(600)]
        span = span or arrival_span(processes)
        self._step = span * 36_000 / max(1, processes)  # working seconds between arrivals
        first = start + timedelta(days=max(0, 7 - start.weekday()) if start.weekday() >= 5 else 0)
        self._monday = (first - date(1970, 1, 1)).days - first.weekday()
        self._weekday = first.weekday()
        self.admitting, self.admitted = -1, 0  # the process being admitted, and its arrival
        self._plans: dict[int, tuple[Process, int]] = {}
        self._furthest: list[tuple[int, int]] = []
        self._parties: dict[tuple[str, int], bytes] = {}

    def arrival(self, number: int) -> int:
        """When process ``number`` publishes its first notice: increases with the number."""
        position = int((number + noise(self.seed, number)) * self._step)
        days, second = divmod(position, 36_000)
        weeks, weekday = divmod(days + self._weekday, 5)
        day = self._monday + weeks * 7 + weekday
        return day * DAY + 8 * 3600 + second - self.clock.summer(day)

    def plan(self, key: int, step: int | None = None) -> Process:
        """The plan of process ``key``, rebuilt unless kept.

        After publishing ``step``, a plan is kept while its next notice is among the soonest due
        (Belady's rule: drop the plan needed furthest in the future). ``step=None`` only looks.
        """
        entry = self._plans.get(key)
        plan = entry[0] if entry is not None else Process(self, key)
        if step is None:
            return plan
        if step + 1 < len(plan.events):
            due = plan.events[step + 1].ts
            self._plans[key] = (plan, due)
            heapq.heappush(self._furthest, (-due, key))
            if len(self._plans) > PLANS_KEPT:
                self._forget()
        elif entry is not None:
            del self._plans[key]
        return plan

    def _forget(self) -> None:
        furthest, plans = self._furthest, self._plans
        if len(furthest) > 2 * PLANS_KEPT:  # drop stale entries now and then
            furthest[:] = [(-due, key) for key, (_, due) in plans.items()]
            heapq.heapify(furthest)
        while len(plans) > PLANS_KEPT:
            due, key = heapq.heappop(furthest)
            entry = plans.get(key)
            if entry is not None and entry[1] == -due:
                del plans[key]

    def supplier_party(self, category: str, index: int, roles: list[str]) -> dict[str, Any]:
        encoded = self._parties.get((category, index))
        if encoded is None:
            # copied: orjson's own buffer keeps several kilobytes of spare room
            encoded = bytes(memoryview(orjson.dumps(supplier(self.seed, category, index))))
            if len(self._parties) > PARTIES_KEPT:
                del self._parties[next(iter(self._parties))]
            self._parties[(category, index)] = encoded
        party: dict[str, Any] = orjson.loads(encoded)
        party["roles"] = roles
        return party

    def entries(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """Yield ``(order, release)``: ``order`` sorts by publication time, process and step."""
        heap: list[int] = []
        mask = (1 << KEY_BITS) - 1
        number = self.part
        arrival = self.arrival(number) if number < self.processes else 0
        while True:
            if number < self.processes and (not heap or arrival <= heap[0] >> 40):
                key = number * CALL_OFFS
                self.admitting, self.admitted = number, arrival
                plan = self.plan(key, -1)
                heapq.heappush(heap, plan.events[0].ts << 40 | key << 8)
                for index, ts in enumerate(plan.calloffs, 1):
                    heapq.heappush(heap, ts << 40 | (key + index) << 8)
                number += self.parts
                if number < self.processes:
                    arrival = self.arrival(number)
                continue
            if not heap:
                return
            entry = heapq.heappop(heap)
            if self.until is not None and entry >> 40 > self.until:
                # Publication order: every notice still due (and every process not yet
                # arrived, which arrives later still) is published after ``until`` too.
                return
            key, step = (entry >> 8) & mask, entry & 0xFF
            plan = self.plan(key, step)
            yield entry, build_release(plan, step)
            if step + 1 < len(plan.events):
                heapq.heappush(heap, plan.events[step + 1].ts << 40 | key << 8 | (step + 1))


class Releases(Iterator[dict[str, Any]]):
    """The releases of one run, generated as they are read; ``write_jsonl`` can split the work."""

    def __init__(
        self,
        processes: int,
        seed: int,
        start: date,
        until: int | None = None,
        span: int | None = None,
    ) -> None:
        self.processes, self.seed, self.start, self.until = processes, seed, start, until
        self.span = span
        self._entries: Iterator[tuple[int, dict[str, Any]]] | None = None

    def generator(self, part: int = 0, parts: int = 1) -> Generator:
        return Generator(
            self.processes, self.seed, self.start, part, parts, until=self.until, span=self.span
        )

    def __next__(self) -> dict[str, Any]:
        if self._entries is None:
            self._entries = self.generator().entries()
        return next(self._entries)[1]

    @property
    def started(self) -> bool:
        return self._entries is not None


def generate_releases(
    processes: int,
    seed: int,
    start: date | None = None,
    until: datetime | None = None,
    *,
    span: int | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield the releases of ``processes`` contracting processes in publication order.

    Deterministic for ``(processes, seed, start, until)``; ``start`` (default 24 February 2025)
    is the first publication day; ``until`` (default none), the last moment anything is
    published: the notices due later are left out, so the processes then still running stop
    where they are, as a real register read that day would show them (``openbook demo``, with
    ``start_ending``). ``span``: the working days over which the processes arrive (publish
    their first notice); by default ``arrival_span``. Call-offs under frameworks come on top of
    ``processes``. Streams in flat memory: see the module docstring.
    """
    if processes < 0:
        raise ValueError(f"processes must be zero or more, not {processes}")
    if processes >= 1 << (KEY_BITS - 6):
        raise ValueError(f"processes must be fewer than {1 << (KEY_BITS - 6)}")
    if until is not None and until.tzinfo is None:
        raise ValueError("until must be an aware datetime (UTC or with an offset)")
    if span is not None and span < 1:
        raise ValueError(f"span must be a working day or more, not {span}")
    moment = None if until is None else int(until.timestamp())
    return Releases(processes, seed, start or DEFAULT_START, moment, span)


def arrival_span(processes: int) -> int:
    """The working days over which a run's processes arrive by default: a day per
    PROCESSES_PER_WORKING_DAY, at least MIN_SPAN_WORKING_DAYS."""
    return max(MIN_SPAN_WORKING_DAYS, math.ceil(processes / PROCESSES_PER_WORKING_DAY))


def start_ending(processes: int, last: date, span: int | None = None) -> date:
    """The start at which a run's processes have all arrived (published their first notice) by
    about ``last``: their arrivals take ``span`` working days (default ``arrival_span``), five
    a week."""
    return last - timedelta(weeks=math.ceil((span or arrival_span(processes)) / 5))
