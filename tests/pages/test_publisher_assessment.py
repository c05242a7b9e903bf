"""The yearly assessment against a contract's key performance indicators (KPIs) through the
publisher pages (issue 8, item 2; Procurement Act 2023, s.71(2); Procurement Regulations 2024,
reg. 39), on both databases: the contract performance notice's first question chooses the
assessment or a breach, and the other route's questions are skipped; the KPIs are added one at
a time (the GOV.UK "add another" pattern), at least three for a contract worth more than £5
million; the release is what the publish API accepts unchanged and what the contract
performance register reads; a correction keeps the KPIs' ids; bad answers are refused with the
GOV.UK error summary, storing nothing."""

import re
from datetime import UTC, date, datetime, timedelta

import orjson
import pytest
from django.test import Client

from openbook.publishing import publishers
from openbook.publishing.notice_forms import Context
from openbook.publishing.notice_forms import assessment as kpis
from openbook.publishing.notice_forms.corrections import answers_from, as_correction
from openbook.publishing.notice_forms.performance import CONTRACT_PERFORMANCE_NOTICE as UK9
from openbook.publishing.publish import publish
from openbook.store import log
from tests.pages.conftest import validate_html
from tests.pages.test_publisher import _token, publisher, send, signed_in
from tests.pages.test_publisher_notices import DRAFT, _day, _record, _summary, _today
from tests.pages.test_publisher_performance import contracted
from tests.publishing import BUYER, CLI, award, contract_details, create_key, post, tender

__all__ = ["contracted", "publisher"]  # fixtures, shared with the publisher pages' tests

FROM, TO = _today() - timedelta(days=365), _today() - timedelta(days=1)
KPI = {
    "Repairs within 5 days": ("met", ""),
    "Complaints answered": ("other", "No complaints were made, so there was nothing to rate."),
    "Parks mown <b>fortnightly</b>": ("below", "Mown every 3 weeks in August."),
}


@pytest.fixture
def big(publisher, store) -> str:
    """A procurement of the signed-in organisation with one contract worth £6 million."""
    ocid = publishers.mint_ocid(store, publisher, CLI)
    details = contract_details(ocid)
    details["contracts"][0]["value"] = {"amount": 6_000_000, "currency": "GBP"}
    for release in (tender(ocid), award(ocid), details):
        publish(store, publisher, release, CLI)
    return ocid


def _kpi(name: str, rating: str, comment: str = "") -> dict:
    return {"kpi_name": name, "kpi_rating": rating, "kpi_comment": comment}


def _add(client: Client, number: int, values: dict, change: str = "") -> None:
    answer = send(client, f"{DRAFT}/kpis/{number}{change}", values)
    assert answer.status_code == 302, _summary(answer.content.decode())
    assert answer["Location"] == f"{DRAFT}/kpis{change}"


def _another(client: Client, another: str, change: str = ""):
    return send(client, f"{DRAFT}/kpis{change}", {"another": another} if another else {})


def _back(html: str) -> str:
    return re.search(r'<a href="([^"]+)" class="govuk-back-link"', html).group(1)


def _kept(client: Client) -> list:
    return client.session["openbook_draft"]["answers"].get("kpis", [])


