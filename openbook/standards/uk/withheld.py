"""What a release says was withheld from publication, and why: the OCDS withheld information
extension (``withheldInformation``), with the grounds of UK law as a codelist. Pure.

The Procurement Act 2023, s.94, lets a contracting authority withhold information it must
otherwise publish where that is necessary to safeguard national security (s.94(1)(a)), or where
the information is sensitive commercial information and there is an overriding public interest
in withholding it (s.94(1)(b)); it must then publish the fact that information is withheld, and
under which of the two (s.94(3)). The Public Contracts Regulations 2015 allowed the same for
award notices on other grounds (reg. 50(6); reg. 108(3) for Contracts Finder). Personal data, and
what a court orders kept back, are withheld under other law.

A release declares each item withheld in ``withheldInformation``, giving its ground as a
classification in the ``openbook-withheld`` scheme (``GROUNDS``), and may say which contract and
which document it concerns with two fields openbook adds to the extension's item,
``relatedContract`` (a ``contracts[].id``) and ``relatedDocument`` (a ``documents[].id``), so that
redactions can be counted per contract and per authority (``declarations``). docs/documents.md
explains all of it to publishers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from openbook.standards.uk.notices import PA2023, PCR2015

SCHEME = "openbook-withheld"
ERROR = "error"
WARNING = "warning"
S94 = "Procurement Act 2023, s.94(3)"


@dataclass(frozen=True, slots=True)
class Ground:
    """A reason the law gives for withholding information, as the codelist lists it."""

    code: str
    title: str
    description: str  # plain English, as a message or a page shows it
    citation: str
    regimes: tuple[str, ...]  # the legal regimes it belongs to; () for any


GROUNDS: dict[str, Ground] = {
    ground.code: ground
    for ground in (
        Ground(
            "national-security",
            "National security",
            "withholding the information is necessary to safeguard national security",
            "Procurement Act 2023, s.94(1)(a)",
            (PA2023,),
        ),
        Ground(
            "sensitive-commercial",
            "Sensitive commercial information",
            "the information is a trade secret, or would be likely to prejudice someone's "
            "commercial interests if published, and there is an overriding public interest in "
            "withholding it",
            "Procurement Act 2023, s.94(1)(b) and (2)",
            (PA2023,),
        ),
        Ground(
            "personal-data",
            "Personal data",
            "the information is personal data (such as a person's name, signature or contact "
            "details) that data protection law does not allow to be published",
            "UK GDPR and the Data Protection Act 2018",
            (),
        ),
        Ground(
            "court-order",
            "Court order",
            "a court or tribunal has ordered that the information is not published",
            "the order of the court or tribunal",
            (),
        ),
        Ground(
            "pcr-public-interest",
            "Law enforcement or the public interest",
            "publishing the information would impede law enforcement or otherwise be contrary "
            "to the public interest",
            "Public Contracts Regulations 2015, reg. 50(6)(a) and reg. 108(3)(a)",
            (PCR2015,),
        ),
        Ground(
            "pcr-commercial",
            "Legitimate commercial interests",
            "publishing the information would prejudice the legitimate commercial interests of "
            "a particular economic operator, public or private",
            "Public Contracts Regulations 2015, reg. 50(6)(b) and reg. 108(3)(b)",
            (PCR2015,),
        ),
        Ground(
            "pcr-fair-competition",
            "Fair competition",
            "publishing the information might prejudice fair competition between economic "
            "operators",
            "Public Contracts Regulations 2015, reg. 50(6)(c) and reg. 108(3)(c)",
            (PCR2015,),
        ),
    )
}


@dataclass(frozen=True, slots=True)
class WithheldProblem:
    path: str  # JSON pointer into the release
    code: str
    message: str
    severity: str
    citation: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "path": self.path,
            "code": self.code,
            "message": self.message,
            "severity": self.severity,
            "citation": self.citation,
        }


@dataclass(frozen=True, slots=True)
class Declaration:
    """One item a release declares withheld, as the redactions report counts it."""

    id: str
    grounds: tuple[str, ...]  # codes of GROUNDS
    contract: str | None  # relatedContract
    document: str | None  # relatedDocument
    field: str | None
    availability_date: str | None


def ground_list() -> str:
    return ", ".join(GROUNDS)


def check(release: Mapping[str, Any], regime: str | None = None) -> list[WithheldProblem]:
    """Every problem of the release's ``withheldInformation`` (``[]`` if it declares none).
    ``regime`` (PA2023, PCR2015...) is the process's legal regime, when known."""
    declared = release.get("withheldInformation")
    if declared is None:
        return []
    if not isinstance(declared, list) or not declared:
        return [
            WithheldProblem(
                "/withheldInformation",
                "withheld.not-a-list",
                "'withheldInformation' must be a list of the items withheld, each an object "
                "with an 'id' and its ground (docs/documents.md)",
                ERROR,
            )
        ]
    problems: list[WithheldProblem] = []
    for index, item in enumerate(declared):
        problems += _check_item(release, f"/withheldInformation/{index}", item, regime)
    return problems


