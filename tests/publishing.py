"""Factories for the publishing tests: organisations, keys, and UK notices as an authority's
e-procurement system would send them (the UK extension's fields; docs/notices.md)."""

import orjson

from openbook.publishing import publishers
from openbook.standards.uk.notices import NOTICE_TYPES

CLI = publishers.Actor("cli:test")
BUYER = {"id": "GB-PPON-PXXX-1234-BCDG", "name": "Example Borough Council"}
OTHER_BUYER = {"id": "GB-GOR-PB999", "name": "Another District Council"}
SUPPLIER = {"id": "GB-COH-01234567", "name": "Green Spaces Ltd"}


def create_publisher(store, buyer=BUYER) -> publishers.Organisation:
    return publishers.add_publisher(store, buyer["name"], buyer["id"], CLI)


def create_key(store, organisation, role="publisher", name="tendering system") -> str:
    """A new key's whole text, for an Authorization header."""
    return publishers.create_key(store, str(organisation.id), name, CLI, role).secret


def bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def post(client, path, value, key, **extra):
    body = value if isinstance(value, bytes) else orjson.dumps(value)
    return client.post(
        path,
        data=body,
        content_type=extra.pop("content_type", "application/json"),
        **bearer(key),
        **extra,
    )


def notice(code, day, ocid, *, buyer=BUYER, tag=None, section="tender", **fields) -> dict:
    """A release carrying notice ``code`` published at 10:00 UK time on ``day``."""
    summer = "-04-" <= day[4:8] <= "-10-"
    moment = f"{day}T10:00:00+01:00" if summer else f"{day}T10:00:00Z"
    release = {
        "ocid": ocid,
        "id": f"{ocid}-{code}-{day}",
        "date": moment,
        "tag": tag or ["tender"],
        "initiationType": "tender",
        "buyer": dict(buyer),
        "parties": [{**buyer, "roles": ["buyer"]}],
        "tender": {"id": "T1", "title": "Grounds maintenance"},
    }
    release.update(fields)
    document = {"id": f"{code}-notice", "noticeType": code, "datePublished": moment}
    known = NOTICE_TYPES.get(code)
    if known is not None and known.document_type:
        document["documentType"] = known.document_type
    if section in ("awards", "contracts"):
        release[section][0].setdefault("documents", []).append(document)
    else:
        release.setdefault(section, {}).setdefault("documents", []).append(document)
    return release


def pipeline(ocid, buyer=BUYER) -> dict:
    return notice(
        "UK1",
        "2025-04-01",
        ocid,
        buyer=buyer,
        tag=["planning"],
        section="planning",
        planning={"rationale": "Pipeline of procurements over £2 million"},
    )


def engagement(ocid) -> dict:
    return notice(
        "UK2",
        "2025-05-01",
        ocid,
        tag=["planning"],
        section="planning",
        planning={"milestones": [{"id": "E1", "type": "engagement", "title": "Market day"}]},
    )


def tender(ocid, day="2025-06-02", **changes) -> dict:
    fields = {
        "id": "T1",
        "title": "Grounds maintenance",
        "value": {"amount": 250000, "currency": "GBP"},
        "tenderPeriod": {"endDate": "2025-07-04T12:00:00+01:00"},
    }
    fields.update(changes)
    return notice("UK4", day, ocid, tender=fields)


def award(ocid) -> dict:
    return notice(
        "UK6",
        "2025-07-15",
        ocid,
        tag=["award"],
        section="awards",
        parties=[{**BUYER, "roles": ["buyer"]}, {**SUPPLIER, "roles": ["supplier"]}],
        awards=[
            {
                "id": "1",
                "date": "2025-07-14T09:00:00+01:00",
                "suppliers": [SUPPLIER],
                "value": {"amount": 240000, "currency": "GBP"},
            }
        ],
    )


def _contract(**fields) -> dict:
    return {
        "id": "1",
        "awardID": "1",
        "dateSigned": "2025-07-28T09:00:00+01:00",
        "value": {"amount": 240000, "currency": "GBP"},
        **fields,
    }


def contract_details(ocid) -> dict:
    return notice(
        "UK7", "2025-08-01", ocid, tag=["contract"], section="contracts", contracts=[_contract()]
    )


def contract_change(ocid) -> dict:
    return notice(
        "UK10",
        "2025-10-01",
        ocid,
        tag=["contractAmendment"],
        section="contracts",
        contracts=[_contract(value={"amount": 260000, "currency": "GBP"})],
    )


def contract_termination(ocid) -> dict:
    return notice(
        "UK11",
        "2026-03-02",
        ocid,
        tag=["contractTermination"],
        section="contracts",
        contracts=[_contract(status="terminated")],
    )


def lifecycle(ocid) -> list[dict]:
    """A procurement from preliminary market engagement to termination, in order."""
    return [
        engagement(ocid),
        tender(ocid),
        award(ocid),
        contract_details(ocid),
        contract_change(ocid),
        contract_termination(ocid),
    ]
