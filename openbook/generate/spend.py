"""Spending files consistent with the generated contracts, and the truth of which payment pays
which contract (issue 9, item 6; docs/generator.md, "Spend"), so that linkage is measured
against known truth (bench/spend_linkage.py).

Each contract a run's plans sign (``timeline.Group``; not framework agreements themselves,
which are paid through their call-offs) is paid over its real term and value, whatever its
notices published: the truth links a payment to the contract as published (its ocid and the
contract's id), to the award where only the award was published, and to nothing where
neither was. Each body also pays others no contract names (grants, refunds, people whose names
are withheld). How a body writes its files (the central government's columns or the Local
Government Transparency Code's, names in capitals, a contract reference column, supplier
numbers, postcodes) is drawn once per body; how each row writes its supplier's name (as
published, its legal form otherwise, punctuation, a typo) per row.

Every number comes from ``random.Random`` seeded with the run's seed and a process key or a
body's index, under names of its own: the releases of a run are the same with or without its
spend (the release stream draws nothing here).
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from openbook.generate.draws import lognormal, pick
from openbook.generate.organisations import supplier
from openbook.generate.stream import DEFAULT_START, Generator
from openbook.generate.timeline import CALL_OFFS, Process
from openbook.generate.vocabulary import PLACES, SURNAMES

CENTRAL_COLUMNS = [
    "Department family", "Entity", "Date", "Expense type", "Expense area", "Supplier",
    "Transaction number", "Amount", "Description",
]  # fmt: skip
LOCAL_COLUMNS = [
    "OrganisationLabel", "OrganisationURI", "EffectiveDate", "OrganisationalUnit",
    "BeneficiaryName", "PaymentDate", "TransactionNumber", "Amount", "Purpose",
]  # fmt: skip
TRUTH_COLUMNS = ["file", "row", "body", "transactionNumber", "ocid", "kind", "id", "category"]
# How the truth says a row was written: what it offers the linker.
CATEGORIES = (
    "reference",  # names the ocid, or the buyer's reference
    "identifier",  # the supplier's Companies House or charity number
    "name",  # the supplier's name as published (capitals aside)
    "name-variant",  # another legal form, punctuation, "and" for "&"
    "name-typo",  # one letter wrong, missing, doubled or swapped
    "unpublished",  # a contract neither of whose notices was published: no link to find
    "other",  # a payee no contract names: no link to find
    "withheld",  # a person's name withheld: no link to find
)
OTHER_SHARE = 0.15  # of a body's payments, to payees no contract names
_LEGAL_FORMS = {
    "Ltd": ["Limited", "LTD", "Ltd.", ""],
    "Limited": ["Ltd", "LTD", "Ltd.", ""],
    "plc": ["PLC", "Public Limited Company", "P.L.C.", ""],
    "LLP": ["L.L.P.", "Limited Liability Partnership", ""],
    "CIC": ["C.I.C.", "Community Interest Company", ""],
    "Trust": ["Trust"],
}
_OTHER_KINDS = (
    "Community Association", "Residents Association", "Youth Club", "Sports Club",
    "Parish Council", "Food Bank", "Allotment Society", "Arts Festival",
)  # fmt: skip
_EXPENSES = {
    "services": ("Professional services", "Consultancy", "IT services", "Facilities management"),
    "goods": ("Equipment purchase", "Supplies and materials", "ICT hardware", "Furniture"),
    "works": ("Capital works", "Building maintenance", "Highways works", "Construction"),
}


@dataclass(frozen=True, slots=True)
class Style:
    """How a body writes its spending files."""

    central: bool  # the central government's columns, else the Transparency Code's
    capitals: bool  # supplier names in capitals
    reference: bool  # a contract reference column
    identifiers: bool  # supplier numbers (Transparency Code files)
    postcodes: bool  # supplier postcodes (central government files)


@dataclass(frozen=True, slots=True)
class Payment:
    body: int  # the buyer's index
    day: str  # YYYY-MM-DD
    amount: float
    supplier: str  # as the row writes it
    supplier_id: str
    postcode: str
    reference: str
    description: str
    ocid: str  # the truth: "" for none
    kind: str
    id: str
    category: str


def style(seed: int, index: int, central: bool) -> Style:
    draw = random.Random(f"openbook spend style {seed} {index}").random
    return Style(
        central=central,
        capitals=draw() < (0.7 if central else 0.3),
        reference=draw() < (0.45 if central else 0.3),
        identifiers=not central and draw() < 0.5,
        postcodes=central and draw() < 0.5,
    )


def _published(plan: Process, group: int) -> tuple[str, str]:
    """The target the notices of a group published: ("contract", id), ("award", id), or none."""
    codes = {event.code for event in plan.events if event.group == group}
    if codes & {"UK7", "UK9", "UK10", "UK11"}:
        return "contract", str(group + 1)
    if codes & {"UK6"} or (group == 0 and any(event.code == "UK5" for event in plan.events)):
        return "award", str(group + 1)
    return "", ""


def _plans(gen: Generator, processes: int) -> Iterator[Process]:
    """Every plan of a run, call-offs after their framework."""
    for number in range(processes):
        key = number * CALL_OFFS
        gen.admitting, gen.admitted = number, gen.arrival(number)
        plan = Process(gen, key)
        yield plan
        if plan.calloffs:
            gen._plans[key] = (plan, 0)  # the call-offs' plans read their framework's
            for index in range(1, len(plan.calloffs) + 1):
                yield Process(gen, key + index)
            del gen._plans[key]


def contract_payments(
    gen: Generator, plan: Process, seed: int, per_contract: float, styles: list[Style]
) -> Iterator[Payment]:
    """The payments of a plan's contracts (none for a framework agreement itself)."""
    if plan.framework:
        return
    draw = random.Random(f"openbook spend {seed} {plan.key}").random
    clock = gen.clock
    for number, group in enumerate(plan.groups):
        kind, target_id = _published(plan, number)
        chosen = group.suppliers or list(
            dict.fromkeys(plan.winner(number, place) for place in range(group.count))
        )
        party = supplier(seed, plan.category, chosen[int(draw() * len(chosen))])
        value = group.changes[-1][1] if group.changes else group.value
        start = date.fromisoformat(clock.day(group.start)[:10])
        end = date.fromisoformat(clock.day(group.end)[:10])
        count = _poisson(draw, max(per_contract, 1.0) - 1) + 1
        weights = [0.5 + draw() for _ in range(count)]
        spent = value * (0.7 + 0.3 * draw()) / sum(weights)
        span = max(1, (end - start).days)
        body_style = styles[plan.buyer.index]
        for index, weight in enumerate(weights):
            day = start + timedelta(days=int(20 + span * (index + draw()) / count))
            if draw() < 0.02:  # paid long after the contract ended: no link by date
                day = end + timedelta(days=100 + int(100 * draw()))
            amount = round(spent * weight, 2)
            if draw() < 0.01:
                amount = -round(amount * (0.05 + 0.2 * draw()), 2)  # a credit note
            name, category = _written(draw, party["name"], body_style)
            reference = ""
            if kind and body_style.reference and draw() < 0.85:
                reference = _reference(draw, plan, target_id)
                category = "reference"
            supplier_id = ""
            if body_style.identifiers and draw() < 0.8:
                supplier_id = party["identifier"]["id"]
                if category not in ("reference",):
                    category = "identifier"
            if not kind:
                category = "unpublished"
            yield Payment(
                body=plan.buyer.index,
                day=day.isoformat(),
                amount=amount,
                supplier=name,
                supplier_id=supplier_id,
                postcode=party["address"]["postalCode"] if body_style.postcodes else "",
                reference=reference,
                # half name what was bought as the contract's title does, half as a kind of
                # spend only
                description=plan.title if draw() < 0.5 else pick(draw, _EXPENSES[plan.category]),
                ocid=plan.ocid if kind else "",
                kind=kind,
                id=target_id,
                category=category,
            )


