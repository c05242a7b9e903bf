"""Who owns an organisation (docs/bods.md, "Ownership"): its BODS record found by identifier,
every path of current ownership up to its ultimate owners, and the flags a buyer or a journalist
needs: no ownership information, owners not disclosed and why, a politically exposed owner,
circular ownership, an owner on the debarment list."""

from collections.abc import Iterator, Sequence
from datetime import date

import orjson

from openbook.standards import identifiers
from openbook.standards.bods import REGISTER, ownership
from openbook.standards.registers.debarment import REGISTER as DEBARMENT
from openbook.standards.registers.debarment import in_force
from openbook.store import ownership as stored
from openbook.store import parties, registers
from openbook.store import records as stored_records
from openbook.store.database import Store


def owners(store: Store, text: str, today: str) -> dict | None:
    """The ownership of the entity an identifier (SCHEME-ID) or BODS ``recordId`` names; None
    if the ownership data knows neither."""
    checked = identifiers.check_party_id(text) if "-" in text else None
    found = (
        stored.records_identified(store, str(checked.identifier))
        if checked is not None and checked.identifier is not None
        else []
    )
    if not found and _compiled(store, [text]):
        found = [text]
    if not found:
        return None
    return {
        "query": text,
        "records": [_ownership_of(store, record_id, today) for record_id in found],
    }


def _ownership_of(store: Store, record_id: str, today: str) -> dict:
    kinds: dict[str, str] = {}

    def kinds_of(keys: list[str]) -> dict[str, str]:
        records = _compiled(store, keys)
        found = {key: str(record.get("recordType")) for key, record in records.items()}
        kinds.update(found)
        return found

    paths = ownership.trace(record_id, lambda keys: stored.owners(store, keys), kinds_of)
    parties = sorted({step["party"] for path in paths for step in path.steps if step["party"]})
    records = _compiled(store, [record_id, *parties])
    return {
        "recordId": record_id,
        "name": _name(records.get(record_id)),
        "paths": [path.as_dict() for path in paths],
        "ultimateOwners": _ultimate(paths, records),
        "parties": {key: _party(records.get(key)) for key in parties},
        "flags": _flags(store, paths, records, parties, today),
    }


def _ultimate(paths: Sequence[ownership.Path], records: dict) -> list[dict]:
    found: dict[str, dict] = {}
    for path in paths:
        last = path.steps[-1] if path.steps else None
        if last is None or path.end not in ("person", "no-owners-known"):
            continue
        key = last["party"]
        entry = found.setdefault(
            key, {"recordId": key, "name": _name(records.get(key)), "kind": path.end, "paths": 0}
        )
        entry["paths"] += 1
    return list(found.values())


def _flags(
    store: Store, paths: Sequence[ownership.Path], records: dict, parties: list[str], today: str
) -> list[dict]:
    flags: list[dict] = []
    if not paths:
        flags.append({"flag": "no-ownership-information", "why": "no relationship names it"})
    if any(path.end == "truncated" for path in paths):
        flags.append(
            {
                "flag": "paths-truncated",
                "why": f"more than {ownership.MAX_PATHS} paths of ownership: those past it are "
                "cut where they were ('truncated'), and its owners may be more than shown",
            }
        )
    for path in paths:
        last = path.steps[-1] if path.steps else {}
        if path.end == "unspecified":
            unspecified = last.get("unspecified") or {}
            flags.append(
                {
                    "flag": "owner-not-disclosed",
                    "why": f"{unspecified.get('reason')}: {unspecified.get('description') or ''}",
                    "path": [step["relationship"] for step in path.steps],
                }
            )
        if path.end == "circular":
            flags.append(
                {
                    "flag": "circular-ownership",
                    "why": f"{last.get('party')} owns, through this path, what it is owned by",
                    "path": [step["relationship"] for step in path.steps],
                }
            )
    for key in parties:
        details = (records.get(key) or {}).get("recordDetails") or {}
        exposure = details.get("politicalExposure") if isinstance(details, dict) else None
        if isinstance(exposure, dict) and exposure.get("status") == "isPep":
            flags.append(
                {
                    "flag": "politically-exposed-owner",
                    "why": f"{key} ({_name(records.get(key))}) is a politically exposed person",
                    "path": _path_to(paths, key),
                }
            )
    restricted = ownership.restricted_registers()
    for key in parties:
        code = ownership.jurisdiction_code(records.get(key))
        if code in restricted:
            access = restricted[code]
            flags.append(
                {
                    "flag": "owner-in-jurisdiction-without-public-register",
                    "why": f"{key} is in {access['name']}, whose register of beneficial owners "
                    f"is not public: {access['summary']}",
                    "source": access["source"],
                    "path": _path_to(paths, key),
                }
            )
    owned_by = stored.identifiers_of(store, parties)
    for key, given in owned_by.items():
        for entry in registers.naming(store, DEBARMENT.code, given):
            if in_force(entry.entry, today):
                flags.append(
                    {
                        "flag": "debarred-owner",
                        "why": f"{key} is on the debarment list ({entry.entry_id})",
                        "path": _path_to(paths, key),
                    }
                )
    return flags


def _path_to(paths: Sequence[ownership.Path], key: str) -> list[str]:
    """The relationships of the shortest path that reaches the party."""
    reaching = [
        [step["relationship"] for step in path.steps[: index + 1]]
        for path in paths
        for index, step in enumerate(path.steps)
        if step["party"] == key
    ]
    return min(reaching, key=len) if reaching else []


def _compiled(store: Store, keys: Sequence[str]) -> dict[str, dict]:
    found = stored_records.compiled_of(store, REGISTER, keys)
    return {key: orjson.loads(text) for key, text in found.items()}


def _name(record: dict | None) -> str | None:
    details = (record or {}).get("recordDetails")
    if not isinstance(details, dict):
        return None
    if isinstance(details.get("name"), str):
        return details["name"]
    names = details.get("names")
    if isinstance(names, list) and names and isinstance(names[0], dict):
        return names[0].get("fullName")
    return None


def _party(record: dict | None) -> dict:
    if record is None:
        return {"known": False}
    return {"known": True, "recordType": record.get("recordType"), "name": _name(record)}


def of_process(store: Store, ocid: str, today: str) -> list[dict]:
    """The ownership flags of each supplier of a process (its contract's suppliers), each flag
    with its path; a supplier without an identifier cannot be traced, and is flagged so."""
    found = []
    for name, identifier in parties.suppliers_of(store, ocid):
        if identifier is None:
            found.append(
                {
                    "name": name,
                    "identifier": None,
                    "flags": [
                        {
                            "flag": "supplier-not-identified",
                            "why": "the process gives this supplier no identifier, so its "
                            "owners cannot be found",
                        }
                    ],
                }
            )
            continue
        known = owners(store, identifier, today)
        flags = (
            [flag for record in known["records"] for flag in record["flags"]]
            if known is not None
            else [
                {
                    "flag": "no-ownership-information",
                    "why": f"no beneficial ownership statement names {identifier}",
                }
            ]
        )
        found.append(
            {
                "name": name,
                "identifier": identifier,
                "ownership": f"/api/ownership/{identifier}" if known is not None else None,
                "flags": flags,
            }
        )
    return found


def bulk(store: Store) -> Iterator[dict]:
    """Every supplier the ownership data knows: its identifier and, for each of its records,
    its ultimate owners and flags (the bulk file ``registers/ownership.jsonl.gz``); streamed."""
    today = date.today().isoformat()
    for identifier in stored.suppliers_with_owners(store):
        found = owners(store, identifier, today)
        if found is None:
            continue
        yield {
            "identifier": identifier,
            "records": [
                {
                    "recordId": record["recordId"],
                    "name": record["name"],
                    "ultimateOwners": record["ultimateOwners"],
                    "flags": record["flags"],
                }
                for record in found["records"]
            ],
        }
