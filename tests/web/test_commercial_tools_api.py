"""GET /api/registers/commercial-tools and /{ocid}: the commercial tools register, on both
databases, from releases published as publishers send them (well and badly formed)."""

import orjson
import pytest

from openbook.store.database import Store
from tests.conftest import reuse
from tests.factories import create_release
from tests.web.conftest import publish

FRAMEWORK = "ocds-213czf-fw1"
RENEWAL = "ocds-213czf-fw2"
BUYER = {"id": "GB-GOR-EA1015", "name": "Crown Commercial Service", "roles": ["buyer"]}
BUYER["identifier"] = {"scheme": "GB-GOR", "id": "EA1015"}
ALPHA = ("GB-COH-11111111", "Alpha Ltd")
BETA = ("GB-COH-22222222", "Beta Ltd")
GAMMA = ("GB-COH-33333333", "Gamma Ltd")


def _party(identifier: str, name: str) -> dict:
    scheme, number = identifier.rsplit("-", 1)
    return {
        "id": identifier,
        "name": name,
        "roles": ["supplier"],
        "identifier": {"scheme": scheme, "id": number},
    }


def _award(award_id, supplier, lots=None, *, status="active", date="2026-02-01", value=None):
    award = {
        "id": award_id,
        "status": status,
        "date": f"{date}T00:00:00Z",
        "suppliers": [{"id": supplier[0], "name": supplier[1]}],
    }
    if lots is not None:
        award["relatedLots"] = lots
    if value is not None:
        award["value"] = {"amount": value[0], "currency": value[1]}
    return award


def framework_releases() -> list[dict]:
    """A framework of two lots: Alpha joins lot 1 in February, Beta both lots in March, Gamma
    lot 2 in March, until its award is cancelled in May."""
    tender = {
        "id": "t1",
        "title": "Office Supplies Framework",
        "status": "active",
        "value": {"amount": 2_000_000, "currency": "GBP"},
        "items": [{"id": "1", "classification": {"scheme": "CPV", "id": "45233140"}}],
        "lots": [
            {"id": "1", "title": "Stationery", "status": "active"},
            {"id": "2", "title": "Furniture", "status": "active"},
        ],
        "techniques": {
            "hasFrameworkAgreement": True,
            "frameworkAgreement": {
                "period": {"startDate": "2026-01-01T00:00:00Z", "endDate": "2099-12-31"},
                "value": {"amount": 1_000_000, "currency": "GBP"},
            },
        },
    }
    parties = [BUYER, _party(*ALPHA), _party(*BETA), _party(*GAMMA)]
    return [
        create_release(FRAMEWORK, "1", tag=["tender"], parties=[BUYER], tender=tender),
        create_release(
            FRAMEWORK,
            "2",
            date="2026-02-02T00:00:00Z",
            tag=["award"],
            parties=parties[:2],
            awards=[_award("a1", ALPHA, ["1"])],
        ),
        create_release(
            FRAMEWORK,
            "3",
            date="2026-03-20T00:00:00Z",
            tag=["award"],
            parties=parties,
            awards=[
                _award("a2", BETA, ["1", "2"], date="2026-03-01"),
                _award("a3", GAMMA, ["2"], date="2026-03-15"),
            ],
        ),
        create_release(
            FRAMEWORK,
            "4",
            date="2026-05-01T09:30:00Z",
            tag=["awardUpdate"],
            awards=[{"id": "a3", "status": "cancelled"}],
        ),
    ]


def call_off(ocid, related, *awards, date="2026-06-01"):
    return create_release(
        ocid,
        "1",
        date=f"{date}T00:00:00Z",
        tag=["award"],
        parties=[
            {"id": "GB-GOR-LCC", "name": "Leeds City Council", "roles": ["buyer"]},
            _party(*ALPHA),
        ],
        tender={"id": "t", "title": f"Call-off {ocid[-3:]}"},
        relatedProcesses=related,
        awards=list(awards),
    )


def _link(identifier=FRAMEWORK, lots=None, relationship=("framework",), scheme="ocid"):
    link = {"id": "1", "relationship": list(relationship), "scheme": scheme}
    if identifier is not None:
        link["identifier"] = identifier
    if lots is not None:
        link["relatedLots"] = lots
    return link


