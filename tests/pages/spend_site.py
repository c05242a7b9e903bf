"""Spend on a page site (docs/generator.md, "Spend"): the generated run's spending files loaded
and linked (the page tests' ``site``, tests/pages/conftest.py; bench/pages.py), and one address
of each spend page type on it (tests/pages/addresses.py). Free of pytest, for the benchmark."""

from pathlib import Path

from openbook.cli_spend_links import load_generated
from openbook.store import spend_links as linked
from openbook.store.database import Store


def load_spend(store: Store, directory: Path, processes: int, seed: int) -> None:
    """The spending files of a generated run's first ``processes`` processes, loaded and linked
    (for the page site's 60, about 200 payments: a second or so)."""
    load_generated(store, directory, processes, seed, per_contract=2)


def spend_addresses(store: Store) -> dict[str, str]:
    """The body paying the payment linked last in key order, a process it paid on, and a
    supplier of that process; none on a site without linked payments."""
    paid = [row for row in linked.linked_transactions(store) if row[2]]
    if not paid:
        return {}
    body, _, _, ocid, _, _, _ = max(paid)
    found = {
        "spend coverage of a body": f"/spend/bodies/{body}",
        "spend coverage of a body in Welsh": f"/spend/bodies/{body}?lang=cy",
        "process with payments": f"/processes/{ocid}",
    }
    for target in linked.targets_of_ocids(store, [ocid])[ocid]:
        for supplier in target.suppliers:
            if supplier.identifier:
                found["organisation paid as a supplier"] = f"/organisations/{supplier.identifier}"
    return found
