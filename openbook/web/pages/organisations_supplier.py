"""An organisation as a supplier, on its page: the contracts it won and their value by year,
the frameworks and dynamic markets it is a member of, how it performed, whether it is on the
debarment list, and who owns it (docs/organisations.md, docs/bods.md, docs/registers.md)."""

from openbook import commercial_tools, contract_performance, organisations, ownership
from openbook.store.database import Store

SUPPLIER = "supplier"
# Tools and performance records shown on the page; the rest are a link away.
TOOLS = 10
PERFORMANCE = 5


def as_supplier(
    store: Store, found: dict, before: int | None, today: str, limit: int
) -> dict | None:
    """The supplier's part of an organisation's page (``found``: as
    ``organisations.organisation`` gives it): None for an organisation no process names as a
    supplier and that neither the debarment list nor the ownership data knows."""
    identifier = found["identifier"]
    registers = found["registers"]
    listed = registers["debarment"]
    owners = ownership.owners(store, identifier, today)
    if SUPPLIER not in found["roles"] and not listed and owners is None:
        return None
    is_supplier = SUPPLIER in found["roles"]
    return {
        "contracts": organisations.processes_as(
            store, identifier, SUPPLIER, before=before, limit=limit
        )
        if is_supplier
        else None,
        "awardedByYear": by_currency(organisations.awarded_by_year(store, identifier))
        if is_supplier
        else [],
        "commercialTools": commercial_tools.register(store, member=identifier, limit=TOOLS)
        if registers["commercialTools"]["memberOf"]
        else {"page": [], "next": None},
        "performance": contract_performance.supplier(store, identifier, limit=PERFORMANCE)
        if is_supplier
        else None,
        "debarment": debarment(listed),
        "ownership": owners,
        "ownershipUrl": registers["ownership"]["url"],
    }


def debarment(entries: list[dict]) -> dict:
    """Whether the supplier is debarred now, and until when (the latest end of the entries in
    force; None for one without an end), with every entry naming it."""
    in_force = [entry for entry in entries if entry.get("inForce")]
    ends = [entry.get("endDate") for entry in in_force]
    dated = [end for end in ends if isinstance(end, str)]
    return {
        "debarred": bool(in_force),
        "until": max(dated) if dated and len(dated) == len(ends) else None,
        "entries": entries,
    }


def by_currency(years: list[dict]) -> list[dict]:
    """The value awarded by year, one series a currency (values are never added across
    currencies), the largest series first, each with its largest year's value: what its
    chart is scaled to."""
    series: dict[str | None, list[dict]] = {}
    for year in years:
        series.setdefault(year["currency"], []).append(
            {"year": year["year"], "amount": year["amount"], "processes": year["processes"]}
        )
    found = [
        {
            "currency": currency,
            "years": listed,
            "largest": max(each["amount"] for each in listed),
            "total": sum(each["amount"] for each in listed),
        }
        for currency, listed in series.items()
    ]
    return sorted(found, key=lambda each: -each["total"])
