"""UK notices: notice types, legal regimes and the notice rules, on small hand-written releases.

Each rule has a case that breaks it and a case that keeps it. Dates are counted with a small
calendar written here (weekends and listed holidays), so the golden cases do not depend on the
carried bank holidays; two cases use the package's own calendar across real bank holidays.
"""

import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openbook.standards.uk import rules
from openbook.standards.uk.notices import (
    ACT_NOTICES,
    AUTHORITY,
    EARLIER_FORMS,
    NOTICE_TYPES,
    PA2023,
    PCR2015,
    SCOTLAND,
    AmbiguousNoticeType,
    UnknownNoticeType,
    find_notice_type,
    known_codes,
    legal_regime,
)
from openbook.standards.uk.rules import (
    ANY_REGIME,
    REQUIRED_FIELDS,
    RULE_CODES,
    RULES,
    NoticeProblem,
    check_notice,
)

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
DOCS = ROOT / "docs" / "notices.md"

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not present")


class WeekdayCalendar:
    """A calendar for the golden cases: weekends and ``holidays`` are not working days."""

    def __init__(self, holidays=()):
        self.holidays = set(holidays)

    def london_date(self, moment):
        return moment.astimezone(ZoneInfo("Europe/London")).date()

    def period_end(self, first_day, days, nation):
        assert nation == "united-kingdom"  # the Act's working days (s.123)
        day, counted = first_day, 0
        while True:
            if day.weekday() < 5 and day not in self.holidays:
                counted += 1
                if counted == days:
                    return day
            day += timedelta(days=1)


CALENDAR = WeekdayCalendar()
SECTION_OF = {
    "UK1": "planning",
    "UK2": "planning",
    "UK3": "planning",
    "UK6": "awards",
    "UK7": "contracts",
    "UK8": "contracts",
    "UK9": "contracts",
    "UK10": "contracts",
    "UK11": "contracts",
    "F03": "awards",
}
TAG_OF = {
    "UK1": "planning",
    "UK2": "planning",
    "UK3": "planning",
    "UK6": "award",
    "UK7": "contract",
    "UK8": "implementation",
    "UK9": "implementation",
    "UK10": "contractAmendment",
    "UK11": "contractTermination",
    "UK12": "tenderCancellation",
    "UK14": "award",
    "UK15": "awardUpdate",
    "UK16": "tenderUpdate",
    "F03": "award",
}


def create_notice(code, day, ocid="ocds-b5fd17-000001", **fields):
    """A release carrying notice ``code``, published at 10:00 UK time on ``day`` (YYYY-MM-DD),
    with a buyer and a title, and ``fields`` replacing or adding top-level fields."""
    moment = f"{day}T10:00:00+01:00" if "-04-" <= day[4:8] <= "-10-" else f"{day}T10:00:00Z"
    release = {
        "ocid": ocid,
        "id": f"{ocid}-{code}-{day}",
        "date": moment,
        "tag": [TAG_OF.get(code, "tender")],
        "initiationType": "tender",
        "buyer": {"id": "GB-PPON-PXXX-1234-BCDG", "name": "Example Borough Council"},
        "tender": {"id": "T1", "title": "Grounds maintenance"},
    }
    release.update(fields)
    document = {"id": f"{code}-notice", "documentType": "notice", "noticeType": code}
    section = SECTION_OF.get(code, "tender")
    if section in ("awards", "contracts"):
        entries = release.setdefault(section, [{"id": "1"}])
        entries[0].setdefault("documents", []).append(document)
    else:
        release.setdefault(section, {}).setdefault("documents", []).append(document)
    return release


def create_tender(day="2025-06-02", **tender):
    """A UK4 tender notice with everything the regulations ask for."""
    fields = {
        "id": "T1",
        "title": "Grounds maintenance",
        "value": {"amount": 250000, "currency": "GBP"},
        "tenderPeriod": {"endDate": "2025-07-04T12:00:00+01:00"},
    }
    fields.update(tender)
    return create_notice("UK4", day, tender=fields)


def create_award(day="2025-07-15", **award):
    fields = {
        "id": "1",
        "date": "2025-07-14T09:00:00+01:00",
        "suppliers": [{"id": "GB-PPON-PSUP-0001-BBBB", "name": "Green Spaces Ltd"}],
        "value": {"amount": 240000, "currency": "GBP"},
    }
    fields.update(award)
    return create_notice("UK6", day, awards=[fields])


def create_details(day, signed, **contract):
    fields = {
        "id": "1",
        "awardID": "1",
        "dateSigned": f"{signed}T09:00:00+01:00",
        "value": {"amount": 240000, "currency": "GBP"},
    }
    fields.update(contract)
    return create_notice("UK7", day, contracts=[fields])


def with_buyer_type(release, *classifications):
    release["parties"] = [
        {
            "id": release["buyer"]["id"],
            "name": release["buyer"]["name"],
            "roles": ["buyer"],
            "details": {
                "classifications": [
                    {"scheme": scheme, "id": value} for scheme, value in classifications
                ]
            },
        }
    ]
    return release


def problems(release, history=(), calendar=CALENDAR):
    return check_notice(release, history, calendar=calendar)


def codes(release, history=(), calendar=CALENDAR):
    return [problem.code for problem in problems(release, history, calendar)]


