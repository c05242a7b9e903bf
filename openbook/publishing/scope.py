"""Whose release is it: the buyer a release names, and whether that buyer is the organisation an
API key publishes for. No I/O: the organisations it compares with are given to it.

A key publishes only for its own organisation (issue 4): the processes whose buyer it is, and
its authority-level notices (pipeline, payments compliance), which belong to the authority and
must name it as their buyer. The buyer is ``buyer``, or else the release's one party in the
role ``buyer``; its party is the party of the buyer's id. The buyer is the organisation when
(``names``):

- its id is the organisation's party id, or
- its party's ``identifier`` (OCDS 1.1 Organization.identifier, the primary one) is the
  organisation's identifier, scheme and id.

``additionalIdentifiers`` never make a buyer an organisation: anyone can write any identifier
there. But a buyer that is identified in any way (its ids, any of its identifiers) as another
registered organisation too is ambiguous, and refused (``identifies``). So is a release with
two parties of one id (``repeated_party_ids``): scope would read one of them and the compiled
release keep the other.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from openbook.store.publishers import Organisation


@dataclass(frozen=True, slots=True)
class Buyer:
    pointer: str  # where the release names it: "/buyer", or "/parties/3"
    id: str  # the buyer's id: ``buyer.id``, or its party's
    identifier: tuple[str, str] | None  # its party's primary identifier: (scheme, id)
    ids: frozenset[str]  # every id the release gives it (``buyer.id``, its party's)
    identifiers: frozenset[tuple[str, str]]  # every identifier, primary and additional
    label: str  # as a message shows it: "Leeds City Council (GB-GOR-LCC)"


def buyer_of(release: Mapping[str, Any]) -> Buyer | None:
    """The buyer the release names, or None if it names none. Of several parties with the
    buyer's id (refused in what is published, but possibly in what was loaded), the last: the
    one a compiled release keeps."""
    parties = [
        (index, party)
        for index, party in enumerate(_list(release.get("parties")))
        if type(party) is dict or isinstance(party, Mapping)  # JSON objects: dicts, tested first
    ]
    buyer = release.get("buyer")
    if (type(buyer) is dict or isinstance(buyer, Mapping)) and _text(buyer.get("id")):
        buyer_id = _text(buyer.get("id"))
        party = next((p for _, p in reversed(parties) if _text(p.get("id")) == buyer_id), {})
        return _buyer("/buyer", buyer, party)
    named = [(i, p) for i, p in parties if "buyer" in _list(p.get("roles"))]
    if len(named) == 1:
        index, party = named[0]
        return _buyer(f"/parties/{index}", party, party)
    return None


def names(buyer: Buyer, organisation: Organisation) -> bool:
    """Whether the buyer is the organisation: by its party id or its primary identifier."""
    return buyer.id == organisation.party_id or buyer.identifier == (
        organisation.scheme,
        organisation.identifier,
    )


def identifies(buyer: Buyer, organisation: Organisation) -> bool:
    """Whether the release identifies the buyer as the organisation in any way at all: an id
    that is its party id or its identifier (``SCHEME-ID``), or any identifier of its party."""
    return not buyer.ids.isdisjoint({organisation.party_id, organisation.org_id}) or (
        (organisation.scheme, organisation.identifier) in buyer.identifiers
    )


def latest_buyer(history: Sequence[Mapping[str, Any]]) -> Buyer | None:
    """The buyer the newest release of a process that names one names."""
    for release in reversed(history):
        found = buyer_of(release)
        if found is not None:
            return found
    return None


def repeated_party_ids(release: Mapping[str, Any]) -> list[tuple[int, str]]:
    """Each party (its index and id) whose id an earlier party of the release has."""
    seen: set[str] = set()
    repeated = []
    for index, party in enumerate(_list(release.get("parties"))):
        if (type(party) is dict or isinstance(party, Mapping)) and (
            party_id := _text(party.get("id"))
        ):
            if party_id in seen:
                repeated.append((index, party_id))
            seen.add(party_id)
    return repeated


def _buyer(pointer: str, reference: Mapping[str, Any], party: Mapping[str, Any]) -> Buyer:
    ids = {_text(value) for value in (reference.get("id"), party.get("id")) if _text(value)}
    # The reference's own identifiers too: OCDS 1.1 deprecated them, but a release may have them.
    given = [
        identifier
        for holder in (reference, party)
        for identifier in (holder.get("identifier"), *_list(holder.get("additionalIdentifiers")))
    ]
    return Buyer(
        pointer,
        _text(reference.get("id")),
        _identifier(party.get("identifier")),
        frozenset(ids),
        frozenset(found for value in given if (found := _identifier(value)) is not None),
        _label(reference, party),
    )


def _identifier(value: Any) -> tuple[str, str] | None:
    if type(value) is not dict and not isinstance(value, Mapping):
        return None
    scheme, code = _text(value.get("scheme")), _text(value.get("id"))
    return (scheme, code) if scheme and code else None


def _label(reference: Mapping[str, Any], party: Mapping[str, Any]) -> str:
    name = _text(reference.get("name")) or _text(party.get("name"))
    identifier = _text(reference.get("id")) or _text(party.get("id"))
    return f"{name[:100]} ({identifier[:100]})" if name else identifier[:100]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return ""
    return str(value).strip() if isinstance(value, str | int) else ""


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []
