"""What the notices on a procurement already published share: the procurement's tender as
each repeats it, the release around it, the entries it adds numbered after those published, and
the parties it names with every role they keep. Read from the procurement's compiled release
(``Context.compiled``)."""

from collections.abc import Mapping

from openbook.publishing.notice_forms.questions import LONDON, Context, moment, release_id


def entries(compiled: Mapping | None, section: str) -> list[dict]:
    """The objects of an array of the compiled release (``awards``, ``parties``...)."""
    found = (compiled or {}).get(section)
    return [entry for entry in found if isinstance(entry, dict)] if isinstance(found, list) else []


def next_id(section: list[dict]) -> str:
    """An id no entry of the section has yet: one more than the largest number among them."""
    numbers = [int(str(e.get("id"))) for e in section if str(e.get("id", "")).isdigit()]
    return str(max([len(section), *numbers]) + 1)


def repeated_tender(context: Context, **fields: object) -> dict:
    """The procurement's tender as these notices repeat it: its id and title (which each notice
    must give), and ``fields``."""
    tender = (context.compiled or {}).get("tender")
    tender = tender if isinstance(tender, dict) else {}
    found = {"id": str(tender.get("id") or "1")}
    if tender.get("title"):
        found["title"] = tender["title"]
    return {**found, **fields}


def process_release(code: str, context: Context, tags: list[str], **sections: object) -> dict:
    buyer = {"id": context.buyer_id, "name": context.buyer_name}
    return {
        "ocid": context.ocid,
        "id": release_id(code, context),
        "date": moment(context.now.astimezone(LONDON)),
        "tag": tags,
        "initiationType": "tender",
        "buyer": buyer,
        "parties": [with_roles(context, {**buyer, "roles": ["buyer"]})],
        **sections,
    }


def with_roles(context: Context, party: dict, *more: str) -> dict:
    """``party`` with the roles it has in the procurement as published, and ``more``: a list
    of roles is replaced whole when releases are merged (OCDS 1.1, "Merging"), so a release
    naming a party must give every role it keeps (a buyer that is also the payer stays so)."""
    roles: list[str] = []
    for known in entries(context.compiled, "parties"):
        if str(known.get("id")) == party["id"] and isinstance(known.get("roles"), list):
            roles = [role for role in known["roles"] if isinstance(role, str)]
    return {**party, "roles": list(dict.fromkeys([*roles, *party.get("roles", []), *more]))}


def newest(context: Context, section: str) -> dict:
    found = entries(context.compiled, section)
    return found[-1] if found else {}


def contract_of(context: Context) -> dict:
    """The newest contract, as a notice about it names it: its id and its award's (OCDS 1.1
    requires ``awardID`` of every contract)."""
    contract = newest(context, "contracts")
    award = contract.get("awardID") or newest(context, "awards").get("id") or "1"
    return {"id": str(contract.get("id") or "1"), "awardID": str(award)}
