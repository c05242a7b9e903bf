"""A process's lifecycle as a timeline (openbook.standards.ocds.lifecycle)."""

from openbook.standards.ocds import lifecycle

COMPILED = {
    "planning": {"rationale": "Needed"},
    "tender": {
        "title": "Meals",
        "status": "complete",
        "value": {"amount": 1000, "currency": "GBP"},
        "tenderPeriod": {"startDate": "2025-01-10T00:00:00Z", "endDate": "2025-02-10T00:00:00Z"},
        "lots": [{"id": "1", "title": "North", "value": {"amount": "lots"}}],
        "documents": [
            {"id": "d1", "noticeType": "UK4", "url": "javascript:alert(1)"},
            {"id": "d2", "url": "https://example.org/n", "datePublished": "2025-01-10T00:00:00Z"},
        ],
    },
    "awards": [{"id": "1", "date": "2025-03-01", "suppliers": [{"id": "GB-COH-1", "name": "A"}]}],
    "contracts": [
        {
            "id": "1",
            "dateSigned": "2025-03-20T00:00:00Z",
            "status": "terminated",
            "amendments": [{"id": "1", "date": "2025-06-01T00:00:00Z", "rationale": "More"}],
            "documents": [
                {"id": "t", "noticeType": "UK11", "datePublished": "2025-09-01T00:00:00Z"},
            ],
        }
    ],
}
RELEASES = [{"date": "2024-12-01T00:00:00Z", "tag": ["tender"]}]


def test_the_stages_come_in_date_order():
    events = lifecycle.timeline(COMPILED, RELEASES)
    assert [(e["stage"], e["date"]) for e in events] == [
        ("planning", "2024-12-01T00:00:00Z"),  # published with the tender notice
        ("tender", "2025-01-10T00:00:00Z"),
        ("award", "2025-03-01"),
        ("contract", "2025-03-20T00:00:00Z"),
        ("amendment", "2025-06-01T00:00:00Z"),
        ("termination", "2025-09-01T00:00:00Z"),
    ]


def test_values_lots_and_documents_are_read_defensively():
    tender = lifecycle.timeline(COMPILED, RELEASES)[1]
    assert tender["value"] == {"amount": 1000.0, "currency": "GBP"}
    assert tender["lots"][0]["value"] is None  # an amount written as text is no value
    # Only web addresses are links: a javascript: URL a publisher gave is not.
    assert [d["url"] for d in tender["documents"]] == [None, "https://example.org/n"]
    assert tender["documents"][0]["noticeType"] == "UK4"


def test_the_termination_notice_belongs_to_the_termination():
    events = lifecycle.timeline(COMPILED, RELEASES)
    contract = next(e for e in events if e["stage"] == "contract")
    ending = next(e for e in events if e["stage"] == "termination")
    assert contract["documents"] == [] and [d["id"] for d in ending["documents"]] == ["t"]


def test_the_wrong_shapes_are_left_out():
    assert lifecycle.timeline({"tender": [], "awards": {"a": 1}, "contracts": ["x"]}) == []
