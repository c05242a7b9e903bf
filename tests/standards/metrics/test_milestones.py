"""The NAP5 milestone metrics, item by item (docs/methods/milestones.md)."""

from datetime import date

import pytest

from openbook.standards.metrics import milestones, thresholds
from openbook.standards.metrics.figures import Subject, Tally
from openbook.standards.metrics.process import Process, Release

AS_OF = date(2026, 6, 1)
CENTRAL = {"scheme": "UK_CA_TYPE", "id": "publicAuthorityCentralGovernment"}
LOCAL = {"scheme": "UK_CA_TYPE", "id": "publicAuthoritySubCentralGovernment"}


def buyer(classification=CENTRAL, name="Cabinet Office"):
    return {
        "id": "b1",
        "name": name,
        "roles": ["buyer"],
        "identifier": {"scheme": "GB-GOR", "id": "D2"},
        "details": {"classifications": [classification]} if classification else {},
    }


def release(
    n, date_, *, tags=("tender",), notice=None, awards=(), contracts=(), tender=None, **extra
):
    body = {
        "ocid": "ocds-abcdef-1",
        "id": f"r{n}",
        "date": date_,
        "tag": list(tags),
        "buyer": {"id": "b1", "name": extra.pop("buyer_name", "Cabinet Office")},
        "parties": [extra.pop("party", buyer())],
        "awards": list(awards),
        "contracts": list(contracts),
        **extra,
    }
    if tender is not None:
        body["tender"] = tender
    if notice:
        body.setdefault("tender", {})
        body["tender"]["documents"] = [{"id": f"n{n}", "noticeType": notice}]
    return body


def process(*bodies, on_platform=False, log_times=None):
    return Process(
        "ocds-abcdef-1",
        tuple(
            Release(
                n,
                (log_times or {}).get(n, "2026-01-01T00:00:00.000000Z"),
                "Cabinet Office",
                on_platform,
                body,
            )
            for n, body in enumerate(bodies)
        ),
    )


ABOVE = {"title": "Laptops", "aboveThreshold": True, "procurementMethod": "open"}


def award(id_="a1", date_="2023-03-01T00:00:00Z", status="active", **extra):
    return {"id": id_, "date": date_, "status": status, "suppliers": [{"id": "s1"}], **extra}


def items_of(proc, metric):
    return [item for item in milestones.items(proc, AS_OF) if item.metric == metric]


def test_a_tender_notice_before_the_award_counts_for_the_milestone():
    proc = process(
        release(0, "2023-01-01T00:00:00Z", tender=dict(ABOVE)),
        release(1, "2023-03-10T00:00:00Z", tags=("award",), tender=dict(ABOVE), awards=[award()]),
    )
    (item,) = items_of(proc, milestones.TENDER_PUBLISHED)
    assert item.outcome == "for"
    assert item.day == "2023-03-01"  # placed by the award date
    assert item.detail["tenderRelease"] == "r0"
    assert item.detail["basis"] == "source"  # loaded history: its own date, as asserted


def test_an_award_without_a_tender_notice_counts_against_and_says_why():
    proc = process(
        release(0, "2023-03-10T00:00:00Z", tags=("award",), tender=dict(ABOVE), awards=[award()])
    )
    (item,) = items_of(proc, milestones.TENDER_PUBLISHED)
    assert item.outcome == "against"
    assert "no tender notice" in item.detail["reason"]
    assert item.detail["awardRelease"] == "r0"


def test_a_tender_published_with_the_award_in_one_release_does_not_count():
    proc = process(
        release(
            0,
            "2023-03-10T00:00:00Z",
            tags=("tender", "award"),
            tender=dict(ABOVE),
            awards=[award()],
        )
    )
    assert items_of(proc, milestones.TENDER_PUBLISHED)[0].outcome == "against"


@pytest.mark.parametrize(
    ("tender", "extra", "reason"),
    [
        ({"aboveThreshold": False}, {}, "below threshold"),
        ({"procurementMethod": "direct", "aboveThreshold": True}, {}, "direct award"),
        (
            dict(ABOVE),
            {"relatedProcesses": [{"id": "1", "relationship": ["framework"]}]},
            "call-off",
        ),
    ],
)
def test_procurements_outside_the_population_are_excluded_with_the_reason(tender, extra, reason):
    proc = process(
        release(
            0, "2023-03-10T00:00:00Z", tags=("award",), tender=tender, awards=[award()], **extra
        )
    )
    (item,) = items_of(proc, milestones.TENDER_PUBLISHED)
    assert item.outcome == "excluded"
    assert item.detail["reason"].startswith(reason)


