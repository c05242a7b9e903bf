"""Red flags (docs/methods/red-flags.md): each flag raised, and not raised, on plain processes;
coverage; rates per buyer; settings; and malformed releases that must never raise."""

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openbook.standards.metrics import flags
from openbook.standards.metrics.process import Process, Release
from openbook.standards.metrics.reading import (
    INCORPORATED,
    PLATFORM,
    Context,
    Debarment,
    InvalidSetting,
    Registration,
    Settings,
    read_settings,
    registers_context,
)

DEFAULTS = Settings()
NOTHING = Context()
BUYER = {
    "id": "b1",
    "name": "Example Borough Council",
    "roles": ["buyer"],
    "identifier": {"scheme": "GB-PPON", "id": "PBCD-1234-WXYZ"},
}
SUPPLIER_ID = "GB-COH-01234567"
SUPPLIER = {
    "id": "s1",
    "name": "Green Spaces Ltd",
    "roles": ["supplier"],
    "identifier": {"scheme": "GB-COH", "id": "01234567"},
}


def create_release(n, date="2025-06-02T09:00:00Z", *, notice=None, tender=None, **fields):
    release = {
        "ocid": "ocds-b5fd17-1",
        "id": f"r{n}",
        "date": date,
        "tag": ["tender"],
        "buyer": {"id": "b1", "name": BUYER["name"]},
        "parties": [BUYER, *fields.pop("parties", [])],
        **fields,
    }
    if tender is not None or notice is not None:
        release["tender"] = dict(tender or {})
    if notice is not None:
        release["tender"]["documents"] = [
            {"id": f"n{n}", "noticeType": notice, "datePublished": date}
        ]
    return release


def create_process(*releases):
    return Process(
        "ocds-b5fd17-1",
        tuple(
            Release(n, "2026-01-01T00:00:00Z", "p", False, body) for n, body in enumerate(releases)
        ),
    )


def raised(process, context=NOTHING, chosen=DEFAULTS):
    return {flag.flag: flag for flag in flags.flags(process, context, chosen)}


def award(date="2025-09-01", **fields):
    return {"id": "1", "status": "active", "date": date, "suppliers": [{"id": "s1"}], **fields}


# ocdscardinal's indicators ---------------------------------------------------------------


def period(start, end, method="open"):
    return {"procurementMethod": method, "tenderPeriod": {"startDate": start, "endDate": end}}


def test_r003_a_short_tender_period():
    short = raised(
        create_process(
            create_release(1, tender=period("2025-06-02T09:00:00Z", "2025-06-12T09:00:00Z"))
        )
    )
    assert short["R003"].values == {"days": 10, "threshold": 15, "method": "open"}
    assert "10 days" in short["R003"].detail and short["R003"].release_id == "r1"
    assert short["R003"].buyer == "GB-PPON-PBCD-1234-WXYZ"
    enough = create_process(
        create_release(1, tender=period("2025-06-02T09:00:00Z", "2025-06-17T09:00:00Z"))
    )
    assert "R003" not in raised(enough)
    selective = create_process(
        create_release(1, tender=period("2025-06-02", "2025-06-03", "selective"))
    )
    assert "R003" not in raised(selective)
    assert "R003" in raised(selective, chosen=Settings(short_period_methods=("selective",)))


def test_r018_one_tenderer_in_a_competition():
    one = create_process(
        create_release(1, tender={"procurementMethod": "open", "numberOfTenderers": 1})
    )
    assert raised(one)["R018"].values == {"tenderers": 1, "method": "open"}
    by_statistics = create_process(
        create_release(
            1,
            tender={"procurementMethod": "selective"},
            bids={"statistics": [{"id": "1", "measure": "bids", "value": 1}]},
        )
    )
    assert "bids.statistics" in raised(by_statistics)["R018"].detail
    two = create_process(
        create_release(1, tender={"procurementMethod": "open", "numberOfTenderers": 2})
    )
    direct = create_process(
        create_release(1, tender={"procurementMethod": "direct", "numberOfTenderers": 1})
    )
    assert "R018" not in raised(two) and "R018" not in raised(direct)


def bid(id_, tenderer, amount, status="valid", **fields):
    return {
        "id": id_,
        "status": status,
        "tenderers": [{"id": tenderer}],
        "value": {"amount": amount, "currency": "GBP"},
        **fields,
    }