def only(release, history, code, calendar=CALENDAR):
    found = [p for p in problems(release, history, calendar) if p.code == code]
    assert len(found) == 1, found
    return found[0]


# The tables themselves.


def test_the_act_has_seventeen_notice_types_in_order():
    assert [notice.code for notice in ACT_NOTICES] == [f"UK{n}" for n in range(1, 18)]
    assert known_codes(PA2023) == [f"UK{n}" for n in range(1, 18)]
    assert {notice.regime for notice in EARLIER_FORMS} == {PCR2015}


def test_pipeline_and_payments_compliance_belong_to_the_authority():
    assert [n.code for n in ACT_NOTICES if n.level == AUTHORITY] == ["UK1", "UK17"]


@pytest.mark.parametrize("notice", NOTICE_TYPES.values(), ids=lambda n: n.code)
def test_every_notice_type_has_a_citation_and_a_mapping(notice):
    assert re.search(r"(Act 2023, s|Regulations 20\d\d)", notice.requirement), notice
    assert notice.fills, f"{notice.code} names no OCDS section it fills"
    assert notice.release_tags or notice.level == AUTHORITY, f"{notice.code} has no tags"
    assert all(code in NOTICE_TYPES for code in notice.preceded_by)


def test_every_rule_is_well_formed():
    assert len(set(RULE_CODES)) == len(RULE_CODES)
    for rule in RULES:
        assert re.fullmatch(r"(notice|pcr)(\.[a-z_]+){2}", rule.code), rule.code
        assert rule.severity in {"error", "warning"}
        assert rule.regime in {PA2023, PCR2015, ANY_REGIME}
        assert rule.citation and rule.summary
        assert all(code in NOTICE_TYPES for code in rule.notices), rule.code


def test_every_act_notice_lists_the_fields_it_must_carry():
    assert set(REQUIRED_FIELDS) == {notice.code for notice in ACT_NOTICES}
    for requirements in REQUIRED_FIELDS.values():
        assert all(r.citation.startswith("Procurement Regulations 2024, reg") for r in requirements)


def test_the_rules_package_is_the_one_entry_point():
    # Other code imports from openbook.standards.uk.rules only, whichever module a rule is in.
    exported = {"check_notice", "RULES", "RULE_CODES", "NoticeProblem", "REQUIRED_FIELDS"}
    assert exported <= set(rules.__all__)
    assert [name for name in rules.__all__ if not hasattr(rules, name)] == []
    assert {rule.check.__module__ for rule in RULES} <= {
        f"openbook.standards.uk.rules.{name}"
        for name in (
            "notice_type",
            "fields",
            "sequence",
            "standstill",
            "deadlines",
            "dates",
            "periods",
            "parties",
        )
    }


def test_the_docs_mention_every_notice_and_every_rule():
    text = DOCS.read_text("utf-8")
    assert [code for code in NOTICE_TYPES if f"`{code}`" not in text] == []
    assert [code for code in RULE_CODES if f"`{code}`" not in text] == []


# Finding the notice type of a release.


def test_the_notice_type_comes_from_the_documents():
    assert find_notice_type(create_tender()).code == "UK4"
    assert find_notice_type(create_award()).name == "contract award notice"
    assert find_notice_type({"ocid": "x", "tender": {"documents": [{"id": "1"}]}}) is None


def test_an_unknown_notice_type_is_never_guessed():
    release = create_notice("uk4", "2025-06-02")
    with pytest.raises(UnknownNoticeType) as caught:
        find_notice_type(release)
    assert caught.value.code == "uk4"
    assert caught.value.path == "/tender/documents/0/noticeType"


def test_a_release_with_earlier_notices_documents_is_its_own_notice():
    # Find a Tender releases can carry the documents of the procurement's earlier notices.
    release = create_award()
    release["tender"]["documents"] = [
        {"id": "t", "noticeType": "UK4", "datePublished": "2025-06-02T10:00:00+01:00"}
    ]
    release["awards"][0]["documents"][0]["datePublished"] = release["date"]
    assert find_notice_type(release).code == "UK6"
    del release["awards"][0]["documents"][0]["datePublished"]
    release["tender"]["documents"][0]["datePublished"] = release["date"]
    with pytest.raises(AmbiguousNoticeType):
        find_notice_type(release)
    assert find_notice_type(release, frozenset({"UK4"})).code == "UK6"


# Legal regimes.


def test_the_regime_follows_the_start_of_the_procurement():
    assert legal_regime(create_tender("2025-02-24")).regime == PA2023
    before = legal_regime(create_notice("F02", "2025-02-21"))
    assert before.regime == PCR2015
    assert "21 February 2025" in before.reason
    # Once under earlier legislation, always: a later notice stays there.
    after = legal_regime(create_notice("F03", "2025-06-02"), [create_notice("F02", "2025-02-10")])
    assert after.regime == PCR2015
    assert "an earlier notice of this procurement is a F02 contract notice" in after.reason
    assert legal_regime(create_award(), [create_tender()]).regime == PA2023


def test_a_call_off_under_an_earlier_framework_keeps_the_earlier_notices():
    call_off = create_notice(
        "F03", "2025-06-02", relatedProcesses=[{"id": "1", "relationship": ["framework"]}]
    )
    assert legal_regime(call_off).regime == PCR2015
    assert codes(call_off) == []