def test_an_assessment_published_and_read_by_the_register(
    publisher, store, big, database, tmp_path
):
    client, ocid = signed_in(), big
    pages: dict[str, bytes] = {}
    started = send(client, f"/publish/processes/{ocid}", {"code": "UK9"})
    assert started["Location"] == f"{DRAFT}/route"  # one contract: not asked which
    route = client.get(f"{DRAFT}/route")
    pages["route"] = route.content
    assert _back(route.content.decode()) == f"/publish/processes/{ocid}"
    chosen = send(client, f"{DRAFT}/route", {"route": "assessment"})
    assert chosen["Location"] == f"{DRAFT}/assessed_from"
    send(client, f"{DRAFT}/assessed_from", _day("assessed_from", FROM))
    assert _back(client.get(f"{DRAFT}/assessed_to").content.decode()) == f"{DRAFT}/assessed_from"
    answer = send(client, f"{DRAFT}/assessed_to", _day("assessed_to", TO))
    assert answer["Location"] == f"{DRAFT}/kpis"
    assert client.get(f"{DRAFT}/kpis")["Location"] == f"{DRAFT}/kpis/1"
    first = client.get(f"{DRAFT}/kpis/1")
    html = first.content.decode()
    assert "Add a key performance indicator" in html and _back(html) == f"{DRAFT}/assessed_to"

    names = list(KPI)
    _add(client, 1, _kpi(names[0], "slightlyBelow"))
    listed = client.get(f"{DRAFT}/kpis")
    html = listed.content.decode()
    assert "You have added 1 key performance indicator" in html
    assert f'href="{DRAFT}/kpis/1"' in html and f'href="{DRAFT}/kpis/1/remove"' in html
    assert "Approaching target: close to meeting it" in html
    before = log.log_size(store)
    too_few = _another(client, "no")
    says = "Add at least 3 key performance indicators: the law requires 3 or more for a"
    assert too_few.status_code == 400 and says in _summary(too_few.content.decode())
    pages["too few"] = too_few.content
    unsaid = _another(client, "")
    assert unsaid.status_code == 400
    assert "Select yes if you need to add another" in _summary(unsaid.content.decode())
    assert _another(client, "yes")["Location"] == f"{DRAFT}/kpis/2"
    for number, name in enumerate(names[1:], start=2):
        rating, comment = KPI[name]
        _add(client, number, _kpi(name, rating, comment))
    _add(client, 4, _kpi("Spare", "met"))
    # Removing one: asked to confirm; "no" keeps it, "yes" removes it.
    confirm = client.get(f"{DRAFT}/kpis/4/remove")
    assert "Are you sure you want to remove Spare?" in confirm.content.decode()
    refused = send(client, f"{DRAFT}/kpis/4/remove", {})
    assert refused.status_code == 400 and "Select yes if you want to remove" in (
        _summary(refused.content.decode())
    )
    pages["remove"] = refused.content
    send(client, f"{DRAFT}/kpis/4/remove", {"confirm": "no"})
    assert len(_kept(client)) == 4
    assert send(client, f"{DRAFT}/kpis/4/remove", {"confirm": "yes"})["Location"] == (
        f"{DRAFT}/kpis"
    )
    assert [thing["kpi_name"] for thing in _kept(client)] == names
    # Changing one: its answers shown again, then back to the list.
    again = client.get(f"{DRAFT}/kpis/1").content.decode()
    assert (
        "Change a key performance indicator" in again and 'value="slightlyBelow" checked' in again
    )
    _add(client, 1, _kpi(names[0], "met"))
    pages["list"] = client.get(f"{DRAFT}/kpis").content
    assert _another(client, "no")["Location"] == f"{DRAFT}/check"
    assert log.log_size(store) == before

    check = client.get(f"{DRAFT}/check")
    html = check.content.decode()
    pages["check"] = check.content
    assert check.status_code == 200 and "govuk-error-summary" not in html, _summary(html)
    assert "Repairs within 5 days: Good: meeting or exceeding" in html
    assert "Parks mown &lt;b&gt;fortnightly&lt;/b&gt;: Requires improvement" in html
    assert f'href="{DRAFT}/kpis?change=1"' in html
    assert "What went wrong" not in html and "Which contract" not in html
    # The release the pages publish, as the publish API takes it: accepted unchanged.
    release = orjson.loads(client.get(f"{DRAFT}/check?format=json").content)["release"]
    key = create_key(store, publisher)
    validated = post(Client(), "/api/publish/validate", release, key)
    assert validated.status_code == 200 and orjson.loads(validated.content)["problems"] == []
    published = client.post(f"{DRAFT}/check", {"csrfmiddlewaretoken": _token(check)})
    assert published.status_code == 302, _summary(published.content.decode())

    (entry,) = _register(ocid)
    assert [(k["id"], k["title"], k["latestRating"]) for k in entry["kpis"]] == [
        ("1", names[0], "met"),
        ("2", names[1], "other"),
        ("3", names[2], "below"),
    ]
    assert entry["kpis"][1]["observations"][0]["notes"] == KPI[names[1]][1]
    period = entry["kpis"][0]["observations"][0]["period"]
    assert period["startDate"].startswith(str(FROM.year))
    assert entry["ratings"] == {
        **dict.fromkeys(entry["ratings"], 0),
        "met": 1,
        "other": 1,
        "below": 1,
    }
    contract = _record(ocid)["compiledRelease"]["contracts"][0]
    (document,) = contract["implementation"]["documents"]
    assert document["id"] == "UK9-notice-assessment-1"
    assert "section 71(2)" in document["description"]

    # The next year's assessment, as the form writes it: the same KPIs keep their ids, each with
    # a second observation; a new KPI is numbered after them.
    compiled = _record(ocid)["compiledRelease"]
    context = Context(ocid, BUYER["id"], BUYER["name"], datetime.now(UTC), compiled)
    answers = {"route": "assessment", "assessed_from": TO, "assessed_to": TO + timedelta(days=1)}
    answers["kpis"] = [_kpi(names[2].upper(), "met"), _kpi("Trees planted", "met", "")]
    answers["kpis"] += [_kpi(names[0], "significantlyBelow")]
    later = datetime.now(UTC) + timedelta(days=1)
    next_year = UK9.build(Context(ocid, BUYER["id"], BUYER["name"], later, compiled), answers)
    publish(store, publisher, next_year, CLI)
    (entry,) = _register(ocid)
    assert [(k["id"], len(k["observations"])) for k in entry["kpis"]] == [
        *[("1", 2), ("2", 1), ("3", 2), ("4", 1)]
    ]
    assert entry["kpis"][0]["latestRating"] == "significantlyBelow"
    assert UK9.order_problem(answers, context) is None
    wrong = {**answers, "assessed_to": TO - timedelta(days=1)}
    says = "The period assessed must end after it starts"
    assert UK9.order_problem(wrong, context) == ("assessed_to", says)
    wrong = {**answers, "assessed_to": TO + timedelta(days=2)}
    says = "The period assessed must have ended by the day you publish the notice"
    assert UK9.order_problem(wrong, context) == ("assessed_to", says)

    if database.vendor == "sqlite":  # the pages are the same on both databases: checked once
        for name, html in pages.items():
            ids = re.findall(r'\sid="([^"]+)"', html.decode())
            assert len(ids) == len(set(ids)), name
        assert validate_html(pages, tmp_path) == []