def with_bids(*bids, awards=None, tender=None):
    awards = [award()] if awards is None else list(awards)
    return create_process(
        create_release(1, tender=tender, bids={"details": list(bids)}, awards=awards)
    )


def test_r028_identical_prices():
    same = raised(with_bids(bid("1", "s1", 1000), bid("2", "s2", 1000), bid("3", "s3", 900)))
    assert same["R028"].values == {"amount": 1000, "currency": "GBP", "tenderers": ["s1", "s2"]}
    assert "R028" not in raised(with_bids(bid("1", "s1", 1000), bid("2", "s2", 1001)))


def test_r030_a_late_bid_won():
    tender = {"tenderPeriod": {"endDate": "2025-06-30T12:00:00Z"}}
    late = with_bids(bid("1", "s1", 10, date="2025-06-30T15:00:00Z"), tender=tender)
    assert raised(late)["R030"].values["hoursLate"] == 3
    on_time = with_bids(bid("1", "s1", 10, date="2025-06-30T11:00:00Z"), tender=tender)
    lost = with_bids(bid("1", "s2", 10, date="2025-07-01T11:00:00Z"), tender=tender)
    assert "R030" not in raised(on_time) and "R030" not in raised(lost)


def test_r035_every_bid_but_the_winners_disqualified():
    rigged = with_bids(
        bid("1", "s1", 10), bid("2", "s2", 9, "disqualified"), bid("3", "s3", 8, "disqualified")
    )
    assert raised(rigged)["R035"].values == {"disqualifiedTenderers": 2, "threshold": 1}
    assert "R035" not in raised(rigged, chosen=Settings(disqualified_tenderers=3))
    fair = with_bids(bid("1", "s1", 10), bid("2", "s2", 9), bid("3", "s3", 8, "disqualified"))
    pending = with_bids(
        bid("1", "s1", 10), bid("2", "s2", 9, "disqualified"), awards=(award(status="pending"),)
    )
    assert "R035" not in raised(fair) and "R035" not in raised(pending)


def test_r036_the_lowest_bid_disqualified():
    lowest_out = with_bids(bid("1", "s1", 10), bid("2", "s2", 8, "disqualified"))
    assert raised(lowest_out)["R036"].values == {"amount": 8, "currency": "GBP", "bid": "2"}
    assert "R036" not in raised(with_bids(bid("1", "s1", 8), bid("2", "s2", 10, "disqualified")))
    no_award = with_bids(bid("1", "s1", 10), bid("2", "s2", 8, "disqualified"), awards=())
    assert "R036" not in raised(no_award)


def tenderer(id_, street, email):
    return {
        "id": id_,
        "name": id_,
        "roles": ["tenderer"],
        "address": {"streetAddress": street, "locality": "Leeds"},
        "contactPoint": {"email": email},
    }


def test_r044_tenderers_alike():
    alike = create_process(
        create_release(
            1,
            parties=[
                tenderer("t1", "1 Collusion Street", "a@one.example"),
                tenderer("t2", "1 COLLUSION STREET ", "b@two.example"),
            ],
        )
    )
    assert raised(alike)["R044"].values == {"field": "address", "tenderers": ["t1", "t2"]}
    apart = create_process(
        create_release(
            1,
            parties=[
                tenderer("t1", "1 High Street", "a@one.example"),
                tenderer("t2", "2 High Street", "b@two.example"),
            ],
        )
    )
    assert "R044" not in raised(apart)


# The UK's flags ----------------------------------------------------------------------------


def test_uk_single_bid_per_lot_at_the_final_stage():
    stats = [
        {"id": "1", "measure": "bids", "value": 3, "relatedLot": "1"},
        {"id": "2", "measure": "finalStageBids", "value": 1, "relatedLot": "1"},
        {"id": "3", "measure": "finalStageBids", "value": 4, "relatedLot": "2"},
    ]
    single = create_process(
        create_release(1, tender={"procurementMethod": "selective"}, bids={"statistics": stats})
    )
    found = raised(single)["uk-single-bid"]
    assert found.values == {
        "tenders": 1,
        "lot": "1",
        "measure": "finalStageBids",
        "method": "selective",
    }
    assert "lot 1" in found.detail
    # An award notice's statistics with no relatedLot are about its awards' lots.
    by_award = create_process(
        create_release(
            1,
            tender={"procurementMethod": "open"},
            awards=[award(relatedLots=["3"])],
            bids={"statistics": [{"id": "1", "measure": "finalStageBids", "value": 1}]},
        )
    )
    assert raised(by_award)["uk-single-bid"].values["lot"] == "3"
    corrected = create_process(
        create_release(1, tender={"procurementMethod": "open"}, bids={"statistics": stats}),
        create_release(
            2,
            bids={
                "statistics": [
                    {"id": "2", "measure": "finalStageBids", "value": 2, "relatedLot": "1"}
                ]
            },
        ),
    )
    assert "uk-single-bid" not in raised(corrected)


