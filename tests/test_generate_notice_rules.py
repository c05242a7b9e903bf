"""The generator's notices against the UK notice rules, checked as the publish API checks them
(``check_notice`` with the process's earlier releases as history): nothing a notice reports as
past comes after its own date (docs/notices.md, "Dates a notice reports as past"), and notices
the generator means to be on time are (docs/generator.md, "Lifecycles")."""

import re
from collections import Counter, defaultdict
from datetime import date

import pytest

from openbook.generate import generate_releases
from openbook.generate.notices import build_release
from openbook.generate.stream import DEFAULT_START, Generator
from openbook.generate.timeline import CALL_OFFS
from openbook.standards.uk.rules import check_notice

CALL_OFF = re.compile(r"-c\d{2}$")


def _problems(processes: int, seed: int) -> tuple[list[tuple[str, str, str, str]], Counter[str]]:
    """Every problem of a run's releases, as (release id, code, path, severity), and its notices
    by kind: ``UK7 first`` for a call-off whose first notice is its contract details notice,
    ``UK9 so far`` for a one-off performance assessment, ``UK9 year`` for a yearly one."""
    history: dict[str, list[dict]] = defaultdict(list)
    found, kinds = [], Counter()
    for release in generate_releases(processes, seed):
        earlier = history[release["ocid"]]
        code = release["id"].rsplit("-", 2)[-2].upper()
        if code == "UK7" and not earlier and CALL_OFF.search(release["ocid"]):
            kinds["UK7 first"] += 1
        if code == "UK9":
            notes = release["contracts"][0]["implementation"]["metrics"][0]["observations"][0]
            kinds["UK9 year" if "in year" in notes["notes"] else "UK9 so far"] += 1
        kinds[code] += 1
        found += [
            (release["id"], problem.code, problem.path, problem.severity)
            for problem in check_notice(release, earlier)
        ]
        earlier.append(release)
    return found, kinds


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_generated_notice_reports_as_past_what_comes_after_it(seed):
    found, kinds = _problems(500, seed)
    dated = [problem for problem in found if problem[1].startswith("notice.date.")]
    assert not dated, f"{len(dated)} problems, the first: {dated[:5]}"
    # The notices the date rules check are all there: a test of nothing would pass as well.
    assert kinds["UK6"] and kinds["UK7 first"] > 10 and kinds["UK11"]
    assert kinds["UK9 year"] and kinds["UK9 so far"]
    # s.80(3): within 30 days beginning with the day the contract ends. The generator draws
    # late contract details notices on purpose, never late termination notices.
    late = [p for p in found if p[1] == "notice.deadline.contract_termination_late"]
    assert not late, late[:5]
    # s.51(2): each award notice states a standstill of at least 8 working days from its day
    # (a warning: a call-off's notice in 2029, beyond the calendar's bank holidays).
    short = [p for p in found if p[1] == "notice.standstill.stated_too_short" and p[3] == "error"]
    assert not short, short[:5]


def test_every_plan_reports_only_what_has_happened():
    """Many more processes, from their plans (building only the performance notices): each
    contract details notice comes on or after the signature's day, each performance notice
    after the period it assesses ends, and none assesses a period after the contract's end."""
    generator = Generator(4000, 6, DEFAULT_START)
    clock = generator.clock

    def day(ts: int) -> date:
        return date.fromisoformat(clock.day(ts)[:10])

    assessments, terminated = 0, 0
    for number in range(4000):
        plan = generator.plan(number * CALL_OFFS)
        calloffs = range(number * CALL_OFFS + 1, number * CALL_OFFS + len(plan.calloffs) + 1)
        for each in [plan, *(generator.plan(key) for key in calloffs)]:
            for step, event in enumerate(each.events):
                if event.code == "UK7":
                    assert day(each.groups[event.group].signed) <= day(event.ts), each.ocid
                if event.code != "UK9":
                    continue
                group = each.groups[event.group]
                contract = build_release(each, step)["contracts"][0]
                for metric in contract["implementation"]["metrics"]:
                    period = metric["observations"][0]["period"]
                    assert period["startDate"] < period["endDate"], each.ocid
                    assert period["endDate"][:10] <= clock.iso(event.ts)[:10], each.ocid
                    assert period["startDate"][:10] < clock.day(group.end)[:10], each.ocid
                assessments += 1
                terminated += group.terminated
    assert assessments > 200 and terminated
