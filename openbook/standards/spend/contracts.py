"""What a payment can be linked to (issue 9, item 3; docs/spend.md, "Linkage"): the contracts
of a compiled OCDS release, and its awards that no contract follows (``targets``); the payments
its contracts' notices published (``notice_payments``, UK8: contracts[].implementation
.transactions); and which buyers a paying body is (``match_buyers``). Pure.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from rapidfuzz import fuzz, process

from openbook.standards import identifiers, organisation_names
from openbook.standards.ocds.shapes import as_dict, dicts, number, text

CONTRACT = "contract"
AWARD = "award"
BODY_FUZZY_SCORE = 95  # a body's name this alike to a buyer's (0 to 100), when none is the same
_NOT_LIVE_AWARDS = frozenset({"cancelled", "unsuccessful"})
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]+")
_INITIALS = re.compile(r"\b(?:[A-Za-z]\. ?){2,}")
_MISSPELT = re.compile(r"l[a-z]{5,7}")  # the word "limited" with a letter wrong or more
_MISSPELT_SCORE = 85  # one letter wrong, missing, doubled or two swapped


@dataclass(frozen=True, slots=True)
class Supplier:
    identifier: str | None  # SCHEME-ID, as its register writes it
    key: str  # organisation_names.key of its name
    name: str
    postcode: str | None  # upper case, no spaces


@dataclass(frozen=True, slots=True)
class Target:
    """What a payment can link to: a contract, or an award no contract of the process
    follows."""

    ocid: str
    kind: str  # CONTRACT or AWARD
    id: str  # the contract's id, or the award's
    award_id: str | None
    buyer_id: str | None  # the buyer's identifier, SCHEME-ID
    buyer_key: str  # its name's key, hyphenated as a paying body's key is
    buyer_name: str
    suppliers: tuple[Supplier, ...]
    amount: float | None  # the value
    currency: str | None
    start: str | None  # YYYY-MM-DD
    end: str | None
    references: tuple[str, ...]  # the buyer's own references for it, normalised
    title: str
    framework: bool  # a framework agreement: paid through its call-offs, rarely itself

    def described(self) -> dict:
        return {
            "ocid": self.ocid,
            "kind": self.kind,
            "id": self.id,
            "buyer": self.buyer_name,
            "suppliers": [each.name for each in self.suppliers],
            "value": self.amount,
            "currency": self.currency,
            "start": self.start,
            "end": self.end,
            "title": self.title,
        }


@dataclass(frozen=True, slots=True)
class NoticePayment:
    """A payment a contract's notice published (``implementation.transactions``)."""

    ocid: str
    contract_id: str
    id: str
    date: str | None
    amount: float | None
    currency: str | None
    payer_id: str | None
    payer_key: str
    payee_id: str | None
    payee_key: str

    @property
    def key(self) -> str:
        """Its key among the payments linked: never a spend transaction's (those have no
        spaces)."""
        return f"notice {self.ocid} {self.contract_id} {self.id}"


# Reading compiled releases


def _day(value: object) -> str | None:
    found = text(value)[:10]
    if not _DAY.fullmatch(found):
        return None
    try:
        date.fromisoformat(found)
    except ValueError:
        return None
    return found


@lru_cache(maxsize=65536)  # suppliers' names repeat across contracts and payments
def name_key(name: str) -> str:
    """A name's key as organisation_names.key makes it, with dotted initials read as one word
    first ("P.L.C." is "PLC", so a legal form: "Acme P.L.C." is "Acme plc"), and a last word
    one letter from "limited" taken for it ("Acme Limted" is "Acme")."""
    found = organisation_names.key(_INITIALS.sub(_joined, name))
    words = found.split()
    last = words[-1] if len(words) > 1 else ""
    if _MISSPELT.fullmatch(last) and fuzz.ratio(last, "limited") >= _MISSPELT_SCORE:
        return " ".join(words[:-1])
    return found


def _joined(found: re.Match) -> str:
    return found.group().replace(".", "").replace(" ", "") + " "


@lru_cache(maxsize=65536)  # a buyer's name recurs in each of its processes
def body_key_of_name(name: str) -> str:
    """A name's key as a paying body's key writes it (transactions.Body)."""
    return "-".join(organisation_names.key(name).split())