def test_scottish_devolved_buyers_are_outside_the_act():
    release = with_buyer_type(create_tender(), ("UK_CA_DEVOLVED_REGULATIONS", "GB-SCT"))
    assert legal_regime(release).regime == SCOTLAND
    scottish_form = with_buyer_type(
        create_notice("F02", "2025-06-02"), ("UK_CA_DEVOLVED_REGULATIONS", "GB-SCT")
    )
    assert codes(scottish_form) == []
    assert codes(create_notice("F02", "2025-06-02")) == ["notice.regime.mismatch"]


# The notice type rules.


def test_a_release_without_a_notice_type_is_told_how_to_give_one():
    release = create_tender()
    del release["tender"]["documents"]
    [problem] = problems(release)
    assert (problem.code, problem.path, problem.severity) == ("notice.type.missing", "", "error")
    assert "documents[].noticeType" in problem.message


def test_an_unknown_notice_type_lists_every_known_one():
    [problem] = problems(create_notice("UK18", "2025-06-02"))
    assert problem.code == "notice.type.unknown"
    assert problem.path == "/tender/documents/0/noticeType"
    assert "'UK18' is not a notice type" in problem.message
    for code in NOTICE_TYPES:
        assert re.search(rf"\b{code}\b", problem.message), code


def test_a_release_naming_two_notices_is_ambiguous():
    release = create_tender()
    release["tender"]["documents"].append({"id": "2", "noticeType": "UK5"})
    [problem] = problems(release)
    assert problem.code == "notice.type.ambiguous"
    assert "UK4, UK5" in problem.message


def test_a_notice_of_the_other_regime_is_reported():
    problem = only(create_notice("F02", "2025-06-02"), (), "notice.regime.mismatch")
    assert "Public Contracts Regulations 2015" in problem.message
    assert "started on or after 24 February 2025" in problem.message
    old = create_tender("2024-11-04")
    assert "notice.regime.mismatch" in codes(old)
    assert "notice.regime.mismatch" not in codes(create_tender())


def test_a_tag_that_does_not_match_the_notice_is_a_warning():
    award = create_award()
    award["tag"] = ["tender"]
    problem = only(award, [create_tender()], "notice.tag.unexpected")
    assert (problem.path, problem.severity) == ("/tag", "warning")
    assert "notice.tag.unexpected" not in codes(create_award(), [create_tender()])


# Fields each notice must carry.


def test_missing_fields_are_named_with_their_regulation():
    tender = create_tender()
    del tender["tender"]["title"], tender["tender"]["value"]
    found = [p for p in problems(tender) if p.code == "notice.fields.missing"]
    assert [(p.path, p.citation) for p in found] == [
        ("/tender/title", "Procurement Regulations 2024, regs 18(2)(b), 24(2)(b)"),
        ("/tender/value/amount", "Procurement Regulations 2024, regs 18(2)(g), 24(2)(e)"),
    ]
    assert codes(create_tender()) == []


def test_a_deadline_for_requests_to_participate_is_a_deadline():
    tender = create_tender(tenderPeriod={}, expressionOfInterestDeadline="2025-07-04T12:00:00Z")
    assert "notice.fields.missing" not in codes(tender)


def test_every_award_must_name_its_suppliers():
    award = create_award()
    award["awards"].append({"id": "2", "date": "2025-07-14T09:00:00Z", "value": {"amount": 1}})
    problem = only(award, [create_tender()], "notice.fields.missing")
    assert problem.path == "/awards/1/suppliers"
    assert "reg. 27(2)(e)" in problem.citation


def test_welsh_devolved_procurements_follow_welsh_content_rules():
    tender = with_buyer_type(create_tender(), ("UK_CA_DEVOLVED_REGULATIONS", "GB-WLS"))
    del tender["tender"]["title"]
    assert "notice.fields.missing" not in codes(tender)


# Preliminary market engagement (s.17).

ENGAGED = {"milestones": [{"id": "pme", "type": "engagement", "title": "Supplier day"}]}


def test_engagement_without_a_notice_or_a_reason_is_an_error():
    tender = create_tender()
    tender["planning"] = dict(ENGAGED)
    problem = only(tender, [], "notice.sequence.tender_without_engagement_reason")
    assert problem.path == "/planning/noEngagementNoticeRationale"
    assert problem.citation.startswith("Procurement Act 2023, s.17(1)")


def test_engagement_is_fine_with_a_notice_or_a_reason():
    tender = create_tender()
    tender["planning"] = dict(ENGAGED)
    engagement = create_notice("UK2", "2025-04-01", planning=dict(ENGAGED))
    assert codes(tender, [engagement]) == []
    tender["planning"]["noEngagementNoticeRationale"] = "Engagement was a single site visit."
    assert codes(tender) == []
    assert codes(create_tender()) == []  # no engagement, nothing to say


def test_private_utilities_need_no_engagement_notice_unless_welsh():
    tender = with_buyer_type(create_tender(), ("UK_CA_TYPE", "privateUtility"))
    tender["planning"] = dict(ENGAGED)
    assert codes(tender) == []
    welsh = with_buyer_type(
        create_tender(),
        ("UK_CA_TYPE", "privateUtility"),
        ("UK_CA_DEVOLVED_REGULATIONS", "GB-WLS"),
    )
    welsh["planning"] = dict(ENGAGED)
    assert "notice.sequence.tender_without_engagement_reason" in codes(welsh)