def _register(ocid: str) -> list[dict]:
    answer = Client().get("/api/registers/performance")
    assert answer.status_code == 200, answer.content[:2000]
    return [e for e in orjson.loads(answer.content)["page"] if e["ocid"] == ocid]


def _draft(client: Client, ocid: str, answers: dict) -> None:
    session = client.session
    session["openbook_draft"] = {"code": "UK9", "answers": answers, "ocid": ocid, "bound": True}
    session.save()


ASSESSED = {"route": "assessment", "assessed_from": FROM.isoformat(), "assessed_to": TO.isoformat()}

WRONG = [
    ({}, "Enter the key performance indicator"),
    ({"kpi_rating": "met"}, "Enter the key performance indicator"),
    ({"kpi_name": "Repairs"}, "Select how the supplier performed"),
    (_kpi("x" * 301, "met"), "Enter no more than 300 characters"),
    (_kpi("Bell \x07", "met"), "without control characters"),
    (_kpi("Two\nlines", "met"), "without control characters or line breaks"),
    (_kpi("Repairs", "<script>alert(1)</script>"), "Select how the supplier performed"),
    (_kpi("Repairs", "good"), "Select how the supplier performed"),
    (_kpi("Repairs", "other"), "Enter why none of the other ratings describes"),
    (_kpi("Repairs", "met", "x" * 10_001), "Enter no more than 10,000 characters"),
    (_kpi("ALREADY there", "met"), "You have already added ALREADY there"),
]