def reference_key(value: str) -> str | None:
    """A reference normalised (upper case, letters and digits), if it could tell contracts
    apart: four characters or more, a digit among them."""
    found = _NOT_ALNUM.sub("", value.upper())
    return found if len(found) >= 4 and any(char.isdigit() for char in found) else None


def postcode_key(value: object) -> str | None:
    found = _NOT_ALNUM.sub("", text(value).upper())
    return found or None


def _supplier(reference: dict, parties: Mapping[str, dict]) -> Supplier:
    party = parties.get(text(reference.get("id")), {})
    found = _party_identifier(party)
    name = text(reference.get("name")).strip() or text(party.get("name")).strip()
    return Supplier(
        identifier=found,
        key=name_key(name),
        name=name,
        postcode=postcode_key(as_dict(party.get("address")).get("postalCode")),
    )


def _money(*values: object) -> tuple[float | None, str | None]:
    for value in values:
        found = as_dict(value)
        amount = number(found.get("amount"))
        if amount is not None:
            return amount, text(found.get("currency")).upper() or None
    return None, None


def _period(*periods: object) -> tuple[str | None, str | None]:
    for period in periods:
        found = as_dict(period)
        start, end = _day(found.get("startDate")), _day(found.get("endDate"))
        if start or end:
            return start, end
    return None, None


def _party_identifier(party: dict) -> str | None:
    """identifiers.party_identifier, each scheme and id checked once a run."""
    more = party.get("additionalIdentifiers")
    for given in [party.get("identifier"), *(more if isinstance(more, list) else [])]:
        if identifiers.is_given(given):
            scheme, id_ = given.get("scheme"), given.get("id")
            hashable = all(isinstance(each, str | int | None) for each in (scheme, id_))
            found = _checked(scheme, id_) if hashable else _checked.__wrapped__(scheme, id_)
            if found is not None:
                return found
    return None


@lru_cache(maxsize=65536)
def _checked(scheme: object, id_: object) -> str | None:
    found = identifiers.check(scheme, id_).identifier
    return str(found) if found is not None else None


def _buyer(compiled: dict, parties: Mapping[str, dict]) -> tuple[str | None, str]:
    buyer = as_dict(compiled.get("buyer"))
    party = parties.get(text(buyer.get("id")))
    if party is None:
        party = next(
            (each for each in parties.values() if "buyer" in (each.get("roles") or [])), {}
        )
        buyer = buyer or party
    name = text(buyer.get("name")).strip() or text(party.get("name")).strip()
    return _party_identifier(party), name


def targets(ocid: str, compiled: dict) -> list[Target]:
    """The contracts of a compiled release, and the awards no contract follows, as link
    targets; cancelled ones, and unsuccessful awards, are none."""
    parties = {text(each.get("id")): each for each in dicts(compiled.get("parties"))}
    buyer_id, buyer_name = _buyer(compiled, parties)
    tender = as_dict(compiled.get("tender"))
    techniques = as_dict(tender.get("techniques"))
    framework = techniques.get("hasFrameworkAgreement") is True
    tender_reference = reference_key(text(tender.get("id")))
    awards = [
        each
        for each in dicts(compiled.get("awards"))
        if text(each.get("status")) not in _NOT_LIVE_AWARDS and text(each.get("id"))
    ]
    contracts = [
        each
        for each in dicts(compiled.get("contracts"))
        if text(each.get("status")) != "cancelled" and text(each.get("id"))
    ]
    by_award = {text(each.get("id")): each for each in awards}
    buyer_key = body_key_of_name(buyer_name)
    found = []
    paid_awards = set()
    for contract in contracts:
        award_id = text(contract.get("awardID")) or None
        award = by_award.get(award_id or "", {})
        if award:
            paid_awards.add(award_id)
        suppliers = tuple(_supplier(each, parties) for each in dicts(award.get("suppliers")))
        if not award and len(contracts) == 1 and len(awards) <= 1:
            # Its award not published: its suppliers are the process's, there being no
            # other award they could be from.
            suppliers = suppliers or _named_suppliers(parties)
        amount, currency = _money(contract.get("value"), award.get("value"))
        start, end = _period(
            contract.get("period"), award.get("contractPeriod"), tender.get("contractPeriod")
        )
        found.append(
            Target(
                ocid=ocid,
                kind=CONTRACT,
                id=text(contract.get("id")),
                award_id=award_id,
                buyer_id=buyer_id,
                buyer_key=buyer_key,
                buyer_name=buyer_name,
                suppliers=suppliers,
                amount=amount,
                currency=currency,
                start=start or _day(contract.get("dateSigned")),
                end=end,
                references=_references(tender_reference, contract.get("id"), award_id),
                title=text(contract.get("title"))
                or text(award.get("title"))
                or text(tender.get("title")),
                framework=framework,
            )
        )
    for award in awards:
        award_id = text(award.get("id"))
        if award_id in paid_awards:
            continue
        amount, currency = _money(award.get("value"))
        start, end = _period(award.get("contractPeriod"), tender.get("contractPeriod"))
        found.append(
            Target(
                ocid=ocid,
                kind=AWARD,
                id=award_id,
                award_id=award_id,
                buyer_id=buyer_id,
                buyer_key=buyer_key,
                buyer_name=buyer_name,
                suppliers=tuple(_supplier(each, parties) for each in dicts(award.get("suppliers"))),
                amount=amount,
                currency=currency,
                start=start or _day(award.get("date")),
                end=end,
                references=_references(tender_reference, award_id),
                title=text(award.get("title")) or text(tender.get("title")),
                framework=framework,
            )
        )
    return found