def test_uk_direct_award():
    transparency = create_process(
        create_release(
            1,
            notice="UK5",
            tender={
                "procurementMethod": "direct",
                "procurementMethodRationale": "Only one supplier.",
            },
        )
    )
    found = raised(transparency)["uk-direct-award"]
    assert found.values["notices"] == ["UK5"] and found.values["rationale"] == "Only one supplier."
    assert "transparency notice" in found.detail and found.release_id == "r1"
    veat = create_process(create_release(1, "2023-03-01T00:00:00Z", notice="F15"))
    assert raised(veat)["uk-direct-award"].values["notices"] == ["F15"]
    open_ = create_process(create_release(1, notice="UK4", tender={"procurementMethod": "open"}))
    call_off = create_process(
        create_release(
            1,
            tender={"procurementMethod": "direct"},
            relatedProcesses=[{"id": "1", "relationship": ["framework"]}],
        )
    )
    assert "uk-direct-award" not in raised(open_) and "uk-direct-award" not in raised(call_off)


def test_uk_short_tender_period_under_the_act():
    def tender_notice(deadline):
        return create_release(
            1,
            "2025-06-02T09:00:00Z",
            notice="UK4",
            tender={
                "procurementMethod": "open",
                "tenderPeriod": {"endDate": deadline},
                "submissionMethod": ["electronicSubmission"],
            },
        )

    short = raised(create_process(tender_notice("2025-06-20T12:00:00Z")))
    assert short["uk-short-tender-period"].values == {
        "days": 18,
        "minimum": 25,
        "invited": "2025-06-02",
        "regime": "PA2023",
    }
    assert "uk-short-tender-period" not in raised(create_process(tender_notice("2025-06-27")))
    below = tender_notice("2025-06-05T12:00:00Z")
    below["tender"]["aboveThreshold"] = False
    assert "uk-short-tender-period" not in raised(create_process(below))


def test_uk_short_tender_period_under_the_2015_regulations():
    def contract_notice(deadline, method="open"):
        return create_release(
            1,
            "2023-03-01T09:00:00Z",
            notice="F02",
            tender={"procurementMethod": method, "tenderPeriod": {"endDate": deadline}},
        )

    short = raised(create_process(contract_notice("2023-03-21T12:00:00Z")))
    assert short["uk-short-tender-period"].values == {
        "days": 20,
        "minimum": 30,
        "invited": "2023-03-01",
        "regime": "PCR2015",
    }
    assert "uk-short-tender-period" not in raised(create_process(contract_notice("2023-04-01")))
    restricted = contract_notice("2023-03-05", "selective")
    assert "uk-short-tender-period" not in raised(create_process(restricted))


def contract(value, release_n, **fields):
    return create_release(
        release_n,
        tag=["contract"],
        contracts=[
            {"id": "c1", "awardID": "1", "value": {"amount": value, "currency": "GBP"}, **fields}
        ],
    )


def test_uk_modification_raise():
    grown = raised(create_process(contract(100_000, 1), contract(105_000, 2), contract(112_000, 3)))
    assert grown["uk-modification-raise"].values == {
        "contract": "c1",
        "original": 100_000,
        "current": 112_000,
        "currency": "GBP",
        "percent": 12.0,
        "limit": 10.0,
        "changes": 2,
    }
    assert grown["uk-modification-raise"].release_id == "r3"
    assert "in 2 changes" in grown["uk-modification-raise"].detail
    within = create_process(contract(100_000, 1), contract(110_000, 2))
    assert "uk-modification-raise" not in raised(within)
    works = create_process(
        create_release(0, tender={"mainProcurementCategory": "works"}),
        contract(100_000, 1),
        contract(112_000, 2),
    )
    assert "uk-modification-raise" not in raised(works)  # 15% for works
    # The award's value is the baseline where the contract was first published with a change;
    # a contract signed at another value than awarded is no modification.
    awarded_at = create_release(1, awards=[award(value={"amount": 100_000, "currency": "GBP"})])
    changed = contract(130_000, 2, amendments=[{"id": "1", "rationale": "More sites."}])
    assert (
        raised(create_process(awarded_at, changed))["uk-modification-raise"].values["original"]
        == 100_000
    )
    assert "uk-modification-raise" not in raised(create_process(awarded_at, contract(130_000, 2)))


