"""Whose release is it (openbook.publishing.scope): pure, no database."""

from openbook.publishing import scope
from openbook.store.publishers import Organisation

COUNCIL = Organisation(1, "Example Borough Council", "GB-PPON", "PXXX-1234-BCDG", "council", "")
OTHER = Organisation(2, "Another District Council", "GB-GOR", "PB999", "GB-GOR-PB999", "")


def release(buyer: dict | None, *parties: dict) -> dict:
    found: dict = {"parties": list(parties)}
    if buyer is not None:
        found["buyer"] = buyer
    return found


def test_a_buyer_is_an_organisation_by_its_party_id_or_its_partys_primary_identifier():
    by_id = scope.buyer_of(release({"id": "council"}))
    assert by_id is not None and scope.names(by_id, COUNCIL)
    primary = {"scheme": "GB-PPON", "id": "PXXX-1234-BCDG"}
    by_identifier = scope.buyer_of(release({"id": "b1"}, {"id": "b1", "identifier": primary}))
    assert by_identifier is not None and scope.names(by_identifier, COUNCIL)
    # The organisation's identifier written as an id is not its party id.
    written = scope.buyer_of(release({"id": "GB-PPON-PXXX-1234-BCDG"}))
    assert written is not None and not scope.names(written, COUNCIL)
    assert scope.identifies(written, COUNCIL)


def test_additional_identifiers_identify_but_never_name():
    party = {
        "id": "GB-GOR-PB999",
        "identifier": {"scheme": "GB-GOR", "id": "PB999"},
        "additionalIdentifiers": [{"scheme": "GB-PPON", "id": "PXXX-1234-BCDG"}],
    }
    buyer = scope.buyer_of(release({"id": "GB-GOR-PB999"}, party))
    assert buyer is not None
    assert not scope.names(buyer, COUNCIL) and scope.identifies(buyer, COUNCIL)
    assert scope.names(buyer, OTHER)


def test_the_buyer_party_is_the_last_of_its_id_and_repeated_ids_are_found():
    first = {"id": "b1", "identifier": {"scheme": "GB-PPON", "id": "PXXX-1234-BCDG"}}
    last = {"id": "b1", "identifier": {"scheme": "GB-GOR", "id": "PB999"}}
    sent = release({"id": "b1"}, first, {"id": "s1"}, last)
    buyer = scope.buyer_of(sent)
    assert buyer is not None and buyer.identifier == ("GB-GOR", "PB999")
    assert scope.repeated_party_ids(sent) == [(2, "b1")]


def test_without_a_buyer_reference_the_one_party_in_the_buyer_role_is_the_buyer():
    only = scope.buyer_of(release(None, {"id": "council", "roles": ["buyer"]}))
    assert only is not None and only.pointer == "/parties/0" and scope.names(only, COUNCIL)
    two = release(None, {"id": "a", "roles": ["buyer"]}, {"id": "b", "roles": ["buyer"]})
    assert scope.buyer_of(two) is None