def test_engagement_and_planned_procurement_notices_come_before_the_tender_notice():
    tender = create_tender()
    late_engagement = create_notice("UK2", "2025-06-10")
    problem = only(late_engagement, [tender], "notice.sequence.engagement_after_tender")
    assert problem.severity == "warning"
    late_plan = create_notice("UK3", "2025-06-10")
    assert "notice.sequence.planned_procurement_after_tender" in codes(late_plan, [tender])
    assert codes(create_notice("UK3", "2025-03-03")) == []


# Sequences.


def test_a_contract_award_notice_needs_a_tender_or_transparency_notice_before_it():
    problem = only(create_award(), [], "notice.sequence.award_without_tender_or_transparency")
    assert "No UK4 tender notice or UK5 transparency notice was published" in problem.message
    assert codes(create_award(), [create_tender()]) == []
    transparency = create_notice("UK5", "2025-06-02", tender={"title": "T", "value": {"amount": 1}})
    assert codes(create_award(), [transparency]) == []


def test_a_call_off_under_a_framework_needs_no_tender_notice_of_its_own():
    call_off = create_award()
    call_off["relatedProcesses"] = [{"id": "fw", "relationship": ["framework"]}]
    assert "notice.sequence.award_without_tender_or_transparency" not in codes(call_off)


def test_a_contract_details_notice_needs_an_award_notice_before_it():
    details = create_details("2025-07-30", "2025-07-28")
    only(details, [create_tender()], "notice.sequence.details_without_award")
    assert codes(details, [create_tender(), create_award()]) == []


def test_a_contract_whose_award_no_award_notice_names_is_a_warning():
    history = two_awards("2025-07-01", "2025-07-14")
    lot_three = create_details("2025-07-30", "2025-07-28", id="3", awardID="3")
    problem = only(lot_three, history, "notice.sequence.details_without_award")
    assert problem.severity == "warning"
    assert problem.path == "/contracts/0/awardID"
    assert 'award "3"' in problem.message
    assert 'name award "1", "2"' in problem.message
    assert codes(create_details("2025-07-30", "2025-07-28", id="2", awardID="2"), history) == []
    # A contract naming no award, or award notices naming none, leave nothing to compare.
    assert codes(create_details("2025-07-30", "2025-07-28", awardID=None), history) == []
    unnamed = create_notice("UK6", "2025-07-01", awards=[{"date": "2025-06-30T09:00:00+01:00"}])
    assert "notice.sequence.details_without_award" not in codes(
        lot_three, [create_tender(), unnamed]
    )


def test_below_threshold_contracts_have_details_without_award_notices():
    details = create_details("2025-07-30", "2025-07-28", aboveThreshold=False)
    assert codes(details, [create_tender(aboveThreshold=False)]) == []


def test_a_direct_award_without_notices_may_be_a_user_choice_contract():
    details = create_details("2025-07-30", "2025-07-28")
    details["tender"]["procurementMethod"] = "limited"
    problem = only(details, [], "notice.sequence.details_without_award")
    assert problem.severity == "warning"
    assert "user choice contract" in problem.message


@pytest.mark.parametrize(
    ("code", "needs", "rule"),
    [
        ("UK12", "UK4", "notice.sequence.termination_without_tender_or_transparency"),
        ("UK10", "UK7", "notice.sequence.contract_notice_without_contract"),
        ("UK9", "UK6", "notice.sequence.contract_notice_without_contract"),
        ("UK14", "UK13", "notice.sequence.dynamic_market_without_intention"),
        ("UK16", "UK14", "notice.sequence.dynamic_market_not_established"),
    ],
)
def test_notices_that_need_an_earlier_notice(code, needs, rule):
    notice = create_notice(code, "2025-09-01")
    assert rule in codes(notice)
    assert rule in codes(notice, [create_notice("UK1", "2025-04-01")])
    assert rule not in codes(notice, [create_notice(needs, "2025-06-02")])


# Standstill (s.51).


def test_a_contract_entered_into_during_the_standstill_is_an_error():
    # Published on Tuesday 1 July 2025: 1, 2, 3, 4, 7, 8, 9 and 10 July are the 8 working days.
    history = [create_tender(), create_award("2025-07-01")]
    problem = only(
        create_details("2025-07-15", "2025-07-10"), history, "notice.standstill.entered_too_early"
    )
    assert problem.severity == "error"
    assert problem.path == "/contracts/0/dateSigned"
    assert "runs to the end of 10 July 2025" in problem.message
    assert "from 11 July 2025" in problem.message
    assert codes(create_details("2025-07-15", "2025-07-11"), history) == []


def test_a_bank_holiday_anywhere_in_the_uk_lengthens_the_standstill():
    history = [create_tender(), create_award("2025-07-01")]
    twelfth = WeekdayCalendar(holidays={date(2025, 7, 4)})
    details = create_details("2025-07-15", "2025-07-11")
    assert "notice.standstill.entered_too_early" in codes(details, history, twelfth)


