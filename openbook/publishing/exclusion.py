"""Awards to suppliers on the central debarment list (docs/registers.md, "Awards to debarred
suppliers").

The Procurement Act 2023 lets a contracting authority award a contract to an excluded supplier
only for a reason it states (an overriding public interest); the UK extension carries that
reason as the supplier's ``details.excludedSupplier.awardRationale``. So an award naming a
supplier whose debarment entry is in force on the award's date is refused without the reason,
with a message that says what to add; with it, it is published (hiding a real award is never
the answer), the release's review keeps a warning, the award is listed against the entry
(``excluded_award``) and the audit trail records it for oversight, which is then emailed
(openbook.oversight, once the publication is stored: the email never decides it).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from openbook.publishing.answers import Problem
from openbook.publishing.publishers import Actor
from openbook.standards.registers import debarment
from openbook.standards.registers import suppliers as supplier_entries
from openbook.standards.registers.suppliers import REGISTER as SUPPLIERS
from openbook.store import audit
from openbook.store import registers as stored
from openbook.store.database import Store

DEBARRED = "award.supplier.debarred"
FLAGGED = "award.supplier.debarred.rationale-given"
CITATION = "Procurement Act 2023, s.57 and s.62; UK extension, excludedSupplier.awardRationale"


class Sent(Protocol):
    base: str
    release: dict
    review: list[dict]

    @property
    def at(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class Flag:
    """An award to a listed supplier, accepted with its reason: recorded once it is stored."""

    ocid: str
    release_id: str
    entry: stored.Entry  # the debarment entry in force on the award's day
    supplier: str
    name: str  # the supplier's name as the award's party gives it
    award_id: str
    day: str
    rationale: str

    @property
    def entry_id(self) -> str:
        return self.entry.entry_id


def listed(store: Store, sent: Sequence[Sent]) -> dict[str, list[stored.Entry]]:
    """The debarment entries that apply to any supplier the releases award to, by each
    identifier the releases give it. A registered supplier is one organisation under all of its
    identifiers (its supplier number and those it registered, openbook.suppliers): an entry
    naming any of them applies whichever the award gives. But not through an identifier it only
    declared, unverified (docs/suppliers.md): a debarred supplier claiming another company's
    number would otherwise have that company's awards refused. The active entries are read once
    (the list is short: hundreds of entries, not millions)."""
    wanted = {
        identifier
        for item in sent
        for supplier in debarment.awarded_suppliers(item.release)
        for identifier in supplier.identifiers
    }
    found: dict[str, list[stored.Entry]] = {}
    if not wanted:
        return found
    aliases = {identifier: {identifier} for identifier in wanted}
    for registered in stored.naming(store, SUPPLIERS.code, sorted(wanted)):
        same = set(registered.organisations) - supplier_entries.self_declared(registered.entry)
        for identifier in wanted & same:
            aliases[identifier] |= same
    named: dict[str, list[stored.Entry]] = {}
    for entry in stored.every(store, debarment.REGISTER.code, status=debarment.ACTIVE):
        for identifier in entry.organisations:
            named.setdefault(identifier, []).append(entry)
    for identifier, same in aliases.items():
        entries = {entry.entry_id: entry for alias in same for entry in named.get(alias, ())}
        if entries:
            found[identifier] = [entries[key] for key in sorted(entries)]
    return found


def check(item: Sent, entries: dict[str, list[stored.Entry]]) -> tuple[list[Problem], list[Flag]]:
    """The release's awards to listed suppliers: refused without the reason, flagged with it."""
    problems, flags = [], []
    for supplier in debarment.awarded_suppliers(item.release):
        applying = [
            (identifier, entry)
            for identifier in supplier.identifiers
            for entry in entries.get(identifier, ())
            if debarment.in_force(entry.entry, supplier.day)
        ]
        if not applying:
            continue
        identifier, entry = applying[0]
        ground = entry.entry["ground"]
        listed_as = (
            f"on the central debarment list ({entry.entry_id}: {ground['type']} ground, "
            f"{ground['reference']}; {entry.start_date} to {entry.end_date})"
        )
        if supplier.rationale is None:
            pointer = f"{item.base}{supplier.party_pointer}/details/excludedSupplier/awardRationale"
            problems.append(
                Problem(
                    pointer,
                    DEBARRED,
                    f"award {supplier.award_id!r} goes to {supplier.name} ({identifier}), "
                    f"which is {listed_as} on the award's date {supplier.day}. An authority may "
                    "award to an excluded supplier only for a reason it states: give it in "
                    "this party's details.excludedSupplier.awardRationale, or do not award to "
                    "this supplier",
                    "error",
                    True,
                    citation=CITATION,
                    release=item.at,
                )
            )
            continue
        message = (
            f"award {supplier.award_id!r} goes to {supplier.name} ({identifier}), which "
            f"is {listed_as}; published with the stated reason, and flagged on the process, "
            "on the register and to oversight"
        )
        problems.append(
            Problem(
                f"{item.base}{supplier.award_pointer}",
                FLAGGED,
                message,
                "warning",
                False,
                citation=CITATION,
                release=item.at,
            )
        )
        item.review.append(
            {
                "path": supplier.award_pointer.lstrip("/"),
                "code": FLAGGED,
                "message": message,
                "severity": "warning",
                "citation": CITATION,
            }
        )
        flags.append(
            Flag(
                ocid=item.release["ocid"],
                release_id=item.release["id"],
                entry=entry,
                supplier=identifier,
                name=supplier.name,
                award_id=supplier.award_id,
                day=supplier.day,
                rationale=supplier.rationale,
            )
        )
    return problems, flags


def record(
    store: Store,
    flags: Sequence[Flag],
    seqs: dict[tuple[str, str], int],
    *,
    organisation_id: int,
    actor: Actor,
    now: str,
) -> None:
    """Keep the flagged awards of the releases just appended (``seqs``: their log entries),
    and tell oversight through the audit trail. Call inside the append's transaction."""
    kept = [
        stored.ExcludedAward(
            entry_id=flag.entry_id,
            supplier=flag.supplier,
            ocid=flag.ocid,
            release_id=flag.release_id,
            award_id=flag.award_id,
            seq=seqs[(flag.ocid, flag.release_id)],
            award_date=flag.day,
            rationale=flag.rationale,
            flagged_time=now,
        )
        for flag in flags
        if (flag.ocid, flag.release_id) in seqs
    ]
    if not kept:
        return
    stored.add_excluded_awards(store, kept)
    audit.record(
        store,
        actor=actor.who,
        action="oversight.excluded-award",
        subject=" ".join(sorted({award.ocid for award in kept})),
        organisation_id=organisation_id,
        address=actor.address,
        detail={"awards": [award.as_dict() for award in kept]},
    )