def _poisson(draw: Callable[[], float], mean: float) -> int:
    """Knuth's method: fine for the small means asked here."""
    limit, count, product = math.exp(-min(mean, 60.0)), 0, draw()
    while product > limit:
        count += 1
        product *= draw()
    return count


def _written(draw: Callable[[], float], name: str, body: Style) -> tuple[str, str]:
    """A supplier's name as a row writes it, and the truth's category for it."""
    roll = draw()
    category = "name"
    if roll < 0.22:
        words = name.split()
        forms = _LEGAL_FORMS.get(words[-1])
        if forms:
            words[-1] = pick(draw, forms)
            name = " ".join(word for word in words if word)
            category = "name-variant"
    elif roll < 0.32:
        name = name.replace(" & ", " and ") if " & " in name else name + "."
        category = "name-variant"
    elif roll < 0.42:
        name = _typo(draw, name)
        category = "name-typo"
    return (name.upper() if body.capitals else name), category


def _typo(draw: Callable[[], float], name: str) -> str:
    """One letter of a longer word wrong, missing, doubled or swapped with the next."""
    words = name.split()
    long = [index for index, word in enumerate(words) if len(word) >= 6]
    if not long:
        return name
    index = pick(draw, long)
    word = words[index]
    place = 1 + int(draw() * (len(word) - 2))
    how = draw()
    if how < 0.25:
        word = word[:place] + word[place + 1 :]
    elif how < 0.5:
        word = word[:place] + word[place] + word[place:]
    elif how < 0.75:
        word = word[:place] + word[place + 1] + word[place] + word[place + 2 :]
    else:
        word = word[:place] + pick(draw, "aeioustr") + word[place + 1 :]
    words[index] = word
    return " ".join(words)


