"""The identifier problems of the data held (use case behind ``openbook identifiers``).

Reads every process's compiled release once (streamed) and checks each party's identifiers
(openbook.standards.identifiers): parties named without any identifier, identifiers that are
malformed or placeholders, identifiers that normalising repaired, one identifier shared by
parties of different names, and one name carried with different identifiers. What a re-user
needs to know before joining the data on identifiers, and what a publisher needs to fix.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import orjson

from openbook.records import REGISTER
from openbook.standards import organisation_names
from openbook.standards.identifiers import check, is_given
from openbook.store import records
from openbook.store.database import Store

EXAMPLES = 3  # examples kept of each problem of each scheme


@dataclass
class SchemeTally:
    identifiers: int = 0
    valid: int = 0
    repaired: int = 0  # valid once normalised (zero padding, spaces, a '.0')
    checked: bool = True  # a scheme openbook knows the rule of
    problems: Counter = field(default_factory=Counter)
    examples: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))


@dataclass
class IdentifierReport:
    processes: int = 0
    parties: int = 0
    without_identifier: int = 0  # name only (or not even a name)
    roles_without_identifier: Counter = field(default_factory=Counter)
    schemes: dict[str, SchemeTally] = field(default_factory=lambda: defaultdict(SchemeTally))
    # identifier -> name key -> (a name as written, processes)
    _names: dict[str, dict[str, list]] = field(default_factory=lambda: defaultdict(dict))
    # name key -> scheme -> identifiers
    _identifiers: dict[str, dict[str, set[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set))
    )
    _name_only: Counter = field(default_factory=Counter)
    _written: dict[str, str] = field(default_factory=dict)  # a name as written, by key
    _written_name_only: dict[str, str] = field(default_factory=dict)

    def add(self, ocid: str, release: dict) -> None:
        """Count the parties of one compiled release."""
        self.processes += 1
        parties = release.get("parties")
        for party in parties if isinstance(parties, list) else []:
            if isinstance(party, dict):
                self._add_party(ocid, party)

    def _add_party(self, ocid: str, party: dict) -> None:
        self.parties += 1
        written = party.get("name")
        name = written if isinstance(written, str) else ""
        name_key = organisation_names.key(name)
        identifiers = [party.get("identifier")]
        more = party.get("additionalIdentifiers")
        identifiers += more if isinstance(more, list) else []
        given = [found for found in identifiers if is_given(found)]
        if not given:
            self.without_identifier += 1
            roles = party.get("roles") if isinstance(party.get("roles"), list) else []
            for role in roles or ["(no role)"]:
                self.roles_without_identifier[str(role)] += 1
            if name_key:
                self._name_only[name_key] += 1
                self._written_name_only.setdefault(name_key, name)
            return
        for found in given:
            checked = check(found.get("scheme"), found.get("id"))
            tally = self.schemes[str(found.get("scheme") or "(none)")]
            tally.identifiers += 1
            tally.checked = checked.known
            if checked.identifier is None:
                tally.problems[checked.problem] += 1
                examples = tally.examples[str(checked.problem)]
                if len(examples) < EXAMPLES:
                    examples.append({"ocid": ocid, "party": name, "message": checked.message})
                continue
            tally.valid += 1
            tally.repaired += bool(checked.changes)
            if name_key:
                text = str(checked.identifier)
                entry = self._names[text].setdefault(name_key, [name, 0])
                entry[1] += 1
                self._identifiers[name_key][checked.identifier.scheme].add(text)
                self._written.setdefault(name_key, name)

    def shared(self, limit: int = 20) -> list[dict]:
        """Identifiers that parties of different names carry, most names first."""
        found = [
            {
                "identifier": identifier,
                "names": [written for written, _ in sorted(names.values(), key=lambda n: -n[1])],
            }
            for identifier, names in self._names.items()
            if len(names) > 1
        ]
        found.sort(key=lambda entry: (-len(entry["names"]), entry["identifier"]))
        return found[:limit]

    def shared_count(self) -> int:
        return sum(1 for names in self._names.values() if len(names) > 1)

    def several(self, limit: int = 20) -> list[dict]:
        """Names carried with more than one identifier of one scheme (identifiers of several
        schemes are one organisation's, as additionalIdentifiers are meant to be)."""
        found = [
            {"name": self._written[name_key], "identifiers": sorted(identifiers)}
            for name_key, schemes in self._identifiers.items()
            for identifiers in schemes.values()
            if len(identifiers) > 1
        ]
        found.sort(key=lambda entry: (-len(entry["identifiers"]), entry["name"]))
        return found[:limit]

    def several_count(self) -> int:
        return sum(
            1
            for schemes in self._identifiers.values()
            for identifiers in schemes.values()
            if len(identifiers) > 1
        )

    def name_only(self, limit: int = 20) -> list[dict]:
        """Names of parties without identifiers, the most frequent first, each with the
        identified organisations whose names are alike (openbook.standards.organisation_names):
        candidates for a person to confirm, never merged."""
        known = list(self._identifiers)
        listed = sorted(self._name_only.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return [
            {
                "name": self._written_name_only[name_key],
                "parties": count,
                "candidates": [
                    {
                        "name": self._written[found.key],
                        "identifiers": self._identifiers_of(found.key),
                        "score": found.score,
                    }
                    for found in organisation_names.candidates(name_key, known)
                ],
            }
            for name_key, count in listed
        ]

    def _identifiers_of(self, name_key: str) -> list[str]:
        return sorted(
            identifier
            for identifiers in self._identifiers.get(name_key, {}).values()
            for identifier in identifiers
        )

    def as_dict(self, limit: int = 20) -> dict:
        return {
            "processes": self.processes,
            "parties": self.parties,
            "partiesWithoutIdentifier": self.without_identifier,
            "rolesWithoutIdentifier": dict(self.roles_without_identifier.most_common()),
            "schemes": {
                scheme: {
                    "identifiers": tally.identifiers,
                    "valid": tally.valid,
                    "repaired": tally.repaired,
                    "checked": tally.checked,
                    "problems": dict(tally.problems.most_common()),
                    "examples": dict(tally.examples),
                }
                for scheme, tally in sorted(
                    self.schemes.items(), key=lambda kv: (-kv[1].identifiers, kv[0])
                )
            },
            "sharedIdentifiers": {"count": self.shared_count(), "top": self.shared(limit)},
            "namesWithSeveralIdentifiers": {
                "count": self.several_count(),
                "top": self.several(limit),
            },
            "nameOnlyParties": {"count": len(self._name_only), "top": self.name_only(limit)},
        }

    def as_text(self, limit: int = 10) -> str:
        data = self.as_dict(limit)
        lines = [
            f"processes: {self.processes:,}; parties: {self.parties:,}, of which "
            f"{self.without_identifier:,} without any identifier",
        ]
        if self.roles_without_identifier:
            roles = ", ".join(
                f"{role} {count:,}" for role, count in self.roles_without_identifier.most_common()
            )
            lines.append(f"  without identifier, by role: {roles}")
        lines.append("")
        lines.append("identifiers by scheme (valid, of which repaired; problems):")
        for scheme, tally in data["schemes"].items():
            rule = "" if tally["checked"] else " (no rule known: not checked)"
            problems = ", ".join(f"{code} {count:,}" for code, count in tally["problems"].items())
            lines.append(
                f"  {scheme}: {tally['identifiers']:,}; valid {tally['valid']:,}, repaired "
                f"{tally['repaired']:,}{'; ' + problems if problems else ''}{rule}"
            )
            for examples in tally["examples"].values():
                lines.extend(f"      {e['ocid']} ({e['party']}): {e['message']}" for e in examples)
        shared = data["sharedIdentifiers"]
        lines += ["", f"identifiers shared by parties of different names: {shared['count']:,}"]
        lines += [f"  {e['identifier']}: {'; '.join(e['names'])}" for e in shared["top"]]
        several = data["namesWithSeveralIdentifiers"]
        lines += ["", f"names with several identifiers of one scheme: {several['count']:,}"]
        for entry in several["top"]:
            shown, more = entry["identifiers"][:5], len(entry["identifiers"]) - 5
            lines.append(f"  {entry['name']}: {', '.join(shown)}{f' and {more} more' * (more > 0)}")
        name_only = data["nameOnlyParties"]
        lines += ["", f"names of parties without identifiers: {name_only['count']:,}"]
        for entry in name_only["top"]:
            lines.append(f"  {entry['name']} ({entry['parties']:,} parties)")
            lines += [
                f"    candidate ({found['score']:g}): {found['name']}, "
                f"{', '.join(found['identifiers'][:3])}"
                for found in entry["candidates"]
            ]
        return "\n".join(lines)


def report(store: Store) -> IdentifierReport:
    """The identifier report of every process held (its current compiled release)."""
    return report_of(
        (key, orjson.loads(text)) for key, text in records.compiled_releases(store, REGISTER)
    )


def report_of(releases: Iterable[tuple[str, dict]]) -> IdentifierReport:
    built = IdentifierReport()
    for ocid, release in releases:
        built.add(ocid, release)
    return built