def _check_item(
    release: Mapping[str, Any], at: str, item: Any, regime: str | None
) -> Iterator[WithheldProblem]:
    if not isinstance(item, Mapping):
        yield WithheldProblem(
            at, "withheld.not-an-object", "each item withheld must be a JSON object", ERROR
        )
        return
    if not _text(item.get("id")):
        yield WithheldProblem(
            f"{at}/id",
            "withheld.id-missing",
            "the item withheld has no 'id': give each item an identifier unique in the release",
            ERROR,
        )
    yield from _check_grounds(at, item, regime)
    if not _text(item.get("rationale")):
        yield WithheldProblem(
            f"{at}/rationale",
            "withheld.rationale-missing",
            "say in 'rationale', in plain words, why this information is withheld: the ground "
            "alone does not tell the public what was kept back and why",
            WARNING,
            S94,
        )
    if not _text(item.get("name")) and not _text(item.get("field")):
        yield WithheldProblem(
            at,
            "withheld.what-missing",
            "say what was withheld: give 'name' (such as 'Pricing schedule') or 'field' (the "
            "field it would otherwise be published in, such as 'contracts/value')",
            WARNING,
        )
    yield from _check_references(release, at, item)


def _check_grounds(
    at: str, item: Mapping[str, Any], regime: str | None
) -> Iterator[WithheldProblem]:
    classifications = item.get("rationaleClassifications")
    ours = [
        (index, entry)
        for index, entry in enumerate(classifications if isinstance(classifications, list) else [])
        if isinstance(entry, Mapping) and entry.get("scheme") == SCHEME
    ]
    if not ours:
        yield WithheldProblem(
            f"{at}/rationaleClassifications",
            "withheld.ground-missing",
            "say on which ground the information is withheld: add to 'rationaleClassifications' "
            f"an entry with 'scheme' {SCHEME!r} and an 'id' from the codelist ({ground_list()}). "
            "The law requires the fact and the ground to be published",
            ERROR,
            S94,
        )
        return
    for index, entry in ours:
        code = entry.get("id")
        where = f"{at}/rationaleClassifications/{index}/id"
        ground = GROUNDS.get(code) if isinstance(code, str) else None
        if ground is None:
            yield WithheldProblem(
                where,
                "withheld.ground-unknown",
                f"{_show(code)} is not a ground in the {SCHEME} codelist: use one of "
                f"{ground_list()} (docs/documents.md explains each)",
                ERROR,
                S94,
            )
        elif regime is not None and ground.regimes and regime not in ground.regimes:
            yield WithheldProblem(
                where,
                "withheld.ground-regime",
                f"the ground {code!r} ({ground.title}, {ground.citation}) is not one of this "
                f"procurement's legal regime; {_alternatives(regime)}",
                WARNING,
                ground.citation,
            )


