"""The change history read from a versioned release (openbook.standards.ocds.changes)."""

from openbook.standards.ocds import changes


def _versions(*values: tuple[str, str, object]) -> list[dict]:
    return [
        {"releaseID": release, "releaseDate": date, "releaseTag": ["update"], "value": value}
        for release, date, value in values
    ]


VERSIONED = {
    "ocid": "ocds-x-1",
    "tender": {
        "status": _versions(
            ("r1", "2025-01-01T00:00:00Z", "active"), ("r3", "2025-03-01T00:00:00Z", "complete")
        ),
        "title": _versions(("r1", "2025-01-01T00:00:00Z", "Meals")),
    },
    "contracts": [
        {
            "id": "2",
            "value": {
                "amount": _versions(
                    ("r2", "2025-02-01T00:00:00Z", 100),
                    ("r3", "2025-03-01T00:00:00Z", 150),
                )
            },
            "amendments": [
                {"id": "1", "releaseID": _versions(("r3", "2025-03-01T00:00:00Z", "r2"))}
            ],
        }
    ],
}


def test_every_replaced_value_is_a_change_with_its_release():
    found = list(changes.history(VERSIONED))
    assert [(c.path, c.field, c.ids, c.before, c.after, c.release_id) for c in found] == [
        ("tender.status", "tender.status", (), "active", "complete", "r3"),
        ("contracts[id=2].value.amount", "contracts.value.amount", ("2",), 100, 150, "r3"),
    ]


def test_a_field_named_like_a_version_key_is_not_taken_for_one():
    # An amendment's releaseID is a field (OCDS Amendment), versioned like any other.
    assert changes.is_history(VERSIONED["contracts"][0]["amendments"][0]["releaseID"])
    assert not changes.is_history(VERSIONED["contracts"][0]["amendments"])


def test_changes_are_grouped_by_release_in_date_order():
    later = {
        "x": _versions(("b", "2025-05-01T00:00:00+01:00", 1), ("c", "2025-06-01T00:00:00Z", 2))
    }
    groups = changes.by_release([*changes.history(later), *changes.history(VERSIONED)])
    assert [group.release_id for group in groups] == ["r3", "c"]
    assert len(groups[0].changes) == 2
