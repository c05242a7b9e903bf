"""The terms a release is found by in the change feed: its stages, its buyer and its suppliers.

The feed's filters (``stage``, ``buyer``, ``supplier``) must never miss a release, so these terms
are written with the release, in the transaction that appends it (docs/api.md). Pure functions.
"""

import functools

# OCDS release tags (codelist releaseTag) by the lifecycle stage they report on.
STAGE_OF_TAG = {
    "planning": "planning",
    "planningUpdate": "planning",
    "tender": "tender",
    "tenderAmendment": "tender",
    "tenderUpdate": "tender",
    "tenderCancellation": "tender",
    "award": "award",
    "awardUpdate": "award",
    "awardCancellation": "award",
    "contract": "contract",
    "contractUpdate": "contract",
    "contractAmendment": "contract",
    "contractTermination": "contract",
    "implementation": "implementation",
    "implementationUpdate": "implementation",
}
STAGES = ("planning", "tender", "award", "contract", "implementation")
# A term is an index key: bounded, so one party with a huge name cannot bloat the index.
TERM_CHARACTERS = 200


def normalise(value: str) -> str:
    """How names and identifiers are compared: case-folded, whitespace collapsed, without NUL
    characters (which PostgreSQL text cannot hold)."""
    return " ".join(value.replace("\x00", "").split()).casefold()[:TERM_CHARACTERS]


def stage_term(stage: str) -> str:
    return f"stage:{stage}"


def party_term(role: str, value: str) -> str:
    return f"{role}:{normalise(value)}"


def release_term(release_id: str) -> str:
    """Finds a release by its id alone, as a notice id (``/ocdsReleasePackages/ID``)."""
    return f"release:{release_id[:TERM_CHARACTERS]}"


def release_terms(release: dict) -> list[str]:
    """Distinct terms, sorted: ``stage:<stage>`` for each stage its tags report on;
    ``buyer:<key>`` and ``supplier:<key>`` for each way of naming the party (its identifier as
    ``SCHEME-ID``, its id within the release, its name); ``release:<id>``."""
    terms = party_terms(release)
    if isinstance(release.get("id"), str):
        terms.add(release_term(release["id"]))
    tags = release.get("tag")
    if isinstance(tags, list):
        # A tag that is not text (invalid, yet kept with its review) reports on no stage.
        terms.update(
            stage_term(STAGE_OF_TAG[tag])
            for tag in tags
            if isinstance(tag, str) and tag in STAGE_OF_TAG
        )
    return sorted(terms)


def party_terms(release: dict) -> set[str]:
    """The ``buyer:`` and ``supplier:`` terms of ``release_terms``: its parties with either
    role, its ``buyer`` and its awards' suppliers."""
    terms: set[str] = set()
    parties = release.get("parties")
    if isinstance(parties, list):
        _add_parties(parties, terms)
    buyer = release.get("buyer")
    if isinstance(buyer, dict):
        terms.update(map(_buyer_term, _party_keys(buyer)))
    awards = release.get("awards")
    if isinstance(awards, list):
        for award in awards:
            suppliers = award.get("suppliers") if isinstance(award, dict) else None
            if isinstance(suppliers, list):
                for supplier in suppliers:
                    if isinstance(supplier, dict):
                        terms.update(map(_supplier_term, _party_keys(supplier)))
    terms.discard("buyer:")
    terms.discard("supplier:")
    return terms


def _add_parties(parties: list, terms: set[str]) -> None:
    for party in parties:
        roles = party.get("roles") if isinstance(party, dict) else None
        if not isinstance(roles, list):
            continue
        buyer = "buyer" in roles
        supplier = "supplier" in roles
        if buyer or supplier:
            keys = _party_keys(party)
            if buyer:
                terms.update(map(_buyer_term, keys))
            if supplier:
                terms.update(map(_supplier_term, keys))


# The same parties name themselves in release after release: their terms are remembered
# (bounded; a pure function of its text), one cache a role, keyed by the text alone.
_buyer_term = functools.lru_cache(maxsize=16384)(functools.partial(party_term, "buyer"))
_supplier_term = functools.lru_cache(maxsize=16384)(functools.partial(party_term, "supplier"))


def _party_keys(party: dict) -> list[str]:
    keys = []
    for value in (party.get("id"), party.get("name")):
        if type(value) is str:
            keys.append(value)
        elif isinstance(value, (str, int)) and not isinstance(value, bool):
            keys.append(str(value))
    identifier = party.get("identifier")
    if isinstance(identifier, dict):
        scheme, code = identifier.get("scheme"), identifier.get("id")
        if isinstance(scheme, str) and isinstance(code, (str, int)) and not isinstance(code, bool):
            keys.append(f"{scheme}-{code}")
    return keys