def _alternatives(regime: str) -> str:
    fitting = [g.code for g in GROUNDS.values() if not g.regimes or regime in g.regimes]
    return f"the grounds that apply to it are {', '.join(fitting)}"


def _check_references(
    release: Mapping[str, Any], at: str, item: Mapping[str, Any]
) -> Iterator[WithheldProblem]:
    contract_id = _text(item.get("relatedContract"))
    contracts = {
        _text(contract.get("id")): contract
        for contract in _list(release.get("contracts"))
        if isinstance(contract, Mapping) and _text(contract.get("id"))
    }
    if contract_id and contract_id not in contracts:
        yield WithheldProblem(
            f"{at}/relatedContract",
            "withheld.contract-unknown",
            f"'relatedContract' is {contract_id!r}, but this release has no contract with that "
            f"id (it has {_listed(contracts)}): give the 'id' of the contract in 'contracts'",
            WARNING,
        )
        return
    document_id = _text(item.get("relatedDocument"))
    if not document_id:
        return
    if contract_id:
        within = {
            _text(document.get("id"))
            for document in _list(contracts[contract_id].get("documents"))
            if isinstance(document, Mapping)
        }
        place = f"contract {contract_id!r}"
    else:
        within = {identifier for _, identifier in document_ids(release)}
        place = "this release"
    if document_id not in within:
        yield WithheldProblem(
            f"{at}/relatedDocument",
            "withheld.document-unknown",
            f"'relatedDocument' is {document_id!r}, but {place} has no document with that id: "
            "give the 'id' of the document (in 'documents') whose content was withheld or "
            "redacted",
            WARNING,
        )


def document_ids(release: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(JSON pointer, id) of every document of the release, in every section that has them."""
    for pointer, document in documents(release):
        identifier = _text(document.get("id"))
        if identifier:
            yield pointer, identifier


def documents(release: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(JSON pointer, document) of every document of the release."""
    for section in ("planning", "tender"):
        part = release.get(section)
        if isinstance(part, Mapping):
            yield from _documents_of(part, f"/{section}")
    for section in ("awards", "contracts"):
        for index, part in enumerate(_list(release.get(section))):
            if not isinstance(part, Mapping):
                continue
            yield from _documents_of(part, f"/{section}/{index}")
            implementation = part.get("implementation")
            if isinstance(implementation, Mapping):
                yield from _documents_of(implementation, f"/{section}/{index}/implementation")


def _documents_of(part: Mapping[str, Any], at: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for index, document in enumerate(_list(part.get("documents"))):
        if isinstance(document, Mapping):
            yield f"{at}/documents/{index}", document


def declarations(release: Mapping[str, Any]) -> list[Declaration]:
    """The items a release declares withheld, for the redactions report: those with an id."""
    found = []
    for item in _list(release.get("withheldInformation")):
        if not isinstance(item, Mapping) or not _text(item.get("id")):
            continue
        grounds = tuple(
            entry["id"]
            for entry in _list(item.get("rationaleClassifications"))
            if isinstance(entry, Mapping)
            and entry.get("scheme") == SCHEME
            and entry.get("id") in GROUNDS
        )
        found.append(
            Declaration(
                id=_text(item.get("id")),
                grounds=grounds,
                contract=_text(item.get("relatedContract")) or None,
                document=_text(item.get("relatedDocument")) or None,
                field=_text(item.get("field")) or None,
                availability_date=_text(item.get("availabilityDate")) or None,
            )
        )
    return found


def declared_documents(release: Mapping[str, Any]) -> set[str]:
    """The ids of the documents the release declares something withheld from."""
    return {d.document for d in declarations(release) if d.document}


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _list(value: Any) -> Sequence[Any]:
    return value if isinstance(value, list) else []


def _listed(contracts: Mapping[str, Any]) -> str:
    if not contracts:
        return "none"
    return ", ".join(repr(key[:40]) for key in list(contracts)[:5])


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value[:60])
    return "no code" if value is None else f"the value {str(value)[:60]}"