def test_exempt_contracts_keep_only_the_standstill_their_award_notice_gives():
    light_touch = {"specialRegime": ["lightTouch"]}
    history = [create_tender(**light_touch), create_award("2025-07-01")]
    assert codes(create_details("2025-07-25", "2025-07-02"), history) == []
    stated = create_award("2025-07-01", standstillPeriod={"endDate": "2025-07-14T23:59:59+01:00"})
    problem = only(
        create_details("2025-07-25", "2025-07-11"),
        [create_tender(**light_touch), stated],
        "notice.standstill.entered_too_early",
    )
    assert "section 51(1)(b) and (4)" in problem.message


def two_awards(first_day, second_day, second_standstill=None):
    """A procurement with two lots awarded by separate award notices (UK6): award 1 on
    ``first_day``, award 2 on ``second_day``."""
    second = {"id": "2", "date": "2025-07-14T09:00:00+01:00"}
    if second_standstill:
        second["standstillPeriod"] = {"endDate": second_standstill}
    return [
        create_tender(),
        create_award(first_day),
        create_notice("UK6", second_day, awards=[second]),
    ]


def test_the_standstill_runs_from_the_award_notice_of_the_contracts_own_award():
    # Award 1's notice came out on 1 July, award 2's on Monday 14 July: 8 working days from
    # the 14th run to the end of Wednesday 23 July.
    history = two_awards("2025-07-01", "2025-07-14")
    second = create_details("2025-07-28", "2025-07-21", id="2", awardID="2")
    problem = only(second, history, "notice.standstill.entered_too_early")
    assert "published on 14 July 2025" in problem.message
    assert "runs to the end of 23 July 2025" in problem.message
    assert codes(create_details("2025-07-28", "2025-07-24", id="2", awardID="2"), history) == []
    # The first award's contract keeps its own, earlier, standstill.
    assert codes(create_details("2025-07-28", "2025-07-21"), history) == []


def test_a_contract_whose_award_no_notice_names_counts_from_the_first_award_notice():
    history = two_awards("2025-07-01", "2025-07-14")
    unnamed = create_details("2025-07-28", "2025-07-21", id="3", awardID="9")
    assert "notice.standstill.entered_too_early" not in codes(unnamed, history)
    early = create_details("2025-07-28", "2025-07-08", id="3", awardID="9")
    assert "published on 1 July 2025" in (
        only(early, history, "notice.standstill.entered_too_early").message
    )


def test_a_stated_standstill_holds_only_the_contracts_of_its_own_award():
    light_touch = {"specialRegime": ["lightTouch"]}
    history = two_awards("2025-07-01", "2025-07-02", "2025-08-29T23:59:59+01:00")
    history[0] = create_tender(**light_touch)
    # Award 2's notice states a standstill to 29 August; award 1's states none.
    assert codes(create_details("2025-07-28", "2025-07-21"), history) == []
    problem = only(
        create_details("2025-09-01", "2025-08-28", id="2", awardID="2"),
        history,
        "notice.standstill.entered_too_early",
    )
    assert "29 August 2025" in problem.message


def test_an_early_direct_award_contract_may_be_urgent():
    transparency = create_notice("UK5", "2025-06-02", tender={"title": "T", "value": {"amount": 1}})
    history = [transparency, create_award("2025-07-01")]
    problem = only(
        create_details("2025-07-15", "2025-07-02"), history, "notice.standstill.entered_too_early"
    )
    assert problem.severity == "warning"
    assert "extreme and unavoidable urgency" in problem.message


def test_a_stated_standstill_is_at_least_eight_working_days():
    short = create_award("2025-07-01", standstillPeriod={"endDate": "2025-07-09T23:59:59+01:00"})
    problem = only(short, [create_tender()], "notice.standstill.stated_too_short")
    assert problem.path == "/awards/0/standstillPeriod/endDate"
    assert "no earlier than 10 July 2025" in problem.message
    enough = create_award(
        "2025-07-01",
        date="2025-06-30T09:00:00+01:00",  # decided before the notice (notice.date rules)
        standstillPeriod={"endDate": "2025-07-10T23:59:59+01:00"},
    )
    assert codes(enough, [create_tender()]) == []


def test_the_package_calendar_counts_easter_2025():
    # Wednesday 16 April 2025: Good Friday (18th) and Easter Monday (21st) do not count, so the
    # eighth working day is Tuesday 29 April.
    history = [create_tender("2025-03-03", tenderPeriod={"endDate": "2025-04-04T12:00:00Z"})]
    history.append(create_award("2025-04-16"))
    early = create_details("2025-05-02", "2025-04-29")
    assert (
        "runs to the end of 29 April 2025"
        in only(early, history, "notice.standstill.entered_too_early", calendar=None).message
    )
    assert check_notice(create_details("2025-05-02", "2025-04-30"), history) == []


def test_the_package_calendar_counts_st_andrews_day_in_england():
    # Monday 23 November 2026; Monday 30 November is a bank holiday in Scotland only, and the
    # Act's working days exclude a bank holiday in any part of the UK.
    history = [create_tender("2026-09-01", tenderPeriod={"endDate": "2026-10-09T12:00:00Z"})]
    history.append(create_award("2026-11-23"))
    early = create_details("2026-12-10", "2026-12-03")
    assert (
        "runs to the end of 3 December 2026"
        in only(early, history, "notice.standstill.entered_too_early", calendar=None).message
    )
    assert check_notice(create_details("2026-12-10", "2026-12-04"), history) == []