def call_offs() -> list[dict]:
    return [
        call_off(
            "ocds-213czf-co1",
            [_link(lots=["1"])],
            _award("1", ALPHA, value=(1000, "GBP")),
            _award("2", ALPHA, status="cancelled", value=(999, "GBP")),  # awarded nothing
        ),
        # A string relationship, as OCDS 1.0 and some publishers write it.
        call_off(
            "ocds-213czf-co2",
            [{**_link(lots=["1"]), "relationship": "framework"}],
            _award("1", ALPHA, value=(500, "EUR")),
        ),
        call_off("ocds-213czf-co3", [_link()], _award("1", ALPHA, value=(200.5, "GBP"))),
        # Names a framework nobody published.
        call_off("ocds-213czf-co4", [_link("ocds-213czf-nowhere")], _award("1", ALPHA)),
        # Malformed: not a list, no identifier, another scheme.
        call_off("ocds-213czf-bad1", _link(), _award("1", ALPHA, value=(7, "GBP"))),
        call_off("ocds-213czf-bad2", [_link(None)], _award("1", ALPHA, value=(7, "GBP"))),
        call_off("ocds-213czf-bad3", [_link(scheme="url"), "x", None], _award("1", ALPHA)),
    ]


def renewal() -> dict:
    """A dynamic market, ended, that names the framework as the process it renews."""
    return create_release(
        RENEWAL,
        "1",
        date="2026-07-01T00:00:00Z",
        parties=[BUYER],
        tender={
            "id": "t2",
            "title": "Furniture Dynamic Market",
            "techniques": {"hasDynamicPurchasingSystem": True},
            "contractPeriod": {"startDate": "2019-01-01", "endDate": "2020-12-31"},
        },
        relatedProcesses=[_link(relationship=["prior"])],
    )


@pytest.fixture
def register(store):
    """The register on a fresh database, for the tests that publish more."""
    return _register(store)


def _register(store):
    publish(store, framework_releases())
    publish(store, call_offs())
    publish(store, [renewal()])
    return store


@pytest.fixture(scope="module")
def _register_once(shared_database):
    _register(reuse(shared_database).store)


@pytest.fixture
def register_once(shared_database, _register_once) -> Store:
    """The register, on one database a kind for the module's tests that only read it."""
    return reuse(shared_database).store


def _get(client, path="", **query):
    response = client.get(f"/api/registers/commercial-tools{path}", query)
    return response.status_code, orjson.loads(response.content)


def test_a_framework_has_its_lots_members_over_time_and_values_per_lot(reader, register_once):
    status, body = _get(reader, f"/{FRAMEWORK}")
    assert status == 200
    assert (body["kind"], body["status"], body["title"]) == (
        "framework",
        "active",
        "Office Supplies Framework",
    )
    assert body["period"] == {"startDate": "2026-01-01", "endDate": "2099-12-31"}
    assert body["estimatedValue"] == {
        "amount": 1_000_000.0,
        "currency": "GBP",
        "source": "frameworkAgreement",
    }
    assert [(lot["id"], lot["members"]) for lot in body["lots"]] == [("1", 2), ("2", 1)]
    members = {member["identifier"]: member for member in body["members"]}
    assert members["GB-COH-11111111"]["awards"] == [
        {"lot": "1", "award": "a1", "state": "active", "joined": "2026-02-01", "ended": None}
    ]
    assert [(a["lot"], a["joined"]) for a in members["GB-COH-22222222"]["awards"]] == [
        ("1", "2026-03-01"),
        ("2", "2026-03-01"),
    ]
    gamma = members["GB-COH-33333333"]
    assert gamma["state"] == "ended"
    assert gamma["awards"] == [
        {"lot": "2", "award": "a3", "state": "ended", "joined": "2026-03-15", "ended": "2026-05-01"}
    ]
    # Three call-offs name it; the one naming an unknown framework and the malformed do not.
    assert body["callOffCount"] == 3
    # Nothing spent: no payment is linked (tests/test_linked_spend.py).
    assert body["awardedByLot"] == [
        {"lots": [], "callOffs": 1, "awarded": [{"amount": 200.5, "currency": "GBP"}], "spent": []},
        {
            "lots": ["1"],
            "callOffs": 2,
            "awarded": [
                {"amount": 1000.0, "currency": "GBP"},
                {"amount": 500.0, "currency": "EUR"},
            ],
            "spent": [],
        },
    ]
    # Never a sum across currencies; the estimate is not among what was awarded.
    assert body["awarded"] == [
        {"amount": 1200.5, "currency": "GBP"},
        {"amount": 500.0, "currency": "EUR"},
    ]
    assert [c["ocid"] for c in body["callOffs"]] == [
        "ocds-213czf-co3",
        "ocds-213czf-co2",
        "ocds-213czf-co1",
    ]
    first = body["callOffs"][2]
    assert first["lots"] == ["1"]
    assert first["suppliers"] == [{"name": "Alpha Ltd", "identifier": "GB-COH-11111111"}]
    assert first["buyer"] == {"id": "GB-GOR-LCC", "name": "Leeds City Council"}