def test_a_wrong_kpi_gets_the_error_summary_and_stores_nothing(publisher, store, big):
    client = signed_in()
    _draft(client, big, {**ASSESSED, "kpis": [_kpi("Already there", "met", None)]})
    before = log.log_size(store)
    for values, says in WRONG:
        answer = send(client, f"{DRAFT}/kpis/2", values)
        html = answer.content.decode()
        assert answer.status_code == 400, values
        assert says in _summary(html), (says, _summary(html))
        assert 'class="govuk-error-message"' in html and "<script>alert" not in html
        assert _kept(client) == [_kpi("Already there", "met", None)]
    both = send(client, f"{DRAFT}/kpis/2", {}).content.decode()
    assert 'href="#kpi_name"' in both and 'href="#kpi_rating"' in both  # each field's error
    for number in ("0", "3", "abc", "99999999999999999999", "²"):
        assert client.get(f"{DRAFT}/kpis/{number}").status_code == 404, number
    assert client.get(f"{DRAFT}/kpis/2/remove").status_code == 404
    assert client.get(f"{DRAFT}/nothing/1").status_code == 404
    assert client.get(f"{DRAFT}/route/1").status_code == 404  # not a question of things
    # At most 50: no more is offered, and "yes" is not taken.
    _draft(client, big, {**ASSESSED, "kpis": [_kpi(f"KPI {n}", "met", None) for n in range(50)]})
    full = client.get(f"{DRAFT}/kpis").content.decode()
    assert "You cannot add more than 50 key performance indicators" in full
    assert 'name="another"' not in full
    assert client.get(f"{DRAFT}/kpis/51").status_code == 404
    assert _another(client, "yes")["Location"] == f"{DRAFT}/check"
    assert len(_kept(client)) == 50 and log.log_size(store) == before
    # A draft whose things are not a list: none added, so the first is asked.
    _draft(client, big, {**ASSESSED, "kpis": "<script>"})
    assert client.get(f"{DRAFT}/kpis")["Location"] == f"{DRAFT}/kpis/1"
    # The words of these pages, in Welsh.
    _draft(client, big, {**ASSESSED, "kpis": [_kpi("Repairs", "met", None)]})
    welsh = client.get(f"{DRAFT}/kpis?lang=cy").content.decode()
    assert '<html lang="cy"' in welsh and "Oes angen i chi ychwanegu" in welsh


def test_changing_the_route_asks_the_other_routes_questions_then_returns(
    publisher, store, contracted
):
    """From check your answers: the assessment's questions asked in turn (each returning to the
    next unanswered), the breach's skipped; changing back keeps the breach's answers. A contract
    of £240,000 needs one KPI at least."""
    client, big = signed_in(), contracted
    happened = _today() - timedelta(days=3)
    failure = {"route": "failure", "ground": "settlement", "happened": happened.isoformat()}
    failure |= {"requirement": "Mow.", "description": "Not mown.", "ended": None}
    failure |= {"began": (happened - timedelta(days=9)).isoformat(), "penalty_value": None}
    _draft(client, big, failure)
    html = client.get(f"{DRAFT}/check").content.decode()
    assert "What went wrong, and what was its impact?" in html
    answer = send(client, f"{DRAFT}/route?change=1", {"route": "assessment", "change": "1"})
    assert answer["Location"] == f"{DRAFT}/assessed_from?change=1"
    answer = send(client, answer["Location"], {**_day("assessed_from", FROM), "change": "1"})
    answer = send(client, answer["Location"], {**_day("assessed_to", TO), "change": "1"})
    assert answer["Location"] == f"{DRAFT}/kpis?change=1"
    assert client.get(answer["Location"])["Location"] == f"{DRAFT}/kpis/1?change=1"
    _add(client, 1, {**_kpi("Repairs", "met"), "change": "1"}, change="?change=1")
    assert _another(client, "no", "?change=1")["Location"] == f"{DRAFT}/check"
    html = client.get(f"{DRAFT}/check").content.decode()
    assert "What went wrong" not in html and "Repairs: Good" in html
    assert client.get(f"{DRAFT}/ground")["Location"] == f"{DRAFT}/check"  # skipped
    back = send(client, f"{DRAFT}/route?change=1", {"route": "failure", "change": "1"})
    assert back["Location"] == f"{DRAFT}/check"
    html = client.get(f"{DRAFT}/check").content.decode()
    assert "Not mown." in html and "Repairs" not in html