def _reference(draw: Callable[[], float], plan: Process, target_id: str) -> str:
    roll = draw()
    if roll < 0.35:
        return plan.ocid
    if roll < 0.65:
        return f"{plan.ocid}/{target_id}"
    return plan.reference  # the buyer's own reference: the tender's id


def other_payments(seed: int, index: int, count: int, first: str, last: str) -> Iterator[Payment]:
    """Payments of a body to payees no contract names, between two dates."""
    draw = random.Random(f"openbook spend others {seed} {index}").random
    start = date.fromisoformat(first)
    span = max(1, (date.fromisoformat(last) - start).days)
    for _ in range(count):
        roll = draw()
        category = "other"
        if roll < 0.25:
            name, category = "Redacted Personal Information", "withheld"
        elif roll < 0.7:
            name = f"{pick(draw, PLACES)[0]} {pick(draw, _OTHER_KINDS)}"
        else:
            name = f"{pick(draw, SURNAMES)} Family Trust"
        yield Payment(
            body=index,
            day=(start + timedelta(days=int(span * draw()))).isoformat(),
            amount=round(lognormal(draw, 2_500, 1.2), 2),
            supplier=name,
            supplier_id="",
            postcode="",
            reference="",
            description="Grant" if category == "other" else "Reimbursement",
            ocid="",
            kind="",
            id="",
            category=category,
        )


@dataclass
class Written:
    files: int = 0
    payments: int = 0
    bodies: int = 0