def awarded(date="2025-09-01"):
    return create_process(
        create_release(1, tag=["award"], awards=[award(date)], parties=[SUPPLIER])
    )


def test_uk_new_supplier():
    incorporated = Context(
        registered={"GB-COH-01234567": Registration("2025-07-15", INCORPORATED, "BODS")}
    )
    found = raised(awarded(), incorporated)["uk-new-supplier"]
    assert found.values == {
        "award": "1",
        "supplier": "GB-COH-01234567",
        "awardDate": "2025-09-01",
        "registered": "2025-07-15",
        "source": "incorporated",
        "days": 48,
        "threshold": 90,
    }
    assert "incorporated 48 days before" in found.detail
    assert "uk-new-supplier" not in raised(awarded("2026-01-01"), incorporated)
    joined = Context(
        registered={"GB-COH-01234567": Registration("2025-08-01", PLATFORM, "register")}
    )
    assert "uk-new-supplier" in raised(awarded(), joined)
    assert "uk-new-supplier" not in raised(
        awarded(), joined, Settings(count_platform_registration=False)
    )


def test_uk_debarred_supplier():
    entry = Debarment("DEB-000001", "2025-01-15", "2027-01-14", "mandatory", "Schedule 6, para 1")
    listed = Context(debarred={"GB-COH-01234567": (entry,)})
    found = raised(awarded(), listed)["uk-debarred-supplier"]
    assert found.values["entry"] == "DEB-000001" and found.values["rationaleGiven"] is False
    assert "DEB-000001" in found.detail and "no reason stated" in found.detail
    assert "uk-debarred-supplier" not in raised(awarded("2024-12-31"), listed)
    assert "uk-debarred-supplier" not in raised(awarded())


def estimated(gross, date="2025-06-02T09:00:00Z"):
    return create_process(
        create_release(
            1,
            date,
            tender={
                "mainProcurementCategory": "services",
                "value": {"amount": gross / 1.2, "amountGross": gross, "currency": "GBP"},
            },
        )
    )


def test_uk_just_under_a_threshold():
    # The sub-central goods and services threshold from 1 January 2024: £214,904 with VAT.
    found = raised(estimated(210_000))["uk-just-under-threshold"]
    assert found.values["threshold"] == 214_904 and found.values["percent"] == 2.3
    assert found.values["includesVat"] is True and "amountGross" in found.detail
    assert "uk-just-under-threshold" not in raised(estimated(150_000))
    assert "uk-just-under-threshold" not in raised(estimated(214_904))
    assert "uk-just-under-threshold" in raised(
        estimated(190_000), chosen=Settings(under_threshold_percent=12)
    )


# Coverage, the registry, rates and settings --------------------------------------------------


def test_coverage_says_bid_level_indicators_cannot_run_without_bids():
    plain = create_process(create_release(1, tender={"procurementMethod": "open"}))
    covered = flags.coverage(plain)
    assert set(covered) == set(flags.REGISTRY)
    assert not any(covered[code] for code in ("R028", "R030", "R035", "R036"))
    assert flags.REGISTRY["R028"].missing == "no bid-level data (bids.details)"
    with_details = flags.coverage(with_bids(bid("1", "s1", 1)))
    assert with_details["R028"] and with_details["R035"] and not with_details["R030"]
    # Outliers across a dataset are listed, never run per process.
    for code in ("R024", "R025", "R038", "R048", "R055", "R058"):
        assert not flags.REGISTRY[code].runs and not with_details[code]
        assert flags.REGISTRY[code].why_not