def test_a_transparency_notice_makes_a_direct_award():
    proc = process(
        release(
            0,
            "2025-06-01T00:00:00Z",
            tags=("award",),
            notice="UK5",
            tender=dict(ABOVE),
            awards=[award(date_="2025-06-01T00:00:00Z")],
        )
    )
    (item,) = items_of(proc, milestones.TENDER_PUBLISHED)
    assert item.detail["reason"] == "direct award: a UK5 transparency notice"


def test_a_process_not_yet_awarded_is_not_in_the_tender_milestone():
    assert (
        items_of(
            process(release(0, "2023-01-01T00:00:00Z", tender=dict(ABOVE))),
            milestones.TENDER_PUBLISHED,
        )
        == []
    )


@pytest.mark.parametrize(
    ("published", "outcome", "band"),
    [
        ("2023-05-30T12:00:00Z", "for", "61 to 90 days"),  # 90 days after 1 March
        ("2023-05-31T12:00:00Z", "against", "91 to 180 days"),  # 91 days
        ("2023-02-20T12:00:00Z", "for", "before the award date"),
    ],
)
def test_award_notices_within_90_calendar_days(published, outcome, band):
    proc = process(
        release(0, "2023-01-01T00:00:00Z", tender=dict(ABOVE)),
        release(1, published, tags=("award",), tender=dict(ABOVE), awards=[award()]),
    )
    (item,) = items_of(proc, milestones.AWARD_PUBLISHED_90_DAYS)
    assert (item.outcome, item.detail["delayBand"]) == (outcome, band)
    assert item.detail["awardDateBasis"] == "awards.date"


def test_on_the_platform_the_log_time_is_the_publication_date_not_the_releases_own():
    # Backdated: the release says 2 March, the platform accepted it on 1 August.
    proc = process(
        release(0, "2023-03-02T00:00:00Z", tags=("award",), tender=dict(ABOVE), awards=[award()]),
        on_platform=True,
        log_times={0: "2023-08-01T09:00:00.000000Z"},
    )
    (item,) = items_of(proc, milestones.AWARD_PUBLISHED_90_DAYS)
    assert item.outcome == "against"
    assert item.detail["publishedBasis"] == "platform"
    assert item.detail["delayDays"] == 153


def test_without_an_award_date_the_contract_signature_stands_in_marked_as_such():
    proc = process(
        release(
            0,
            "2023-04-01T00:00:00Z",
            tags=("award", "contract"),
            tender=dict(ABOVE),
            awards=[award(date_=None)],
            contracts=[{"id": "c1", "awardID": "a1", "dateSigned": "2023-03-15"}],
        ),
    )
    (item,) = items_of(proc, milestones.AWARD_PUBLISHED_90_DAYS)
    assert item.detail["awardDateBasis"] == "contracts.dateSigned"
    assert item.detail["delayDays"] == 17


def test_awards_of_authorities_that_are_not_central_government_are_excluded():
    proc = process(
        release(
            0,
            "2023-03-10T00:00:00Z",
            tags=("award",),
            tender=dict(ABOVE),
            awards=[award()],
            party=buyer(LOCAL, "Leeds City Council"),
            buyer_name="Leeds City Council",
        ),
    )
    (item,) = items_of(proc, milestones.AWARD_PUBLISHED_90_DAYS)
    assert item.outcome == "excluded"
    assert item.detail["reason"] == "not central government (UK_CA_TYPE)"


def test_central_government_is_told_by_name_when_no_classification_is_given():
    party = buyer(None, "HM Revenue & Customs")
    proc = process(
        release(
            0,
            "2019-03-10T00:00:00Z",
            tags=("award",),
            tender=dict(ABOVE),
            awards=[award()],
            party=party,
            buyer_name="HM Revenue & Customs",
        ),
    )
    assert thresholds.central_government(proc) == (True, "name")


def test_contract_documents_and_withheld_information():
    contract = {
        "id": "c1",
        "awardID": "a1",
        "dateSigned": "2023-04-01T00:00:00Z",
        "documents": [
            {"id": "d1", "documentType": "contractSigned"},
            {"id": "d2", "documentType": "contractSchedule"},
        ],
    }
    withheld = [
        {
            "id": "w1",
            "relatedContract": "c1",
            "relatedDocument": "d2",
            "rationaleClassifications": [{"scheme": "UK_WITHHELD", "id": "commercial"}],
        }
    ]
    proc = process(
        release(
            0,
            "2023-04-02T00:00:00Z",
            tags=("contract",),
            tender=dict(ABOVE),
            awards=[award()],
            contracts=[contract],
            withheldInformation=withheld,
        )
    )
    (item,) = items_of(proc, milestones.CONTRACT_DOCUMENTS)
    assert item.outcome == "for"
    assert item.detail["contractDocuments"] == ["d1", "d2"]
    assert item.detail["withheldItems"] == 1
    assert item.detail["redactedDocuments"] == ["d2"]