def _named_suppliers(parties: Mapping[str, dict]) -> tuple[Supplier, ...]:
    return tuple(
        _supplier(each, parties)
        for each in parties.values()
        if "supplier" in (each.get("roles") or [])
    )


def _references(tender_reference: str | None, *ids: object) -> tuple[str, ...]:
    found = [tender_reference] + [reference_key(text(each)) for each in ids]
    return tuple(dict.fromkeys(each for each in found if each))


def notice_payments(ocid: str, compiled: dict) -> list[NoticePayment]:
    """The payments the contracts' notices published (UK8: contracts[].implementation
    .transactions), each once."""
    found: dict[str, NoticePayment] = {}
    for contract in dicts(compiled.get("contracts")):
        contract_id = text(contract.get("id"))
        for each in dicts(as_dict(contract.get("implementation")).get("transactions")):
            transaction_id = text(each.get("id"))
            if not contract_id or not transaction_id:
                continue
            amount, currency = _money(each.get("value"), each.get("amount"))
            payer, payee = as_dict(each.get("payer")), as_dict(each.get("payee"))
            payment = NoticePayment(
                ocid=ocid,
                contract_id=contract_id,
                id=transaction_id,
                date=_day(each.get("date")),
                amount=amount,
                currency=currency,
                payer_id=_identifier_text(payer.get("id")),
                payer_key=body_key_of_name(text(payer.get("name"))),
                payee_id=_identifier_text(payee.get("id")),
                payee_key=name_key(text(payee.get("name"))),
            )
            found.setdefault(payment.key, payment)
    return list(found.values())


def _identifier_text(value: object) -> str | None:
    checked = identifiers.check_party_id(text(value)) if text(value) else None
    if checked is None or checked.identifier is None:
        return None
    return str(checked.identifier)


# Paying bodies and buyers


@dataclass(frozen=True, slots=True)
class Buyer:
    id: str | None
    key: str


def match_buyers(
    body_key: str, body_name: str, buyers: Sequence[Buyer]
) -> tuple[list[Buyer], str | None]:
    """The buyers a paying body is: by identifier or name key; else the buyers whose names
    are alike at BODY_FUZZY_SCORE (all of those equally alike). Returns them and how
    ("identifier", "name", "fuzzy 96.3"), or none."""
    by_id = [each for each in buyers if each.id and each.id == body_key]
    if by_id:
        return by_id, "identifier"
    keys = {body_key, body_key_of_name(body_name)} - {""}
    by_name = [each for each in buyers if each.key in keys]
    if by_name:
        return by_name, "name"
    known = sorted({each.key.replace("-", " ") for each in buyers if each.key})
    wanted = body_key_of_name(body_name).replace("-", " ")
    if not wanted or not known:
        return [], None
    best = process.extract(
        wanted, known, scorer=fuzz.token_sort_ratio, score_cutoff=BODY_FUZZY_SCORE, limit=5
    )
    if not best:
        return [], None
    top = best[0][1]
    chosen = {match.replace(" ", "-") for match, score, _ in best if score == top}
    return [each for each in buyers if each.key in chosen], f"fuzzy {round(top, 1)}"
