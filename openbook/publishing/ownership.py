"""Whether the releases of a publish request are the key's organisation's to publish, with what
the store knows: the organisations registered, the ocids minted and whose each process is
(docs/publishing-api.md, "Whose releases a key may publish"). Whose a release names as buyer,
and when that is an organisation, is ``openbook.publishing.scope``.

A process belongs to the organisation its newest release that names a buyer names. An ocid the
platform minted is its organisation's, whatever the platform's prefix is now; one under the
platform's prefix that it did not mint is no one's. An ocid under another prefix is free: the
first organisation to publish under it has it (the platform cannot tell who registered that
prefix with the Open Contracting Partnership).
"""

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from openbook import config
from openbook.publishing import scope
from openbook.publishing.answers import Problem, Refused
from openbook.standards.uk import notices
from openbook.store import publishers
from openbook.store.publishers import Organisation


class Sent(Protocol):
    """A release of the request, as the publish use case holds it."""

    base: str  # its pointer in the body: "" or "/releases/4"
    release: dict
    problems: list[Problem]  # blocking problems found here are added

    @property
    def at(self) -> int | None: ...


def check(
    store,
    organisation: Organisation,
    found: Sequence[Sent],
    histories: dict[str, list[Mapping[str, Any]]],
) -> None:
    """Refuses (403) a release that is not the organisation's; notes, as blocking problems, one
    that names no buyer or names two parties by one id."""
    buyers = [scope.buyer_of(item.release) for item in found]
    named = [buyer for buyer in buyers if buyer is not None]
    # The ocids minted and the organisations the buyers name, in one query.
    minted, identified = publishers.scope_facts(
        store,
        sorted({item.release["ocid"] for item in found}),
        {text for buyer in named for text in buyer.ids},
        {identifier for buyer in named for identifier in buyer.identifiers},
    )
    others = [other for other in identified if other.id != organisation.id]
    refusals: list[Problem] = []
    for item, buyer in zip(found, buyers, strict=True):
        repeated = scope.repeated_party_ids(item.release)
        for index, party_id in repeated:
            item.problems.append(
                Problem(
                    f"{item.base}/parties/{index}/id",
                    "party-id-repeated",
                    f"two parties have the id {party_id[:100]!r}: each party of a release needs "
                    "its own id, or readers cannot tell which one the release means (OCDS "
                    "merging keeps only one)",
                    "error",
                    True,
                    release=item.at,
                )
            )
        if buyer is None:
            item.problems.append(
                Problem(
                    f"{item.base}/buyer",
                    "buyer-missing",
                    f"the release names no buyer: give 'buyer' with your organisation's id "
                    f"({organisation.party_id}) and name, and the same party in 'parties' with "
                    "the role 'buyer'",
                    "error",
                    True,
                    release=item.at,
                )
            )
        refusal = (
            None if buyer is None or repeated else _buyer_refusal(item, buyer, organisation, others)
        ) or _process_refusal(item, organisation, histories, minted)
        if refusal is not None:
            refusals.append(refusal)
    if refusals:
        raise Refused(
            403,
            "other-organisation",
            "nothing was published: a release is not your organisation's to publish (see problems)",
            refusals,
        )


def _buyer_refusal(
    item: Sent, buyer: scope.Buyer, organisation: Organisation, others: list[Organisation]
) -> Problem | None:
    pointer = item.base + buyer.pointer
    if not scope.names(buyer, organisation):
        notice = _notice_type(item.release)
        if notice is not None and notice.level == notices.AUTHORITY:
            why = (
                f"a {notice.label} belongs to the authority that publishes it, so it must "
                f"name your organisation ({organisation.party_id}) as its buyer; this one "
                f"names {buyer.label}"
            )
        else:
            why = (
                f"the release names {buyer.label} as its buyer, but this key publishes for "
                f"{organisation.name} ({organisation.party_id}): a key may publish only its "
                "own organisation's notices. A buyer is your organisation when its id is your "
                f"party id ({organisation.party_id}), or its party's 'identifier' is yours "
                f"({organisation.scheme}, {organisation.identifier}); 'additionalIdentifiers' "
                "do not count"
            )
        return Problem(pointer, "other-organisation", why, "error", True, release=item.at)
    also = [other for other in others if scope.identifies(buyer, other)]
    if also:
        return Problem(
            pointer,
            "buyer-ambiguous",
            f"the buyer {buyer.label} is your organisation, but the release identifies it as "
            + ", ".join(f"{other.name} ({other.org_id})" for other in also[:3])
            + " too, another organisation registered here: a buyer is one organisation, so "
            "remove the other's id or identifier",
            "error",
            True,
            release=item.at,
        )
    return None


def _process_refusal(
    item: Sent,
    organisation: Organisation,
    histories: dict[str, list[Mapping[str, Any]]],
    minted: dict[str, int],
) -> Problem | None:
    ocid = item.release["ocid"]
    prefix = config.ocid_prefix()
    owner = scope.latest_buyer(histories[ocid])
    if owner is not None and not scope.names(owner, organisation):
        why = (
            f"the process {ocid!r} belongs to another organisation (its releases name "
            f"{owner.label} as buyer): a key may add notices only to its own organisation's "
            "processes; for a new process, use a new ocid"
        )
        return Problem(
            f"{item.base}/ocid", "other-organisation-process", why, "error", True, release=item.at
        )
    # Minted ocids are checked whatever their prefix: the platform's may have changed since.
    if ocid in minted and minted[ocid] != organisation.id:
        why = (
            f"the ocid {ocid!r} was minted by this platform for another organisation: ask "
            "for one of your own with POST /api/publish/ocids"
        )
    elif ocid not in minted and ocid.startswith(f"{prefix}-"):
        why = (
            f"the ocid {ocid!r} is under this platform's prefix ({prefix}) but was not minted "
            "for your organisation: ask for one with POST /api/publish/ocids"
        )
    else:
        return None
    return Problem(f"{item.base}/ocid", "ocid-not-minted", why, "error", True, release=item.at)


def _notice_type(release: Mapping[str, Any]) -> notices.NoticeType | None:
    try:
        return notices.find_notice_type(release)
    except (notices.UnknownNoticeType, notices.AmbiguousNoticeType):
        return None