def test_renewals_are_in_the_lineage_from_both_sides(reader, register_once):
    body = _get(reader, f"/{FRAMEWORK}")[1]
    assert body["lineage"] == [
        {
            "ocid": RENEWAL,
            "role": "successor",
            "relationship": "prior",
            "namedBy": RENEWAL,
            "held": True,
            "title": "Furniture Dynamic Market",
            "kind": "dynamic-market",
        }
    ]
    renewed = _get(reader, f"/{RENEWAL}")[1]
    assert (renewed["kind"], renewed["status"]) == ("dynamic-market", "ended")
    assert [(r["ocid"], r["role"], r["kind"]) for r in renewed["lineage"]] == [
        (FRAMEWORK, "predecessor", "framework")
    ]
    assert renewed["callOffCount"] == 0 and renewed["members"] == []


def test_a_call_off_points_to_its_framework(reader, register_once):
    status, body = _get(reader, "/ocds-213czf-co1")
    assert status == 404
    assert body["error"]["code"] == "not-found"
    assert "is a call-off" in body["error"]["message"]
    assert f"see /api/registers/commercial-tools/{FRAMEWORK}" in body["error"]["message"]
    message = _get(reader, "/ocds-213czf-co4")[1]["error"]["message"]
    assert "ocds-213czf-nowhere" in message


@pytest.mark.parametrize(
    ("ocid", "words"),
    [
        ("ocds-213czf-bad1", "is not a framework"),
        ("ocds-213czf-bad2", "is not a framework"),
        ("ocds-213czf-nowhere", "no process has the ocid"),
        ("ocds-213czf-none", "no process has the ocid"),
    ],
)
def test_what_is_no_tool_is_not_found_and_says_why(reader, register_once, ocid, words):
    status, body = _get(reader, f"/{ocid}")
    assert status == 404
    assert words in body["error"]["message"]


def test_the_register_lists_tools_with_their_counts(reader, register_once):
    status, body = _get(reader)
    assert status == 200
    assert [(t["ocid"], t["kind"], t["status"]) for t in body["page"]] == [
        (RENEWAL, "dynamic-market", "ended"),
        (FRAMEWORK, "framework", "active"),
    ]
    framework = body["page"][1]
    assert (framework["members"], framework["callOffs"], framework["lotCount"]) == (2, 3, 2)
    assert framework["buyer"] == {"id": "GB-GOR-EA1015", "name": "Crown Commercial Service"}
    assert framework["membership"] is None  # given with `member` only
    assert body["next"] is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": "dynamic-market"}, [RENEWAL]),
        ({"kind": "framework"}, [FRAMEWORK]),
        ({"status": "active"}, [FRAMEWORK]),
        ({"status": "ended"}, [RENEWAL]),
        ({"cpv": "4523"}, [FRAMEWORK]),
        ({"cpv": "45233140-2"}, [FRAMEWORK]),
        ({"cpv": "33"}, []),
        ({"buyer": "gb-gor-ea1015"}, [RENEWAL, FRAMEWORK]),
        ({"buyer": "GB-GOR-LCC1"}, []),
        ({"q": "office"}, [FRAMEWORK]),
        ({"q": "100%"}, []),
        ({"member": "GB-COH-22222222", "kind": "framework"}, [FRAMEWORK]),
        ({"member": "GB-COH-44444444"}, []),
    ],
)
def test_filters(reader, register_once, query, expected):
    status, body = _get(reader, **query)
    assert status == 200
    assert [t["ocid"] for t in body["page"]] == expected