# Deadlines in days.


def test_a_contract_details_notice_is_due_within_thirty_days():
    history = [create_tender(), create_award("2025-07-01")]
    # Entered into on 14 July: day 30 is 12 August.
    assert codes(create_details("2025-08-12", "2025-07-14"), history) == []
    problem = only(
        create_details("2025-08-13", "2025-07-14"), history, "notice.deadline.contract_details_late"
    )
    assert "by 12 August 2025" in problem.message


def test_light_touch_contracts_have_a_hundred_and_twenty_days():
    history = [create_tender(specialRegime=["light touch"]), create_award("2025-07-01")]
    assert codes(create_details("2025-11-10", "2025-07-14"), history) == []  # day 120
    assert "notice.deadline.contract_details_late" in codes(
        create_details("2025-11-11", "2025-07-14"), history
    )


def test_private_utilities_and_below_threshold_contracts_have_no_thirty_day_limit():
    history = [create_tender(), create_award("2025-07-01")]
    utility = with_buyer_type(
        create_details("2025-09-30", "2025-07-14"), ("UK_CA_TYPE", "privateUtility")
    )
    assert "notice.deadline.contract_details_late" not in codes(utility, history)
    below = create_details("2025-09-30", "2025-07-14", aboveThreshold=False)
    assert "notice.deadline.contract_details_late" not in codes(below, history)


def test_facts_about_the_buyer_come_from_the_latest_release_that_gives_them():
    utility = with_buyer_type(create_tender(), ("UK_CA_TYPE", "privateUtility"))
    details = create_details("2025-09-30", "2025-07-14")  # names no buyer type of its own
    history = [utility, create_award("2025-07-01")]
    assert "notice.deadline.contract_details_late" not in codes(details, history)
    public = with_buyer_type(create_award("2025-07-01"), ("UK_CA_TYPE", "publicUndertaking"))
    assert "notice.deadline.contract_details_late" in codes(details, [utility, public])


def test_a_call_off_named_in_an_earlier_release_has_no_mandatory_standstill():
    tender = create_tender()
    early = create_details("2025-07-15", "2025-07-02")
    assert "notice.standstill.entered_too_early" in codes(
        early, [tender, create_award("2025-07-01")]
    )
    tender["relatedProcesses"] = [{"id": "fw", "relationship": ["framework"]}]
    assert codes(early, [tender, create_award("2025-07-01")]) == []


def test_a_contract_termination_notice_is_due_within_thirty_days():
    history = [create_tender(), create_award(), create_details("2025-07-30", "2025-07-28")]
    ended = {
        "id": "1",
        "value": {"amount": 240000, "currency": "GBP"},
        "implementation": {"endDate": "2026-03-02T00:00:00Z"},
    }
    on_time = create_notice("UK11", "2026-03-31", contracts=[dict(ended)])
    assert codes(on_time, history) == []
    late = create_notice("UK11", "2026-04-01", contracts=[dict(ended)])
    problem = only(late, history, "notice.deadline.contract_termination_late")
    assert problem.path == "/contracts/0/implementation/endDate"


def test_a_contract_termination_notice_written_as_the_pages_write_it_is_due_within_thirty_days():
    """The UK11 question pages write the day the contract ended as ``period.endDate``: the
    deadline counts from it as from ``implementation.endDate``."""
    history = [create_tender(), create_award(), create_details("2025-07-30", "2025-07-28")]
    ended = {
        "id": "1",
        "value": {"amount": 240000, "currency": "GBP"},
        "period": {"endDate": "2026-03-02T00:00:00Z"},
    }
    on_time = create_notice("UK11", "2026-03-31", contracts=[dict(ended)])
    assert codes(on_time, history) == []
    late = create_notice("UK11", "2026-04-01", contracts=[dict(ended)])
    problem = only(late, history, "notice.deadline.contract_termination_late")
    assert problem.path == "/contracts/0/period/endDate"


def test_a_contract_performance_notice_is_due_within_thirty_days():
    history = [create_tender(), create_award(), create_details("2025-07-30", "2025-07-28")]
    failure = {"id": "f1", "decisionDate": "2026-01-05T00:00:00Z"}
    contract = {"id": "1", "implementation": {"performanceFailures": [failure]}}
    assert codes(create_notice("UK9", "2026-02-03", contracts=[contract]), history) == []
    late = create_notice("UK9", "2026-02-04", contracts=[contract])
    assert only(late, history, "notice.deadline.performance_notice_late").path == (
        "/contracts/0/implementation/performanceFailures/0/decisionDate"
    )
    light_touch = [create_tender(specialRegime=["lightTouch"]), *history[1:]]
    assert codes(late, light_touch) == []


# Minimum periods (s.54).


def deadline(day):
    return {"endDate": f"{day}T12:00:00+01:00"}


def test_the_normal_minimum_tendering_period_is_twenty_five_days():
    # Published on 2 June: the period runs from 3 June, so 27 June is day 25.
    assert codes(create_tender(tenderPeriod=deadline("2025-06-27"))) == []
    problem = only(
        create_tender(tenderPeriod=deadline("2025-06-26")), [], "notice.period.tender_too_short"
    )
    assert problem.severity == "warning"
    assert "is 24 days" in problem.message
    assert "state of urgency" in problem.message