def test_the_registry_names_every_indicator_with_what_it_needs():
    cardinal = [i.id for i in flags.REGISTRY.values() if i.source == flags.CARDINAL]
    assert cardinal == [
        "R003",
        "R018",
        "R024",
        "R025",
        "R028",
        "R030",
        "R035",
        "R036",
        "R038",
        "R044",
        "R048",
        "R055",
        "R058",
    ]
    uk = [i.id for i in flags.REGISTRY.values() if i.source == flags.OPENBOOK]
    assert len(uk) == 7 and all(code.startswith("uk-") for code in uk)
    method = (Path(__file__).parents[3] / "docs" / "methods" / "red-flags.md").read_text()
    anchors = {
        re.sub(r"[^a-z0-9 -]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
        for line in method.splitlines()
        if line.startswith("#")
    }
    for indicator in flags.REGISTRY.values():
        assert indicator.title and indicator.needs and indicator.missing
        page, anchor = indicator.as_dict()["method"].split("#")
        assert page == "docs/methods/red-flags.md" and anchor in anchors, indicator.id
        assert f"| {indicator.id} |" in method or not indicator.id.startswith("R")


def test_rates_per_buyer():
    single = create_process(
        create_release(1, tender={"procurementMethod": "open", "numberOfTenderers": 1})
    )
    several = create_process(
        create_release(1, tender={"procurementMethod": "open", "numberOfTenderers": 4})
    )
    results = []
    for process in (single, several, several):
        found, covered = flags.assess(process, NOTHING, DEFAULTS)
        results.append((flags.buyer_of(process), covered, found))
    rate = flags.rates(results)["GB-PPON-PBCD-1234-WXYZ"]["R018"]
    assert (rate.runs, rate.raised) == (3, 1) and rate.rate == pytest.approx(1 / 3)


def test_settings_are_read_and_checked():
    chosen = read_settings(
        {
            "new_supplier_days": 30,
            "competitive_methods": ["open"],
            "under_threshold_percent": 2,
            "count_platform_registration": False,
        }
    )
    assert chosen == Settings(
        new_supplier_days=30,
        competitive_methods=("open",),
        under_threshold_percent=2.0,
        count_platform_registration=False,
    )
    for wrong in (
        {"new_supplier_dayz": 3},
        {"new_supplier_days": 2.5},
        {"new_supplier_days": -1},
        {"competitive_methods": "open"},
        {"count_platform_registration": 1},
        {"under_threshold_percent": True},
    ):
        with pytest.raises(InvalidSetting):
            read_settings(wrong)


# Malformed releases ------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=12,
)
FIELDS = ("tender", "awards", "contracts", "bids", "parties", "buyer", "date", "relatedProcesses")


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(FIELDS), JSON), min_size=1, max_size=3))
def test_malformed_releases_never_raise(bodies):
    process = create_process(*({"id": n, **body} for n, body in enumerate(bodies)))
    everything = Context(
        debarred={"GB-COH-01234567": (Debarment("D", "2000-01-01", "2100-01-01", "m", "r"),)},
        registered={"GB-COH-01234567": Registration("2000-01-01", PLATFORM, "x")},
    )
    found, covered = flags.assess(process, everything, DEFAULTS)
    assert set(covered) == set(flags.REGISTRY)
    assert all(isinstance(flag.detail, str) for flag in found)


def test_wrong_types_in_the_right_places_never_raise():
    odd = {
        "tender": {
            "procurementMethod": ["open"],
            "numberOfTenderers": True,
            "tenderPeriod": {"startDate": 5, "endDate": "soon"},
            "value": "£1m",
            "documents": [{"noticeType": 4}],
        },
        "bids": {
            "details": [{"status": 1, "tenderers": "s1", "value": {"amount": "10"}}, "bid"],
            "statistics": [{"measure": "bids", "value": "1"}],
        },
        "awards": [
            {"id": None, "status": "active", "suppliers": [{"id": ["s1"]}], "date": "2025-13-45"},
            7,
        ],
        "contracts": [{"id": 1, "value": {"amount": float("nan")}}],
        "parties": [{"id": "s1", "roles": "tenderer", "identifier": {"scheme": 1, "id": None}}],
    }
    process = create_process(create_release(1, **odd), create_release(2, **odd))
    found, _ = flags.assess(
        process, Context(registered={"x": Registration("2020-01-01", "p", "")}), DEFAULTS
    )
    assert found == []