def write_spend(
    directory: Path,
    processes: int,
    seed: int,
    start: date | None = None,
    *,
    per_contract: float = 4.0,
    until: date | None = None,
    span: int | None = None,
) -> Written:
    """Write a run's spending files under ``directory`` (one folder a body, one file a year),
    ``bodies.csv`` (each folder's body, for ``openbook spend load --body`` where the files do
    not name it) and ``truth.csv`` (each row's contract, or none, and how it was written).
    ``until``: no payment after that day, and ``span`` the run's (for a run generated with them,
    as the demo's: openbook.generate.stream.generate_releases)."""
    gen = Generator(processes, seed, start or DEFAULT_START, span=span)
    last = until.isoformat() if until is not None else None
    # Buyers of one name are one paying body: the generator draws some names twice (with one
    # identifier, or another), and a spending file names its body.
    first: dict[str, int] = {}
    for buyer in gen.buyers:
        first.setdefault(buyer.name, buyer.index)
    bodies_of = [first[buyer.name] for buyer in gen.buyers]
    styles = [style(seed, index, buyer.id.startswith("GB-GOR-")) for index, buyer in
              zip(bodies_of, gen.buyers, strict=True)]  # fmt: skip
    by_body: dict[int, list[Payment]] = {}
    for plan in _plans(gen, processes):
        for payment in contract_payments(gen, plan, seed, per_contract, styles):
            if last is not None and payment.day > last:
                continue
            by_body.setdefault(bodies_of[payment.body], []).append(payment)
    directory.mkdir(parents=True, exist_ok=True)
    written = Written()
    with (
        (directory / "truth.csv").open("w", newline="", encoding="utf-8") as truth_file,
        (directory / "bodies.csv").open("w", newline="", encoding="utf-8") as bodies_file,
    ):
        truth = csv.writer(truth_file)
        truth.writerow(TRUTH_COLUMNS)
        bodies = csv.writer(bodies_file)
        bodies.writerow(["folder", "body", "columns"])
        for index, contracted in sorted(by_body.items()):
            buyer = gen.buyers[index]
            days = sorted(each.day for each in contracted)
            others = int(len(contracted) * OTHER_SHARE / (1 - OTHER_SHARE) + 0.5)
            payments = [*contracted, *other_payments(seed, index, others, days[0], days[-1])]
            payments.sort(key=lambda each: (each.day, each.supplier, each.amount))
            folder = f"{index:03d}-{'-'.join(buyer.name.lower().split())[:50]}"
            body_style = styles[index]
            bodies.writerow([folder, buyer.name, "central" if body_style.central else "local"])
            written.files += _write_body(directory / folder, buyer, body_style, payments, truth)
            written.payments += len(payments)
            written.bodies += 1
    return written


def _write_body(folder: Path, buyer, body: Style, payments: list[Payment], truth) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    by_year: dict[str, list[tuple[int, Payment]]] = {}
    for number, payment in enumerate(payments, 1):
        by_year.setdefault(payment.day[:4], []).append((number, payment))
    for year, rows in sorted(by_year.items()):
        name = f"{folder.name}-{year}.csv"
        with (folder / name).open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            columns = _columns(body)
            writer.writerow(columns)
            for line, (number, payment) in enumerate(rows, 2):
                writer.writerow(_cells(buyer, body, number, payment))
                truth.writerow(
                    [
                        f"{folder.name}/{name}",
                        line,
                        buyer.name,
                        _number(buyer, number),
                        payment.ocid,
                        payment.kind,
                        payment.id,
                        payment.category,
                    ]
                )
    return len(by_year)


def _number(buyer, number: int) -> str:
    return f"{buyer.reference or 'T'}{number:08d}"


def _columns(body: Style) -> list[str]:
    if body.central:
        return [
            *CENTRAL_COLUMNS,
            *(["Supplier postcode"] if body.postcodes else []),
            *(["Contract number"] if body.reference else []),
        ]
    return [
        *LOCAL_COLUMNS,
        *(["BeneficiaryOtherID"] if body.identifiers else []),
        *(["Contract Reference"] if body.reference else []),
    ]


def _cells(buyer, body: Style, number: int, payment: Payment) -> list[str]:
    day = date.fromisoformat(payment.day)
    expense = _EXPENSES["services"][number % 4]
    if body.central:
        cells = [
            buyer.reference or "GOV",
            buyer.name.upper(),
            day.strftime("%d-%b-%Y"),
            expense,
            "Corporate services",
            payment.supplier,
            _number(buyer, number),
            f"{payment.amount:.2f}",
            payment.description,
        ]
        if body.postcodes:
            cells.append(payment.postcode)
    else:
        cells = [
            buyer.name,
            f"http://opendatacommunities.org/id/{buyer.id.lower()}",
            day.isoformat(),
            "Corporate services",
            payment.supplier,
            day.isoformat(),
            _number(buyer, number),
            f"{payment.amount:.2f}",
            payment.description,
        ]
        if body.identifiers:
            cells.append(payment.supplier_id)
    if body.reference:
        cells.append(payment.reference)
    return cells