def test_a_contract_without_its_text_counts_against_publication_of_documents():
    proc = process(
        release(
            0,
            "2023-04-02T00:00:00Z",
            tags=("contract",),
            awards=[award()],
            contracts=[{"id": "c1", "awardID": "a1", "dateSigned": "2023-04-01"}],
        )
    )
    (item,) = items_of(proc, milestones.CONTRACT_DOCUMENTS)
    assert (item.outcome, item.detail["documents"]) == ("against", 0)


def act_process(details_published=None, signed="2025-06-02"):
    bodies = [
        release(0, "2025-05-01T00:00:00Z", notice="UK4", tender=dict(ABOVE)),
        release(
            1,
            "2025-05-20T00:00:00Z",
            tags=("award",),
            notice="UK6",
            tender=dict(ABOVE),
            awards=[award(date_="2025-05-20T00:00:00Z")],
        ),
    ]
    contract = {"id": "c1", "awardID": "a1", "dateSigned": signed, "status": "active"}
    if details_published:
        bodies.append(
            release(2, details_published, tags=("contract",), notice="UK7", contracts=[contract])
        )
    else:
        bodies[1]["contracts"] = [contract]
    return process(*bodies)


@pytest.mark.parametrize(
    ("published", "status", "outcome"),
    [
        ("2025-07-01T10:00:00Z", "on time", "for"),  # day 30 beginning with 2 June
        ("2025-07-02T10:00:00Z", "late", "against"),
        (None, "overdue", "against"),
    ],
)
def test_contract_details_notices_are_due_within_30_days_of_signature(published, status, outcome):
    (item,) = items_of(act_process(published), milestones.NOTICES_ON_TIME)
    assert (item.detail["status"], item.outcome) == (status, outcome)
    assert item.detail["deadline"] == "2025-07-01"
    assert item.detail["law"] == "Procurement Act 2023, s.53"


def test_a_notice_not_yet_due_is_pending():
    (item,) = items_of(act_process(None, signed="2026-05-20"), milestones.NOTICES_ON_TIME)
    assert (item.outcome, item.detail["status"]) == ("pending", "not yet due")


def test_stage_coverage_counts_the_stages_a_process_reached():
    (item,) = items_of(act_process("2025-06-10T00:00:00Z"), milestones.STAGE_COVERAGE)
    assert item.detail["stages"] == ["tender", "award", "contract"]


def test_malformed_releases_never_raise():
    bodies = [
        {
            "ocid": "ocds-abcdef-1",
            "id": "x",
            "date": 5,
            "tag": "award",
            "awards": {"id": 1},
            "contracts": [None, "c", {"id": None}],
            "tender": [],
            "parties": "nobody",
            "buyer": ["b"],
            "withheldInformation": [{"id": 3}],
        },
        {
            "ocid": "ocds-abcdef-1",
            "id": "y",
            "date": "not a date",
            "awards": [{"id": "a", "date": "2023-02-30", "status": 7}],
            "contracts": [{"id": "c", "dateSigned": [], "documents": "none"}],
        },
    ]
    found = milestones.items(process(*bodies), AS_OF)
    assert {item.metric for item in found} >= {milestones.STAGE_COVERAGE}


def test_figures_are_sums_of_items_by_subject_and_period():
    tally = Tally()
    central = Subject("GB-GOR-D2", "Cabinet Office", True)
    local = Subject("GB-X-1", "Leeds", False)
    tally.add("m", central, "2023-03-01", "for")
    tally.add("m", central, "2023-08-01", "against", breakdown=[("delay", "91 to 180 days")])
    tally.add("m", local, "2023-03-05", "for")
    tally.add("m", local, None, "excluded")
    figures = {(f.subject, f.period): f for f in tally.sorted()}
    assert figures[("", "all")].counts == {"for": 2, "against": 1, "excluded": 1, "pending": 0}
    assert figures[("*central", "2023")].value == 0.5
    assert figures[("*central", "2023-H2")].extra == {"delay": {"91 to 180 days": 1}}
    assert figures[("GB-X-1", "2023-03")].value == 1.0
    assert ("GB-X-1", "2023-H2") not in figures
    assert figures[("GB-X-1", "all")].counts["excluded"] == 1  # undated: only in all
