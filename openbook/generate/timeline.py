"""Process plans: what each contracting process buys, and when each of its notices is published.

A plan is drawn whole from the run's seed and the process key; ``Process.events`` lists its
notices in publication order, with the awards (``Group``) they are about.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TYPE_CHECKING

from openbook.generate import thresholds
from openbook.generate.clock import DAY
from openbook.generate.draws import lognormal, noise, pick, round_estimate
from openbook.generate.organisations import SUPPLIERS
from openbook.generate.prose import title, wording
from openbook.generate.vocabulary import CPV, FIRST_NAMES, PLACES, SURNAMES

if TYPE_CHECKING:
    from openbook.generate.stream import Generator

OCID_PREFIX = "ocds-openbk"
"""Ocids are ``ocds-openbk-gen-00000042``; call-offs under framework 42 add ``-c01`` to its own."""

# Notices due within 30 days beginning with a day (the contract's signature, s.53(2); its end,
# s.80(3)) are published 1 to 25 days after it when on time: moved to the next working day
# (three days later at most, over a weekend) they are still on time.
ON_TIME_DAYS = 24

KEY_BITS = 32  # process keys: top-level number * 64 + call-off number (0 for the process itself)
CALL_OFFS = 64


class Event:
    """A notice to publish: ``group`` is the award it is about, ``sub`` the change or year."""

    __slots__ = ("code", "corrects", "group", "sub", "ts")

    def __init__(
        self, ts: int, code: str, group: int = 0, sub: int = 0, corrects: Event | None = None
    ) -> None:
        self.ts, self.code, self.group, self.sub, self.corrects = ts, code, group, sub, corrects


def _published(event: Event) -> int:
    return event.ts


class Group:
    """Lots awarded together: one award (UK6), one contract (UK7) and what follows it."""

    __slots__ = (
        "agreed",
        "changes",
        "count",
        "decided",
        "end",
        "lots",
        "signed",
        "start",
        "suppliers",
        "terminated",
        "value",
    )

    def __init__(self) -> None:
        self.lots: list[str] = []  # the lots awarded together
        self.suppliers: list[int] | None = None  # drawn when first shown: see Process.winner
        self.count = 1
        self.agreed = 0  # the end date first agreed, before any change or early end
        self.changes: list[tuple[int, float, int]] = []  # (date, new value, new end)
        self.value = 0.0
        self.decided = self.signed = self.start = self.end = 0
        self.terminated = False


def assessed(group: Group, event: Event) -> tuple[int, int]:
    """The period a UK9 assesses: year ``event.sub`` of the contract, or for a one-off
    assessment (sub 0) the contract from its start to the day before the notice; never past
    the contract's end. Over by the notice's day, as s.71(2) has it: an assessment reports
    performance that has happened."""
    if event.sub:
        start = group.start + (event.sub - 1) * 365 * DAY
        end = start + 365 * DAY
    else:
        start, end = group.start, event.ts - DAY
    return start, min(end, group.end)


class Process:
    """One contracting process, planned whole from its own seed whenever one of its notices is due.

    The generator keeps only a few recent plans and rebuilds the others (planning draws a few
    dozen numbers), and a release depends on the plan alone, so output never depends on that cache.
    ``notices.build_release`` makes each notice's release from the plan.
    """

    __slots__ = (
        "above",
        "buyer",
        "calloffs",
        "category",
        "contact",
        "cpv",
        "events",
        "framework",
        "gen",
        "gross",
        "groups",
        "key",
        "light_touch",
        "lots",
        "net",
        "ocid",
        "parent",
        "procedure",
        "reference",
        "sme",
        "tender_end",
        "tender_start",
        "title",
        "vcse",
        "wording",
    )

    def __init__(self, gen: Generator, key: int) -> None:
        number, call_off = divmod(key, CALL_OFFS)
        self.gen, self.key = gen, key
        self.ocid = f"{OCID_PREFIX}-gen-{number:08d}" + (f"-c{call_off:02d}" if call_off else "")
        self.events: list[Event] = []
        self.groups: list[Group] = []
        self.lots: list[tuple[str, str, float]] = []
        self.calloffs: list[int] = []
        self.parent: Process | None = None
        self.framework = False
        draw = random.Random(gen.seed * (1 << 40) + key).random
        self.wording = wording(draw())
        if call_off:
            self._plan_call_off(draw, gen.plan(number * CALL_OFFS), call_off)
        else:
            self._plan(draw, gen.arrival(number) if gen.admitting != number else gen.admitted)
        self._settle()

    def winner(self, group: int, place: int) -> int:
        """The supplier in ``place`` on award ``group``: a few suppliers win often, most rarely."""
        return int(SUPPLIERS[self.category] * noise(self.gen.seed, self.key, group, place) ** 3)

    # -- planning --------------------------------------------------------------------------

    def _common(self, draw: Callable[[], float]) -> None:
        buyers = self.gen.buyers
        self.buyer = buyer = buyers[int(len(buyers) * draw() ** 2.2)]
        first, last = pick(draw, FIRST_NAMES), pick(draw, SURNAMES)
        email = (
            f"{first.lower()}.{last.lower()}@{buyer.domain}"
            if draw() < 0.55
            else f"procurement@{buyer.domain}"
        )
        phone = f"+44 {1130 + int(draw() * 1800)} {100000 + int(draw() * 900000)}"
        self.contact = (f"{first} {last}", email, phone if draw() < 0.6 else None)
        self.reference = f"{buyer.reference}{100 + int(draw() * 9900)}"

    def _estimate(self, draw: Callable[[], float], median: float) -> None:
        ca_type = self.buyer.ca_type
        floor = thresholds.floor(ca_type)
        gross = lognormal(draw, median, 1.75)
        for _ in range(3):
            if gross >= floor:
                break
            gross = lognormal(draw, median, 1.75)
        if gross < floor:
            gross = floor * (1 + draw())
        self.gross = gross = round_estimate(draw, gross)
        self.net = round(gross / 1.2, 2)  # VAT at 20 per cent
        self.above = gross >= thresholds.threshold(self.category, self.light_touch, ca_type)

    def _plan(self, draw: Callable[[], float], arrival: int) -> None:
        self._common(draw)
        self._what(draw, arrival)
        tender = self._before_tender(draw, arrival)
        if not self._tendering(draw, tender):
            return
        self._lots(draw)
        self._award(draw, self.tender_end)
        if self.framework:
            clock = self.gen.clock
            first = min(group.signed for group in self.groups) + 7 * DAY
            last = max(group.end for group in self.groups)
            count = min(CALL_OFFS - 1, 1 + int(lognormal(draw, 4, 0.7)))
            self.calloffs = sorted(
                clock.working(first + int(draw() * (last - first))) for _ in range(count)
            )

    def _what(self, draw: Callable[[], float], arrival: int) -> None:
        """What is bought, for how much, how: category, CPV codes, estimate, procedure."""
        roll = draw()
        self.category = category = (
            "services" if roll < 0.55 else "goods" if roll < 0.82 else "works"
        )
        codes = CPV[category]
        main = codes[int(len(codes) * draw() ** 1.6)]
        roll = draw()  # items per tender in the Contracts Finder sample: 1 (73%), 2 (18%), 3
        self.cpv = [main]
        for _ in range(0 if roll < 0.73 else 1 if roll < 0.91 else 2):
            code = pick(draw, codes)
            if code not in self.cpv:
                self.cpv.append(code)
        self.light_touch = (
            category == "services" and main[0][:2] in thresholds.LIGHT_TOUCH_DIVISIONS
        )
        self.framework = draw() < 0.06
        median = {"goods": 110_000, "services": 150_000, "works": 450_000}[category]
        self._estimate(draw, median * (8 if self.framework else 1))
        above = self.above
        if self.framework:
            self.procedure = "flexible" if draw() < 0.35 else "open"
        elif not above:
            self.procedure = "below"
        else:
            roll = draw()
            self.procedure = "direct" if roll < 0.08 else "flexible" if roll < 0.38 else "open"
        self.sme = draw() < (0.4 if above else 0.7)
        self.vcse = draw() < (0.35 if category == "services" else 0.08)
        self.title = title(draw, self, arrival)

    def _before_tender(self, draw: Callable[[], float], arrival: int) -> int:
        """Pipeline, engagement and planned procurement notices; returns the tender's time."""
        clock, events, above = self.gen.clock, self.events, self.above
        pre: list[tuple[float, str]] = []
        if self.procedure != "direct":
            if above and ((self.gross >= 2_000_000 and draw() < 0.4) or draw() < 0.05):
                pre.append((120 + 330 * draw(), "UK1"))
            if draw() < (0.35 if above else 0.06):
                pre.append((30 + 170 * draw(), "UK2"))
            if above and draw() < 0.15:
                pre.append((40 + 290 * draw(), "UK3"))
        lead = max((days for days, _ in pre), default=0.0)
        tender = clock.working(arrival + int(lead * DAY)) if pre else arrival
        for days, code in pre:
            ts = arrival if days == lead else clock.working(tender - int(days * DAY))
            events.append(Event(ts, code))
            if draw() < 0.05:  # an edited planning notice: a new version, a new release
                fix = ts + int((1 + 19 * draw()) * DAY)
                if fix < tender:
                    events.append(Event(clock.working(fix), code, corrects=events[-1]))
            # A second UK2 reports on the engagement once done; a UK1 is repeated in the next
            # year's pipeline while the procurement is still ahead.
            again = ts + int((120 if code == "UK1" else 20) * DAY * (1 + draw()))
            if code in ("UK1", "UK2") and draw() < 0.45 and again < tender - 7 * DAY:
                events.append(Event(clock.working(again), code, sub=1))
        return tender

    def _tendering(self, draw: Callable[[], float], tender: int) -> bool:
        """The tender or transparency notice and its edits; False if the procurement ends there."""
        clock, events, above = self.gen.clock, self.events, self.above
        self.tender_start = tender
        days = 25 + 20 * draw() if above else 10 + 20 * draw()
        self.tender_end = end = tender + int(days * DAY)
        events.append(Event(tender, "UK5" if self.procedure == "direct" else "UK4"))
        corrections = 0 if self.procedure == "direct" or draw() >= 0.2 else 1 + (draw() < 0.25)
        for _ in range(corrections):  # edited tender notices: clarified documents, new deadlines
            fix = tender + int((1 + (days - 4) * draw()) * DAY)
            events.append(Event(clock.working(fix), "UK4", corrects=events[-1]))
        if self.procedure != "direct" and draw() < (0.05 if above else 0.04):
            events.append(Event(clock.working(end + int((5 + 55 * draw()) * DAY)), "UK12"))
            return False
        return True

    def _lots(self, draw: Callable[[], float]) -> None:
        share = 0.45 if self.framework else 0.22 if self.above else 0.06
        if draw() >= share:
            return
        count = 2
        while count < 12 and draw() < 0.45:
            count += 1
        weights = [draw() + 0.2 for _ in range(count)]
        total = sum(weights)
        place = self.buyer.place[0]
        for index, weight in enumerate(weights):
            name = self.cpv[index % len(self.cpv)][1].split(",")[0]
            if index % 2:
                name += f" - {PLACES[(self.buyer.index + index) % len(PLACES)][0]}"
            else:
                name += f" ({place})"
            self.lots.append(
                (str(index + 1), f"Lot {index + 1}: {name}", round(self.net * weight / total, 2))
            )

    def _award(self, draw: Callable[[], float], tender_end: int) -> None:
        lots = [lot[0] for lot in self.lots]
        if not lots:
            batches: list[list[str]] = [[]]
        elif draw() < 0.55:
            batches = [lots]
        else:
            batches = [[lot] for lot in lots]
        net_by_lot = {lot[0]: lot[2] for lot in self.lots}
        decided = tender_end + int((20 + 80 * draw()) * DAY)
        for batch in batches:
            group = Group()
            group.lots = batch
            estimate = sum(net_by_lot[lot] for lot in batch) if batch else self.net
            group.value = round(estimate * lognormal(draw, 0.95, 0.18), 2)
            if self.framework:
                group.count = (3 + int(10 * draw())) * max(1, len(batch))
            else:
                group.count = 1 if draw() < 0.96 else 2
            group.decided = decided
            self._contract(draw, group)
            self.groups.append(group)
            decided += int(60 * draw() * DAY)

    def _contract(self, draw: Callable[[], float], group: Group) -> None:
        """Sign, run, change and end one contract, and plan the notices that tell of it."""
        # signed after the standstill period of 8 working days (section 51)
        group.signed = group.decided + int((13 + 30 * draw()) * DAY)
        group.start = group.signed + int(30 * draw() * DAY)
        if self.framework:
            months = 24 + 24 * draw()  # frameworks last at most four years (section 47)
        else:
            months = 12 + 48 * draw() if self.category == "services" else 6 + 30 * draw()
        group.end = group.agreed = group.start + int(months * 30.44 * DAY)
        self._award_notices(draw, group)
        self._after_signature(draw, group)

    def _award_notices(self, draw: Callable[[], float], group: Group) -> None:
        """UK6 and UK7, some late, a few never published, some edited."""
        clock, events, above = self.gen.clock, self.events, self.above
        index = len(self.groups)
        published = above and (self.procedure != "direct" or draw() < 0.6)
        if published and draw() >= 0.04:  # a few award notices are never published
            ts = group.decided + int(3 * draw() * DAY)
            if draw() < 0.05:  # late: months after the decision
                ts += int((60 + 240 * draw()) * DAY)
            events.append(Event(clock.working(ts), "UK6", index))
            if draw() < 0.04:
                fix = clock.working(ts + int((1 + 9 * draw()) * DAY))
                events.append(Event(fix, "UK6", index, corrects=events[-1]))
        if draw() >= (0.07 if above else 0.15):
            ts = group.signed + int((1 + ON_TIME_DAYS * draw()) * DAY)
            if draw() < 0.08:
                ts += int((60 + 340 * draw()) * DAY)
            events.append(Event(clock.working(ts), "UK7", index))
            if draw() < (0.25 if above else 0.05):  # edited to attach the signed contract
                fix = clock.working(ts + int((2 + 28 * draw()) * DAY))
                events.append(Event(fix, "UK7", index, corrects=events[-1]))

    def _after_signature(self, draw: Callable[[], float], group: Group) -> None:
        """Changes (UK10), performance (UK9) and the end of the contract (UK11)."""
        clock, events, above = self.gen.clock, self.events, self.above
        index, end = len(self.groups), group.end
        if above and draw() < 0.3:
            when, value = group.start, group.value
            for _ in range(1 if draw() < 0.7 else 2):
                when += int((0.2 + 0.4 * draw()) * (end - when))
                value = round(value * (1.03 + 0.22 * draw()), 2)
                if draw() < 0.6:
                    end += int((3 + 9 * draw()) * 30.44 * DAY)
                group.changes.append((when, value, end))
                events.append(Event(clock.working(when), "UK10", index, len(group.changes) - 1))
        # UK9: a year of KPIs assessed after it ends (sub: the year), or one assessment of the
        # contract so far (sub 0); either way of a period over by the notice (s.71(2)).
        assessments = len(events)
        if above and group.value * 1.2 > 5_000_000:  # KPIs over £5 million (sections 52 and 71)
            for year in range(1, int((end - group.start) / (365 * DAY)) + 1):
                if draw() < 0.75:
                    ts = group.start + int((365 * year + 45 * draw()) * DAY)
                    events.append(Event(clock.working(ts), "UK9", index, year))
        elif above and draw() < 0.04:  # a breach or a failure to perform, reported once
            ts = group.start + int((0.2 + 0.6 * draw()) * (end - group.start))
            events.append(Event(clock.working(ts), "UK9", index, 0))
        if draw() < 0.04:
            group.terminated = True
            end = group.start + int((0.1 + 0.8 * draw()) * (end - group.start))
            # A contract ended early has no year to assess begun after its end (a one-off
            # assessment stops at the end: see ``assessed``).
            events[assessments:] = [
                event
                for event in events[assessments:]
                if not event.sub or group.start + (event.sub - 1) * 365 * DAY < end
            ]
        group.end = end
        if draw() < (0.7 if above else 0.2):  # section 80: within 30 days of the end
            ts = end + int((1 + ON_TIME_DAYS * draw()) * DAY)
            events.append(Event(clock.working(ts), "UK11", index))

    def _plan_call_off(self, draw: Callable[[], float], parent: Process, number: int) -> None:
        arrival = parent.calloffs[number - 1]
        self.parent = parent
        self._common(draw)
        self.category, self.cpv, self.light_touch = parent.category, parent.cpv, parent.light_touch
        self._estimate(draw, parent.gross / max(1, len(parent.calloffs)) * 0.6)
        self.procedure = "calloff"
        self.sme, self.vcse = parent.sme, parent.vcse
        self.title = f"{parent.cpv[0][1].split(',')[0]} for {self.buyer.name} (call-off)"
        self.tender_start = self.tender_end = arrival
        group = Group()
        chosen = int(draw() * len(parent.groups))
        group.suppliers = [parent.winner(chosen, int(draw() * parent.groups[chosen].count))]
        group.value = round(self.net * lognormal(draw, 1.0, 0.1), 2)
        decision = 3 + 17 * draw()  # days from the decision to the call-off's first notice
        signing, starting, months = draw(), 20 * draw(), 3 + 21 * draw()
        group.decided = arrival - int(decision * DAY)
        events, clock = self.events, self.gen.clock
        if self.above and draw() < 0.75:
            group.signed = group.decided + int((1 + 14 * signing) * DAY)
            events.append(Event(arrival, "UK6", 0))
            ts = max(group.signed, arrival) + int((1 + ON_TIME_DAYS * draw()) * DAY)
            events.append(Event(clock.working(ts), "UK7", 0))
        else:
            # The contract details notice is the call-off's first: it follows the contract's
            # entry into (s.53(1), s.87(3)), so the contract was signed days before it.
            group.signed = group.decided + int((1 + (decision - 2) * signing) * DAY)
            events.append(Event(arrival, "UK7", 0))
        group.start = group.signed + int(starting * DAY)
        group.end = group.agreed = group.start + int(months * 30.44 * DAY)
        self.groups.append(group)
        if draw() < (0.6 if self.above else 0.1):
            ts = group.end + int((1 + ON_TIME_DAYS * draw()) * DAY)
            events.append(Event(clock.working(ts), "UK11", 0))

    def _settle(self) -> None:
        """Order the notices by publication; a process never publishes two in the same minute."""
        events = self.events
        events.sort(key=_published)  # stable: a correction stays after what it corrects
        del events[255:]
        previous = events[0].ts - 60
        for event in events:
            if event.ts <= previous:
                event.ts = previous + 60
            previous = event.ts