def test_under_ten_days_is_an_error_for_central_government():
    central = with_buyer_type(
        create_tender(tenderPeriod=deadline("2025-06-11")),
        ("UK_CA_TYPE", "publicAuthorityCentralGovernment"),
    )
    assert only(central, [], "notice.period.tender_too_short").severity == "error"
    other = create_tender(tenderPeriod=deadline("2025-06-11"))
    assert only(other, [], "notice.period.tender_too_short").severity == "warning"


def test_a_qualifying_planned_procurement_notice_allows_ten_days():
    tender = create_tender(tenderPeriod=deadline("2025-06-12"))
    qualifying = create_notice("UK3", "2025-04-23")  # 40 days before 2 June
    assert codes(tender, [qualifying]) == []
    too_late = create_notice("UK3", "2025-04-24")  # 39 days
    assert "notice.period.tender_too_short" in codes(tender, [too_late])
    too_early = create_notice("UK3", "2024-05-31")  # more than 12 months
    assert "notice.period.tender_too_short" in codes(tender, [too_early])


def test_paper_tenders_need_thirty_days():
    paper = create_tender(tenderPeriod=deadline("2025-06-30"), submissionMethod=["written"])
    assert (
        "minimum when tenders may not be submitted electronically is 30 days"
        in only(paper, [], "notice.period.tender_too_short").message
    )
    assert (
        codes(create_tender(tenderPeriod=deadline("2025-07-02"), submissionMethod=["written"]))
        == []
    )


def test_light_touch_and_dynamic_market_tendering_periods():
    assert (
        codes(create_tender(tenderPeriod=deadline("2025-06-05"), specialRegime=["lightTouch"]))
        == []
    )
    dynamic = create_tender(
        tenderPeriod=deadline("2025-06-12"), techniques={"hasDynamicPurchasingSystem": True}
    )
    assert codes(dynamic) == []


def test_the_participation_period_is_twenty_five_days_or_ten_if_urgent():
    def tender(day):
        return create_tender(tenderPeriod={}, expressionOfInterestDeadline=f"{day}T12:00:00+01:00")

    assert codes(tender("2025-06-27")) == []
    assert only(tender("2025-06-20"), [], "notice.period.participation_too_short").severity == (
        "warning"
    )
    assert only(tender("2025-06-07"), [], "notice.period.participation_too_short").severity == (
        "error"
    )


# Earlier regulations.


def test_an_earlier_regulations_award_notice_is_due_within_thirty_days():
    def award_notice(day):
        return create_notice(
            "F03", day, awards=[{"id": "1", "date": "2024-03-01T09:00:00Z"}], tag=["award"]
        )

    assert codes(award_notice("2024-03-31")) == []
    problem = only(award_notice("2024-04-01"), [], "pcr.deadline.award_notice_late")
    assert problem.severity == "warning"
    assert problem.citation == "Public Contracts Regulations 2015, reg. 50(1)"


# A whole procurement, and the shape of problems.


def test_a_clean_lifecycle_has_no_problems():
    engagement = create_notice("UK2", "2025-04-01", planning=dict(ENGAGED))
    tender = create_tender("2025-06-02", tenderPeriod=deadline("2025-07-04"))
    tender["planning"] = dict(ENGAGED)
    award = create_award("2025-07-15", standstillPeriod={"endDate": "2025-07-24T23:59:59+01:00"})
    details = create_details("2025-08-01", "2025-07-28")
    change = create_notice(
        "UK10", "2026-01-12", contracts=[{"id": "1", "amendments": [{"id": "a"}]}]
    )
    ended = create_notice(
        "UK11",
        "2027-08-02",
        contracts=[
            {
                "id": "1",
                "value": {"amount": 240000, "currency": "GBP"},
                "implementation": {"endDate": "2027-07-28T00:00:00Z"},
            }
        ],
    )
    process = [engagement, tender, award, details, change, ended]
    for index, release in enumerate(process):
        assert problems(release, process[:index]) == [], release["id"]


def test_problems_have_a_stable_shape():
    problem = problems(create_notice("UK18", "2025-06-02"))[0]
    assert isinstance(problem, NoticeProblem)
    assert problem.as_dict() == {
        "path": "/tender/documents/0/noticeType",
        "code": "notice.type.unknown",
        "message": problem.message,
        "severity": "error",
        "citation": problem.citation,
    }


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=8)
    | st.sampled_from(["UK4", "UK6", "2025-06-02T10:00:00Z", "framework", "engagement"]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "tender",
                    "awards",
                    "contracts",
                    "documents",
                    "noticeType",
                    "date",
                    "dateSigned",
                    "planning",
                    "milestones",
                    "type",
                    "tenderPeriod",
                    "endDate",
                    "parties",
                    "details",
                    "classifications",
                    "buyer",
                ]
            ),
            children,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    release=st.dictionaries(
        st.sampled_from(
            [
                "tender",
                "awards",
                "contracts",
                "planning",
                "date",
                "buyer",
                "relatedProcesses",
                "tag",
            ]
        ),
        JSON,
        max_size=5,
    )
)
def test_any_release_shape_gets_an_answer_not_a_crash(release):
    for problem in problems(release, [release]):
        assert problem.severity in {"error", "warning"}
        assert problem.path == "" or problem.path.startswith("/")


