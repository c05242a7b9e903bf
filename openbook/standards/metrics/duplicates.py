"""duplicates-same-process: one process published under several ocids (docs/methods/data-quality.md,
"One process under several ocids"). Pure.

No single process shows it, so unlike the other checks (openbook.standards.metrics.quality, which
makes duplicates-split-ocid, several processes under one ocid) this one sees every process of a
dataset. To keep memory bounded however large the dataset, it keeps of each process only its ocid
and a small digest of each of its keys (``fingerprint``), never its releases; workers can
fingerprint their share and one place gather them (``Across.merge``), finding the same groups.
"""

import hashlib
import re
from dataclasses import dataclass

from openbook.standards.metrics.process import Process, Release, newest
from openbook.standards.metrics.quality import Failure
from openbook.standards.metrics.written import (
    calendar_day,
    checked_identifier,
    id_of,
    is_number,
    money,
    name_key,
    objects,
)
from openbook.standards.ocds.shapes import as_dict, text

_WORDS = re.compile(r"[^\W_]+")
# Some publishers number tenders from 1 within each process: so short a tender.id cannot show
# two ocids to be one process.
_SHORTEST_TENDER_ID = 4
_NAMED = 5  # other ocids a duplicate's failure names

# What a match on each kind of key means. A key's digest starts with its kind.
_KEYS = {
    b"T": "the same buyer, tender.title, tender.value and tender.tenderPeriod.endDate",
    b"I": "the same buyer and tender.id",
}


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What duplicate detection keeps of a process: its ocid and a 9-byte digest of each of its
    keys. Small and picklable, so that workers can make them and one place gather them."""

    ocid: str
    keys: tuple[bytes, ...]


def fingerprint(process: Process) -> Fingerprint | None:
    """A process's keys: its buyer with its tender's title, value and closing day; its buyer
    with its tender's id. The buyer is its party's identifier where it has one, else its name
    (as organisation names compare). None when the process has neither key."""
    releases = process.releases
    buyer = _buyer_key(releases)
    if buyer is None:
        return None
    keys = []
    title = " ".join(_WORDS.findall(text(newest(releases, "tender", "title")).casefold()))
    value = as_dict(newest(releases, "tender", "value"))
    amount, currency = value.get("amount"), text(value.get("currency")).strip().upper()
    closing = calendar_day(newest(releases, "tender", "tenderPeriod", "endDate"))
    if title and is_number(amount) and currency and closing is not None:
        keys.append(_digest(b"T", buyer, title, money(amount, currency), closing))
    tender_id = text(newest(releases, "tender", "id")).strip()
    if len(tender_id) >= _SHORTEST_TENDER_ID and tender_id != process.ocid:
        keys.append(_digest(b"I", buyer, tender_id))
    return Fingerprint(process.ocid, tuple(keys)) if keys else None


def _buyer_key(releases: tuple[Release, ...]) -> str | None:
    for release in reversed(releases):
        buyer = release.body.get("buyer")
        if not isinstance(buyer, dict):
            continue
        buyer_id = id_of(buyer)
        for _, party in objects(release.body.get("parties")):
            if buyer_id and id_of(party) == buyer_id:
                # Its identifier, else its first additional one, as identifiers.party_identifier
                # reads them (cached here).
                more = objects(party.get("additionalIdentifiers"))
                for identifier in [as_dict(party.get("identifier"))] + [item for _, item in more]:
                    scheme = text(identifier.get("scheme")).strip()
                    given = text(identifier.get("id")).strip()
                    normal = checked_identifier(scheme, given)[2] if scheme and given else None
                    if normal is not None:
                        return f"id:{normal}"
                break
        name = name_key(text(buyer.get("name")))
        return f"name:{name}" if name else None
    return None


def _digest(kind: bytes, *parts: str) -> bytes:
    # The same in every process and run (unlike hash()), so that workers' fingerprints gather.
    # Lone surrogates, which Python's json module lets through, are hashed as they are.
    data = "\x1f".join(parts).encode("utf-8", "surrogatepass")
    return kind + hashlib.blake2b(data, digest_size=8).digest()


class Across:
    """Finds processes published under several ocids, among every process of a dataset. Keeps
    one entry for each key of each process (its digest, and the ocid first seen with it) and
    the pairs of ocids found alike: memory grows by about 150 bytes a process. The groups it
    finds do not depend on the order processes come in, nor on how they were shared among
    workers (``merge``)."""

    def __init__(self) -> None:
        self._first: dict[bytes, str] = {}
        self._links: list[tuple[str, str, bytes]] = []  # two ocids and the kind they share
        self.checked = 0  # processes that had a key: the denominator

    def add(self, process: Process) -> bool:
        """Whether the process could be judged (it had a key)."""
        return self.add_fingerprint(fingerprint(process))

    def add_fingerprint(self, found: Fingerprint | None) -> bool:
        if found is None:
            return False
        self.checked += 1
        for key in found.keys:
            self._note(key, found.ocid)
        return True

    def merge(self, other: "Across") -> None:
        """Add what another Across found (of processes this one has not seen)."""
        self.checked += other.checked
        self._links.extend(other._links)
        for key, ocid in other._first.items():
            self._note(key, ocid)

    def _note(self, key: bytes, ocid: str) -> None:
        first = self._first.setdefault(key, ocid)
        if first != ocid:
            self._links.append((first, ocid, key[:1]))

    def failures(self) -> list[Failure]:
        """A failure for each ocid of each group of alike processes, naming the others."""
        parent: dict[str, str] = {}

        def root(ocid: str) -> str:
            while parent.setdefault(ocid, ocid) != ocid:
                ocid = parent[ocid] = parent[parent[ocid]]
            return ocid

        for first, other, _ in self._links:
            parent[root(other)] = root(first)
        groups: dict[str, set[str]] = {}
        kinds: dict[str, set[bytes]] = {}
        for first, other, kind in self._links:
            groups.setdefault(root(first), set()).update((first, other))
            kinds.setdefault(root(first), set()).add(kind)
        failures = []
        for group, members in groups.items():
            why = "; ".join(_KEYS[kind] for kind in sorted(kinds[group]))
            for ocid in members:
                others = sorted(members - {ocid})
                named = ", ".join(others[:_NAMED])
                more = f" and {len(others) - _NAMED} more" if len(others) > _NAMED else ""
                detail = f"the process seems published also as {named}{more}: {why}"
                failures.append(Failure("duplicates-same-process", ocid, None, None, "", detail))
        return sorted(failures, key=lambda failure: failure.ocid)