def test_a_corrected_assessment_keeps_its_kpis_ids(publisher, store, big):
    client, ocid = signed_in(), big
    compiled = _record(ocid)["compiledRelease"]
    answers = {"route": "assessment", "assessed_from": FROM, "assessed_to": TO}
    answers["kpis"] = [_kpi(name, *KPI[name]) for name in KPI]
    context = Context(ocid, BUYER["id"], BUYER["name"], datetime.now(UTC), compiled)
    first = UK9.build(context, answers)
    publish(store, publisher, first, CLI)

    address = f"/publish/processes/{ocid}/notices/{first['id']}/correct"
    assert send(client, address, {})["Location"] == f"{DRAFT}/check"
    kept = client.session["openbook_draft"]["answers"]
    assert kept["route"] == "assessment" and len(kept["kpis"]) == 3
    assert "ground" not in kept  # the other route's questions are not read back
    name = list(KPI)[1]
    _add(client, 2, {**_kpi(name, "met", "Now rated."), "change": "1"}, change="?change=1")
    assert _another(client, "no", "?change=1")["Location"] == f"{DRAFT}/check"
    check = client.get(f"{DRAFT}/check")
    answer = client.post(f"{DRAFT}/check", {"csrfmiddlewaretoken": _token(check)})
    assert answer.status_code == 302, _summary(answer.content.decode())
    metrics = _record(ocid)["compiledRelease"]["contracts"][0]["implementation"]["metrics"]
    assert [(m["id"], [o["id"] for o in m["observations"]]) for m in metrics] == [
        *[("1", ["1"]), ("2", ["1"]), ("3", ["1"])]
    ]
    assert metrics[1]["observations"][0]["measureClassification"]["id"] == "met"
    (entry,) = _register(ocid)
    assert [len(k["observations"]) for k in entry["kpis"]] == [1, 1, 1]
    assert entry["kpis"][1]["latestRating"] == "met"


# The assessment itself, without pages.

NOW = datetime(2026, 7, 20, 9, 30, tzinfo=UTC)


def _context(value: float | None = 6_000_000, **contract) -> Context:
    compiled = {
        "tender": {"id": "1", "title": "Parks"},
        "awards": [{"id": "1", "value": {"amount": 100, "currency": "GBP"}}],
        "contracts": [{"id": "1", "awardID": "1", **contract}],
    }
    if value is not None:
        compiled["contracts"][0]["value"] = {"amount": value, "currency": "GBP"}
    return Context("ocds-b5fd17-c1", BUYER["id"], BUYER["name"], NOW, compiled)


@pytest.mark.parametrize(
    ("value", "count", "enough"),
    [
        (6_000_000, 2, False),
        (6_000_000, 3, True),
        (5_000_000, 1, True),  # "more than £5 million"
        (5_000_000.01, 1, False),
        (None, 1, True),  # the award's value, £100, counts when the contract gives none
        (None, 0, False),
    ],
)
def test_three_kpis_for_a_contract_over_5_million(value, count, enough):
    answers = {"kpis": [_kpi(f"K{n}", "met") for n in range(count)]}
    assert (kpis.enough(_context(value), answers) is None) == enough


def test_kpis_keep_their_ids_from_year_to_year_and_corrections_keep_theirs():
    metrics = [
        {"id": "7", "title": "Repairs", "observations": [{"id": "1"}, {"id": "2"}]},
        {"id": "9", "title": "Complaints"},
    ]
    documents = [{"id": "UK9-notice-assessment-2-20260105T100000Z"}, {"id": "UK9-notice-1"}]
    context = _context(implementation={"metrics": metrics, "documents": documents})
    answers = {"route": "assessment", "assessed_from": date(2025, 7, 1)}
    answers |= {"assessed_to": date(2026, 6, 30)}
    answers["kpis"] = [_kpi("REPAIRS", "met", None), _kpi("Trees", "below", "Few.")]
    release = UK9.build(context, answers)
    (contract,) = release["contracts"]
    built = contract["implementation"]["metrics"]
    assert [(m["id"], m["observations"][0]["id"]) for m in built] == [("7", "3"), ("10", "1")]
    assert built[1]["observations"][0] == {
        "id": "1",
        "period": {
            "startDate": "2025-07-01T00:00:00+01:00",
            "endDate": "2026-06-30T23:59:59+01:00",
        },
        "measureClassification": {"id": "below", "description": "Requires improvement"},
        "notes": "Few.",
    }
    assert contract["implementation"]["documents"][0]["id"] == "UK9-notice-assessment-3"
    assert release["id"].endswith("-assessment-3")
    # Read back for a correction: the route, the period and the KPIs; not the breach's answers.
    assert answers_from(UK9, release, context.compiled) == answers
    # A correction that renames a KPI keeps its id and its observation's.
    renamed = {**answers, "kpis": [_kpi("Repairs done", "met", None), answers["kpis"][1]]}
    later = Context(context.ocid, BUYER["id"], BUYER["name"], NOW, context.compiled)
    corrected = as_correction(UK9.build(later, renamed), release["id"], later, original=release)
    fixed = corrected["contracts"][0]["implementation"]["metrics"]
    assert [(m["id"], m["observations"][0]["id"]) for m in fixed] == [("7", "3"), ("10", "1")]