def test_an_organisations_frameworks_show_its_membership(reader, register_once):
    body = _get(reader, member="GB-COH-33333333")[1]
    assert [t["ocid"] for t in body["page"]] == [FRAMEWORK]
    assert body["page"][0]["membership"] == [
        {"lot": "2", "award": "a3", "state": "ended", "joined": "2026-03-15", "ended": "2026-05-01"}
    ]


def test_pages_follow_without_gaps_or_repeats(reader, register_once):
    seen, before = [], None
    while True:
        query = {"limit": 1} if before is None else {"limit": 1, "before": before}
        body = _get(reader, **query)[1]
        seen += [t["ocid"] for t in body["page"]]
        before = body["next"]
        if before is None:
            break
    assert seen == [RENEWAL, FRAMEWORK]
    first = _get(reader, f"/{FRAMEWORK}", limit=2)[1]
    assert len(first["callOffs"]) == 2 and first["next"] is not None
    rest = _get(reader, f"/{FRAMEWORK}", limit=2, before=first["next"])[1]
    assert [c["ocid"] for c in first["callOffs"] + rest["callOffs"]] == [
        "ocds-213czf-co3",
        "ocds-213czf-co2",
        "ocds-213czf-co1",
    ]
    assert rest["next"] is None


@pytest.mark.parametrize(
    "case",
    [
        ("", {"kind": "contract"}, "invalid-parameter", "kind", "not one of framework"),
        ("", {"status": "open"}, "invalid-parameter", "status", "not one of active, ended"),
        ("", {"cpv": "4"}, "invalid-parameter", "cpv", "not a CPV code"),
        ("", {"cpv": "abc"}, "invalid-parameter", "cpv", "not a CPV code"),
        ("", {"limit": 0}, "invalid-parameter", "limit", "limit"),
        ("", {"limit": 101}, "invalid-parameter", "limit", "limit"),
        ("", {"before": -1}, "invalid-parameter", "before", "before"),
        ("", {"before": "x"}, "invalid-parameter", "before", "before"),
        ("", {"member": "nonsense"}, "invalid-identifier", "member", "org-id.guide"),
        ("", {"buyer": "GB-COH-123456789"}, "invalid-identifier", "buyer", "8 characters"),
        ("", {"q": "a\x00b"}, "invalid-parameter", "q", "NUL"),
        (f"/{FRAMEWORK}", {"limit": 501}, "invalid-parameter", "limit", "limit"),
        ("/" + "o" * 301, {}, "invalid-parameter", "ocid", "at most 300"),
    ],
)
def test_bad_requests_get_a_precise_error(reader, register_once, case):
    path, query, code, parameter, words = case
    status, body = _get(reader, path, **query)
    assert status == 400
    assert body["error"]["code"] == code
    assert body["error"]["parameter"] == parameter
    assert words in body["error"]["message"]


def test_a_framework_compiled_again_keeps_one_set_of_rows(client, register):
    # A correction drops Alpha's lot: the old rows go with the old search row.
    correction = create_release(
        FRAMEWORK,
        "5",
        date="2026-08-01T00:00:00Z",
        tag=["awardUpdate"],
        awards=[{"id": "a1", "relatedLots": ["2"]}],
    )
    publish(register, [correction])
    body = _get(client, f"/{FRAMEWORK}")[1]
    alpha = next(m for m in body["members"] if m["identifier"] == "GB-COH-11111111")
    assert [a["lot"] for a in alpha["awards"]] == ["2"]
    assert [(lot["id"], lot["members"]) for lot in body["lots"]] == [("1", 1), ("2", 2)]
    assert _get(client)[1]["page"][0]["ocid"] == FRAMEWORK  # the most recently changed


def test_the_migration_fills_in_tools_compiled_before_it(client, register):
    from django.core.management import call_command

    before = _get(client, f"/{FRAMEWORK}")[1]
    listed = _get(client)[1]
    call_command("migrate", "store", "0014_process_party", verbosity=0)
    call_command("migrate", "store", verbosity=0)
    assert _get(client, f"/{FRAMEWORK}")[1] == before
    assert _get(client)[1] == listed