def test_the_registers_context_from_entries_as_the_bulk_files_give_them():
    supplier = {
        "id": "GB-OPENBOOK-ABCD-EFGH-J",
        "identifiers": [SUPPLIER_ID, "GB-VAT-217967235"],
        "created": "2024-03-01T10:00:00.000000Z",
    }
    listed = {
        "id": "DEB-000001",
        "status": "active",
        "startDate": "2025-01-15",
        "endDate": "2027-01-14",
        "supplier": {"identifier": "GB-VAT-217967235"},
        "ground": {"type": "discretionary", "reference": "Schedule 7, paragraph 2"},
    }
    removed = {**listed, "id": "DEB-000002", "status": "removed"}
    unregistered = {**listed, "id": "DEB-000003", "supplier": {"identifier": "GB-COH-09999999"}}
    made = registers_context([listed, removed, unregistered], [supplier])
    entry = Debarment(
        "DEB-000001", "2025-01-15", "2027-01-14", "discretionary", "Schedule 7, paragraph 2"
    )
    assert made.debarred["GB-OPENBOOK-ABCD-EFGH-J"] == (entry,)
    assert made.debarred[SUPPLIER_ID] == (entry,)
    assert [e.entry_id for e in made.debarred["GB-COH-09999999"]] == ["DEB-000003"]
    joined = Registration(
        "2024-03-01", PLATFORM, "joined the register of suppliers as GB-OPENBOOK-ABCD-EFGH-J"
    )
    assert made.registered == dict.fromkeys([*supplier["identifiers"], supplier["id"]], joined)


def test_a_registered_supplier_is_linked_through_its_verified_identifiers_only():
    """A supplier's self-declared identifiers are claims (docs/suppliers.md): a supplier that
    registered itself claiming another company's number, and is debarred, passes neither its
    debarment nor the day it joined to that company's awards (method version 2). Verified, the
    claim links them."""
    real = {"id": "GB-OPENBOOK-ABCD-EFGH-J", "identifiers": [SUPPLIER_ID],
            "created": "2019-04-01T10:00:00Z"}  # fmt: skip
    squatter = {"id": "GB-OPENBOOK-WXYZ-WXYZ-K", "identifiers": [SUPPLIER_ID, "GB-VAT-217967235"],
                "selfDeclared": [SUPPLIER_ID], "created": "2025-08-01T10:00:00Z"}  # fmt: skip
    its_own = {"id": "DEB-000004", "status": "active", "startDate": "2025-01-15",
               "endDate": "2027-01-14", "supplier": {"identifier": squatter["id"]},
               "ground": {"type": "mandatory", "reference": "Schedule 6, paragraph 1"}}  # fmt: skip
    made = registers_context([its_own], [real, squatter])
    listed = Debarment("DEB-000004", "2025-01-15", "2027-01-14", "mandatory",
                       "Schedule 6, paragraph 1")  # fmt: skip
    assert made.debarred == {squatter["id"]: (listed,), "GB-VAT-217967235": (listed,)}
    assert made.registered[SUPPLIER_ID].day == "2019-04-01"  # the company's own, not the claim's
    assert made.registered["GB-VAT-217967235"].day == "2025-08-01"
    found = raised(awarded(), made)  # an award to the company, 2025-09-01
    assert "uk-debarred-supplier" not in found and "uk-new-supplier" not in found
    verified = registers_context([its_own], [{**squatter, "selfDeclared": []}])
    found = raised(awarded(), verified)
    assert found["uk-debarred-supplier"].values["entry"] == "DEB-000004"
    assert found["uk-new-supplier"].values["registered"] == "2025-08-01"
    assert found["uk-new-supplier"].as_dict()["methodVersion"] == flags.METHOD_VERSION == "2"


def entity(record_id, number, founded, date="2024-01-01"):
    return {
        "recordId": record_id,
        "recordType": "entity",
        "statementDate": date,
        "recordDetails": {
            "identifiers": [{"scheme": "GB-COH", "id": number}],
            "foundingDate": founded,
        },
    }


def test_incorporation_comes_from_the_newest_statement_of_each_entity():
    supplier = {
        "id": "GB-OPENBOOK-ABCD-EFGH-J",
        "identifiers": [SUPPLIER_ID],
        "created": "2024-03-01T10:00:00Z",
    }
    made = registers_context(
        [],
        [supplier],
        [
            entity("e1", "1234567", "2023-01-01"),
            entity("e1", "1234567", "2023-02-02"),
            entity("e2", "07654321", "not a date"),
            {"recordType": "person", "recordId": "p"},
        ],
    )
    incorporated = Registration("2023-02-02", INCORPORATED, "foundingDate of BODS record e1")
    assert made.registered == {SUPPLIER_ID: incorporated, supplier["id"]: incorporated}