# Real data.


def _notice_type_values(value, found):
    if isinstance(value, dict):
        if isinstance(value.get("noticeType"), str):
            found.add(value["noticeType"])
        for child in value.values():
            _notice_type_values(child, found)
    elif isinstance(value, list):
        for child in value:
            _notice_type_values(child, found)
    return found


@needs_shared
def test_every_notice_type_in_the_real_data_is_known():
    found: dict[str, list[str]] = {}
    for path in sorted(SHARED.glob("ocds-*/**/*.json")):
        if path.stat().st_size == 0:
            continue
        try:
            content = json.loads(path.read_text("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            continue
        if path.name == "release-schema.json":
            continue
        for value in _notice_type_values(content, set()):
            found.setdefault(value, []).append(str(path.relative_to(SHARED)))
    unknown = {value: paths[:3] for value, paths in found.items() if value not in NOTICE_TYPES}
    assert unknown == {}, f"notice types in ../shared/data that openbook does not know: {unknown}"
    # The shared data holds no Find a Tender release: the values are listed for the report.
    print(f"noticeType values found in ../shared/data: {sorted(found) or 'none'}")


@needs_shared
def test_the_uk_extension_carries_the_notice_type_where_openbook_reads_it():
    schema = json.loads((SHARED / "ocds-extensions/uk_extension/release-schema.json").read_text())
    definitions = schema["definitions"]
    assert definitions["Document"]["properties"]["noticeType"]["type"] == ["string", "null"]
    assert "noEngagementNoticeRationale" in definitions["Planning"]["properties"]
    assert "standstillPeriod" in definitions["Award"]["properties"]
    assert "specialRegime" in definitions["Tender"]["properties"]


@needs_shared
def test_real_contracts_finder_releases_get_a_clear_answer():
    releases = []
    for path in sorted(
        (SHARED / "ocds-real-publisher-samples/uk-contracts-finder").rglob("*.json")
    ):
        content = json.loads(path.read_text("utf-8"))
        if "releases" in content or "records" in content:
            releases.extend(content.get("releases", []))
        elif "ocid" in content and "tag" in content:
            releases.append(content)
    assert releases
    by_process: dict[str, list[dict]] = {}
    for release in sorted(releases, key=lambda r: r["date"]):
        by_process.setdefault(release["ocid"], []).append(release)
    for process in by_process.values():
        for index, release in enumerate(process):
            assert legal_regime(release, process[:index]).regime == PCR2015
            found = problems(release, process[:index])
            # Contracts Finder published before the UK extension: no notice type to check.
            assert [p.code for p in found] == ["notice.type.missing"], found


def test_dates_far_in_the_future_are_reported_not_raised():
    history = [create_tender("2025-06-02"), create_award("2099-07-01")]
    found = check_notice(create_details("2099-07-20", "2099-07-02"), history)
    assert [p.severity for p in found if p.code == "notice.standstill.entered_too_early"] == [
        "warning"
    ]


def test_datetimes_are_read_as_uk_days():
    # 23:30 UTC on 30 June 2025 is 00:30 on 1 July in London (BST).
    award = create_award("2025-07-01")
    award["date"] = "2025-06-30T23:30:00Z"
    details = create_details("2025-07-15", "2025-07-10")
    problem = only(details, [create_tender(), award], "notice.standstill.entered_too_early")
    assert "published on 1 July 2025" in problem.message
    assert datetime.fromisoformat(award["date"]).date() == date(2025, 6, 30)


# The parties' identifiers.


def test_a_party_identifier_its_register_never_issued_is_a_warning_naming_the_party():
    tender = create_tender()
    tender["parties"] = [
        {
            "id": "b",
            "name": "Leeds City Council",
            "identifier": {"scheme": "GB-GOR", "id": "PB425"},
        },
        {
            "id": "s",
            "name": "Acme Ltd",
            "identifier": {"scheme": "GB-COH", "id": "123456789"},
            "additionalIdentifiers": [{"scheme": "GB-VAT", "id": "N/A"}],
        },
        {"id": "e", "name": "Empty", "identifier": {"scheme": "", "id": ""}},  # none: no warning
    ]
    found = [p for p in problems(tender) if p.code == "notice.party.identifier"]
    assert [(p.path, p.severity) for p in found] == [
        ("/parties/1/identifier", "warning"),
        ("/parties/1/additionalIdentifiers/0", "warning"),
    ]
    assert found[0].message.startswith("The party 'Acme Ltd' has an identifier that is no use:")
    assert "a Companies House number is 8 characters" in found[0].message
    assert "'N/A' stands in for an id nobody gave" in found[1].message


def test_a_party_identifier_written_otherwise_than_its_register_gets_the_registers_form():
    tender = create_tender()
    tender["parties"] = [{"id": "s", "identifier": {"scheme": "GB-COH", "id": "1234567"}}]
    (found,) = [p for p in problems(tender) if p.code == "notice.party.identifier"]
    assert found.path == "/parties/0/identifier" and found.severity == "warning"
    assert found.message == (
        "A party has GB-COH '1234567', which its register writes '01234567' (zero-padded to 8 "
        "digits): write it so, or the party will not match its other mentions."
    )
    tender["parties"][0]["identifier"]["id"] = "01234567"
    assert "notice.party.identifier" not in codes(tender)
