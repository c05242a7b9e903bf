"""``openbook identifiers``: the identifier problems of the data held, on both databases."""

import orjson

from openbook.identifiers import report
from openbook.load.loader import load
from tests.factories import create_release
from tests.test_cli import openbook


def _party(party_id, name, roles, identifier=None, more=None):
    party = {"id": party_id, "name": name, "roles": roles}
    if identifier is not None:
        party["identifier"] = identifier
    if more is not None:
        party["additionalIdentifiers"] = more
    return party


BUYER = _party("GB-GOR-PB425", "Cabinet Office", ["buyer"], {"scheme": "GB-GOR", "id": "PB425"})
RELEASES = [
    create_release(
        "ocds-213czf-id-1",
        "1",
        parties=[
            BUYER,
            _party(
                "s1",
                "Acme Limited",
                ["supplier"],
                {"scheme": "GB-COH", "id": "1234567"},  # leading zero lost
                [{"scheme": "GB-PPON", "id": "PMZV-7732-XXTT"}],
            ),
            _party("s2", "Jones & Sons", ["tenderer"]),  # name only
        ],
    ),
    create_release(
        "ocds-213czf-id-2",
        "1",
        parties=[
            BUYER,
            # The same company number as Acme's, under another name: shared.
            _party("s3", "Widget Works Ltd", ["supplier"], {"scheme": "GB-COH", "id": "01234567"}),
            _party("s4", "Placeholder Ltd", ["supplier"], {"scheme": "GB-COH", "id": "N/A"}),
            _party("s5", "Bad VAT Ltd", ["supplier"], {"scheme": "GB-VAT", "id": "217967236"}),
            _party("s6", "Jones and Sons", ["supplier"]),  # the same name, written otherwise
        ],
    ),
    create_release(
        "ocds-213czf-id-3",
        "1",
        parties=[
            BUYER,
            # Acme again, with another company number: one name, two ids of a scheme.
            _party("s7", "ACME LTD.", ["supplier"], {"scheme": "GB-COH", "id": "07654321"}),
            _party("s8", "Foreign SA", ["supplier"], {"scheme": "XI-LEI", "id": "abc"}),
            _party("s9", "No Scheme", ["supplier"], {"id": "42"}),
            _party("s10", "Widget-Works", ["tenderer"]),  # named as an identified supplier
            _party("s11", "Empty", ["tenderer"], {"scheme": "", "id": ""}),  # none, written so
        ],
    ),
]


def _loaded(store, tmp_path):
    path = tmp_path / "releases.jsonl"
    path.write_bytes(b"".join(orjson.dumps(release) + b"\n" for release in RELEASES))
    load(store, [path])
    return path


def test_the_report_counts_every_kind_of_problem(store, tmp_path):
    _loaded(store, tmp_path)
    found = report(store).as_dict()
    assert found["processes"] == 3
    assert found["parties"] == 14
    assert found["partiesWithoutIdentifier"] == 4
    assert found["rolesWithoutIdentifier"] == {"tenderer": 3, "supplier": 1}
    schemes = found["schemes"]
    assert schemes["GB-COH"]["identifiers"] == 4
    assert schemes["GB-COH"]["valid"] == 3 and schemes["GB-COH"]["repaired"] == 1
    assert schemes["GB-COH"]["problems"] == {"placeholder": 1}
    (example,) = schemes["GB-COH"]["examples"]["placeholder"]
    assert example["ocid"] == "ocds-213czf-id-2" and example["party"] == "Placeholder Ltd"
    assert "'N/A' stands in for an id" in example["message"]
    assert schemes["GB-VAT"]["problems"] == {"check-digits": 1}
    assert schemes["GB-GOR"] == {
        "identifiers": 3,
        "valid": 3,
        "repaired": 0,
        "checked": True,
        "problems": {},
        "examples": {},
    }
    assert schemes["XI-LEI"]["checked"] is False and schemes["XI-LEI"]["valid"] == 1
    assert schemes["(none)"]["problems"] == {"scheme-missing": 1}
    assert found["sharedIdentifiers"] == {
        "count": 1,
        "top": [{"identifier": "GB-COH-01234567", "names": ["Acme Limited", "Widget Works Ltd"]}],
    }
    assert found["namesWithSeveralIdentifiers"] == {
        "count": 1,
        "top": [{"name": "Acme Limited", "identifiers": ["GB-COH-01234567", "GB-COH-07654321"]}],
    }
    assert found["nameOnlyParties"] == {
        "count": 3,
        "top": [
            {"name": "Jones & Sons", "parties": 2, "candidates": []},
            {"name": "Empty", "parties": 1, "candidates": []},
            {
                "name": "Widget-Works",
                "parties": 1,
                "candidates": [
                    {"name": "Widget Works Ltd", "identifiers": ["GB-COH-01234567"], "score": 100}
                ],
            },
        ],
    }


def test_an_empty_store_reports_nothing(store):
    found = report(store)
    assert found.as_dict()["parties"] == 0
    assert "processes: 0; parties: 0" in found.as_text()


def test_the_command_prints_the_report(database, tmp_path):
    path = _loaded(database.store, tmp_path)
    assert path.exists()
    text = openbook(database, "identifiers").stdout.decode()
    assert "processes: 3; parties: 14, of which 4 without any identifier" in text
    assert "GB-COH: 4; valid 3, repaired 1; placeholder 1" in text
    assert "GB-COH-01234567: Acme Limited; Widget Works Ltd" in text
    assert "Jones & Sons (2 parties)" in text
    assert "candidate (100): Widget Works Ltd, GB-COH-01234567" in text
    data = orjson.loads(openbook(database, "identifiers", "--json", "--top", "1").stdout)
    assert data["schemes"]["GB-VAT"]["problems"] == {"check-digits": 1}
    bad = openbook(database, "identifiers", "--top", "0", check=False)
    assert bad.returncode == 2 and b"'0' must be 1 or more" in bad.stderr
