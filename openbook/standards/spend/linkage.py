"""Linking payments to the contracts they pay for (issue 9, item 3; docs/spend.md, "Linkage").
Pure: what a spend transaction offers to link by (``features``), and the decision for one
payment among its body's contracts (``decide``); what the contracts offer is read from compiled
releases by openbook.standards.spend.contracts.

A payment links to a contract (an ocid and the contract's id), or to an award where the
process has no contract for it, by the strongest method that finds exactly one:

1. ``notice``: the contract's own notice published the payment (a UK8 contract payments notice,
   ``contracts[].implementation.transactions``), or the spend row is such a payment (the same
   payer, the amount the same or the same with VAT, and the date within NOTICE_DAYS, as
   openbook.standards.spend.duplicates finds it).
2. ``reference``: the row names the process (its ocid, with or without the contract's id) or
   gives the buyer's own reference for it (the tender's id).
3. ``supplier-identifier``, ``supplier-name``, ``supplier-name-fuzzy``: the paying body is the
   contract's buyer, the supplier is the contract's (by identifier; else by name, compared as
   organisation_names compares them, or through the identifier another contract gives that
   name; else by a name alike at FUZZY_SCORE or more), the payment date is within the
   contract's period (with SLACK_BEFORE and SLACK_AFTER days of slack) and the amount within
   its value (VALUE_MARGIN times: VAT and a little more).

Several contracts fitting equally is no link: the payment stays unlinked, with them as its
candidates. METHOD_VERSION names this method; a change to it relinks every payment.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache

from rapidfuzz import fuzz, process

from openbook.standards import identifiers, organisation_names
from openbook.standards.ocds.shapes import as_dict, text
from openbook.standards.spend import duplicates
from openbook.standards.spend.contracts import (
    CONTRACT,
    NoticePayment,
    Target,
    name_key,
    postcode_key,
    reference_key,
)
from openbook.standards.spend.transactions import WITHHELD

# 3: a spend row is a notice's payment with VAT too (spend.duplicates),
# and a description's and a title's words are read whole (WORDS, not 200 characters).
METHOD_VERSION = "spend-linkage/3"

NOTICE = "notice"
REFERENCE = "reference"
IDENTIFIER = "supplier-identifier"
NAME = "supplier-name"
FUZZY = "supplier-name-fuzzy"
METHODS = (NOTICE, REFERENCE, IDENTIFIER, NAME, FUZZY)

SLACK_BEFORE = 31  # days before a contract's start: payments in advance, mobilisation
SLACK_AFTER = 92  # days after its end: the last invoices, paid up to a quarter later
VALUE_MARGIN = 1.25  # a payment's amount at most this times the value: VAT at 20%, and 5%
NOTICE_DAYS = duplicates.NOTICE_DAYS  # a spend row this near a notice's payment may be it
FUZZY_SCORE = organisation_names.CANDIDATE_SCORE  # names alike at this or more (0 to 100)
SHOWN = 3  # candidates kept for a payment
NEAREST_SCORE = 60  # names alike at this or more are shown as an unlinked payment's candidates
# A payment's description whose words are all among a contract's title's tells apart contracts
# that fit alike; with fewer words it is a kind of spend ("Consultancy"), in many titles.
DESCRIBED_WORDS = 3
# The distinct words of a description or title compared, the first so many, each by
# its first WORD_CHARACTERS: a bound on what a hostile text costs, far beyond any real title.
WORDS = 100
WORD_CHARACTERS = 40

# Scores: how sure a link is, from 0 to 1. A base for the method, less PENALTY for each thing
# that could not be checked or only just passed (a date in the slack, a value not given).
BASE = {
    NOTICE: 1.0,
    REFERENCE: 0.99,  # the ocid; the buyer's own reference: BUYER_REFERENCE
    IDENTIFIER: 0.95,
    NAME: 0.9,
    FUZZY: 0.9,  # times the names' likeness (90 to 100)
}
BUYER_REFERENCE = 0.95
PENALTY = 0.05
_OCID = re.compile(r"ocds-[0-9a-z]{6}-[^\s,;'\"()<>\[\]]+", re.IGNORECASE)
_REFERENCE_SPLIT = re.compile(r"[\s,;|]+")
_OCID_CUTS = "/:#-"
_WORDS = re.compile(r"[0-9a-z]+")
# A name key as organisation_names.key makes it: words of letters and digits, one space apart,
# which rapidfuzz's token sort splits and joins as str.split and " ".join do.
_PLAIN_KEY = re.compile(r"[0-9a-z]+(?: [0-9a-z]+)*")
_COMPANY_NUMBER = re.compile(r"(?:\d{1,8}|(?:SC|NI|OC|SO|NC|R0|FC)\d{6})")


@dataclass(frozen=True, slots=True)
class Payment:
    """A spend transaction as the linker reads it."""

    key: str  # its record key
    body_key: str
    body_name: str
    date: str
    amount: float
    currency: str
    supplier_key: str  # WITHHELD for a name withheld
    supplier_ids: tuple[str, ...] = ()  # identifiers its supplier may be, SCHEME-ID
    postcode: str | None = None
    references: tuple[str, ...] = ()  # the contract reference's tokens, normalised
    ocids: tuple[str, ...] = ()  # text that begins as an ocid does, from any of its fields
    description: str = ""  # its description's words (words())
    gross: tuple[duplicates.Gross, ...] = ()  # what it may have been with VAT


@dataclass(frozen=True, slots=True)
class Candidate:
    target: Target
    supplier: str  # how the supplier matched ("identifier", "name", "fuzzy 93.5"), or ""
    fell_short: tuple[str, ...]  # why it cannot be the payment's contract; () if it fits
    notes: tuple[str, ...]  # what lowered the score
    score: float
    same_postcode: bool = False
    titled: bool = False  # the payment's description is the contract's title

    def described(self) -> dict:
        return {
            **self.target.described(),
            "supplierMatch": self.supplier or None,
            "fellShort": list(self.fell_short),
            "notes": list(self.notes),
            "score": self.score,
            "descriptionMatches": self.titled,
        }


@dataclass(frozen=True, slots=True)
class Decision:
    target: Target | None
    method: str | None
    score: float
    reason: str | None  # why not linked, when not
    candidates: tuple[Candidate, ...] = ()
    duplicate_of: str | None = None  # the notice payment this spend row is
    notes: tuple[str, ...] = ()


# Reading spend transactions


@dataclass(frozen=True, slots=True)
class Features:
    """What a spend transaction offers to link by."""

    supplier_key: str  # contracts.name_key of its supplier's name; WITHHELD for one withheld
    supplier_ids: tuple[str, ...] = ()  # identifiers its supplier may be
    postcode: str | None = None
    references: tuple[str, ...] = ()  # its contract reference's tokens, normalised
    ocids: tuple[str, ...] = ()  # text that begins as an ocid does
    description: str = ""  # its description's words, lower case
    gross: tuple[duplicates.Gross, ...] = ()  # what it may have been with VAT

    def as_list(self) -> list:
        return [
            self.supplier_key,
            self.supplier_ids,
            self.postcode,
            self.references,
            self.ocids,
            self.description,
            [
                [each.basis, each.amount, *([each.column, each.given] if each.column else [])]
                for each in self.gross
            ],
        ]

    @classmethod
    def from_list(cls, found: list) -> "Features":
        key, ids, postcode, references, ocids, description, gross = found
        return cls(
            key,
            tuple(ids),
            postcode,
            tuple(references),
            tuple(ocids),
            description,
            tuple(duplicates.Gross(*each) for each in gross),
        )


def features(transaction: dict) -> Features:
    """What a spend transaction (a statement's ``transaction``) offers to link by: its
    supplier's name key, the identifiers its supplier may be, its postcode, its contract
    reference's tokens, and text that begins as an ocid does (in the reference, the
    description or any other column)."""
    supplier = as_dict(transaction.get("supplier"))
    reference = text(transaction.get("contractReference"))
    description = text(transaction.get("description"))
    columns = as_dict(transaction.get("columns"))
    searched = [reference, description, *(text(value) for value in columns.values())]
    ocids = [
        match.group().rstrip(".")
        for each in searched
        if "ocds-" in each.lower()
        for match in _OCID.finditer(each)
    ]
    name = text(supplier.get("name"))
    withheld = supplier.get("redacted") is True or not name.strip()
    return Features(
        supplier_key=WITHHELD if withheld else name_key(name),
        supplier_ids=_supplier_ids(text(supplier.get("id")), text(supplier.get("vatNumber"))),
        postcode=postcode_key(supplier.get("postcode")),
        references=_references(reference) if reference else (),
        ocids=tuple(dict.fromkeys(ocids)),
        description=words(description),
        gross=duplicates.gross(transaction.get("amount"), columns),
    )


# The pieces of a payment's features that one supplier's, or one contract's, payments repeat,
# each worked out once (features() took 25 us a payment, in the linker's workers: issue 9).
@lru_cache(maxsize=65536)
def _supplier_ids(number: str, vat_number: str) -> tuple[str, ...]:
    ids: list[str] = []
    for given in (number, vat_number):
        if given:
            ids += supplier_identifiers(given)
    if vat_number:
        registered = identifiers.check("GB-VAT", vat_number)
        if registered.identifier is not None:
            ids.append(str(registered.identifier))
    return tuple(dict.fromkeys(ids))


@lru_cache(maxsize=65536)
def _references(reference: str) -> tuple[str, ...]:
    found = [reference_key(reference)] + [
        reference_key(part) for part in _REFERENCE_SPLIT.split(reference)
    ]
    return tuple(dict.fromkeys(each for each in found if each))


@lru_cache(maxsize=65536)  # descriptions recur: a contract's title, a kind of spend
def words(given: str) -> str:
    """A text's distinct words, lower case, in order, as descriptions and titles are compared:
    the whole text's, up to WORDS of them, each cut to WORD_CHARACTERS (no longer its
    first 200 characters, which left out the end of a long title)."""
    found: dict[str, None] = {}
    for each in _WORDS.finditer(given.lower()):
        found[each.group()[:WORD_CHARACTERS]] = None
        if len(found) >= WORDS:
            break
    return " ".join(found)


@lru_cache(maxsize=65536)  # a body's contracts' titles are compared with each of its payments
def _title_words(title: str) -> frozenset[str]:
    return frozenset(words(title).split())


def supplier_identifiers(given: str) -> list[str]:
    """The identifiers a supplier number in a spending file may be: itself, if written
    SCHEME-ID; a Companies House number (digits, or two letters and six); a charity's."""
    value = " ".join(given.split())
    if not value or len(value) > 60:
        return []
    checked = identifiers.check_party_id(value)
    if checked.identifier is not None and checked.known:
        return [str(checked.identifier)]
    bare = value.replace(" ", "").upper()
    found = []
    if _COMPANY_NUMBER.fullmatch(bare):
        company = identifiers.check("GB-COH", bare)
        if company.identifier is not None:
            found.append(str(company.identifier))
        if bare.isdigit() and 6 <= len(bare) <= 7:
            charity = identifiers.check("GB-CHC", bare)
            if charity.identifier is not None:
                found.append(str(charity.identifier))
    return found


def ocid_prefixes(token: str) -> list[tuple[str, str]]:
    """The ocids a reference may name, the longest first, each with what follows it (a
    contract's or award's id, perhaps): ``ocds-abc123-42/1`` may be that ocid, or
    ``ocds-abc123-42`` and ``1``."""
    found = [(token, "")]
    cut = len(token)
    while True:
        cut = max(token.rfind(separator, 0, cut) for separator in _OCID_CUTS)
        if cut <= len("ocds-") + 6:
            return found
        found.append((token[:cut], token[cut + 1 :].strip(_OCID_CUTS)))


# Deciding


@dataclass
class BodyIndex:
    """A paying body's targets (the contracts whose buyer it is), found by supplier and by
    reference; ``aliases`` are the identifiers other contracts give a name key (one each)."""

    targets: Sequence[Target]
    aliases: Mapping[str, str] = field(default_factory=dict)
    notices: Sequence[NoticePayment] = ()
    buyers: frozenset[str] = frozenset()  # the body's buyers' identifiers and keys
    by_identifier: dict[str, list[Target]] = field(init=False, default_factory=dict)
    by_key: dict[str, list[Target]] = field(init=False, default_factory=dict)
    by_reference: dict[str, list[Target]] = field(init=False, default_factory=dict)
    notices_of: dict[tuple[str, str], list[NoticePayment]] = field(init=False, default_factory=dict)
    keys: list[str] = field(init=False, default_factory=list)
    _fuzzy: dict[str, list[tuple[str, float]]] = field(init=False, default_factory=dict)
    _sorted_keys: list[str] | None = field(init=False, default=None)  # their words sorted

    def __post_init__(self) -> None:
        for target in self.targets:
            for supplier in target.suppliers:
                if supplier.identifier:
                    self.by_identifier.setdefault(supplier.identifier, []).append(target)
                if supplier.key:
                    self.by_key.setdefault(supplier.key, []).append(target)
            for reference in target.references:
                self.by_reference.setdefault(reference, []).append(target)
        self.keys = sorted(self.by_key)
        if all(map(_PLAIN_KEY.fullmatch, self.keys)):
            self._sorted_keys = [_sorted_words(key) for key in self.keys]
        for notice in self.notices:
            self.notices_of.setdefault((notice.ocid, notice.contract_id), []).append(notice)

    def alike(self, key: str) -> list[tuple[str, float]]:
        """The supplier name keys most alike to ``key`` (NEAREST_SCORE or more), best first,
        with their likeness; found once a key (payments to one supplier are many)."""
        if key not in self._fuzzy:
            if self._sorted_keys is not None and _PLAIN_KEY.fullmatch(key):
                # token_sort_ratio is the ratio of the names with their words sorted: the
                # body's names sorted once, not again for each name compared (issue 9)
                found = process.extract(
                    _sorted_words(key),
                    self._sorted_keys,
                    scorer=fuzz.ratio,
                    score_cutoff=NEAREST_SCORE,
                    limit=5,
                )
                self._fuzzy[key] = [(self.keys[at], round(score, 1)) for _, score, at in found]
            else:
                found = process.extract(
                    key,
                    self.keys,
                    scorer=fuzz.token_sort_ratio,
                    score_cutoff=NEAREST_SCORE,
                    limit=5,
                )
                self._fuzzy[key] = [(match, round(score, 1)) for match, score, _ in found]
        return self._fuzzy[key]

    def fuzzy(self, key: str) -> list[tuple[str, float]]:
        """The supplier name keys alike to ``key`` (FUZZY_SCORE or more), best first."""
        return [(match, score) for match, score in self.alike(key) if score >= FUZZY_SCORE]


def _sorted_words(key: str) -> str:
    return " ".join(sorted(key.split()))


def decide(
    payment: Payment,
    index: BodyIndex,
    referenced: Mapping[str, Sequence[Target]] | None = None,
) -> Decision:
    """The contract a payment pays for, by the strongest method that finds exactly one, or
    why none. ``referenced`` gives the targets of each ocid the payment's text may name
    (``ocid_prefixes``), those published here (an ocid published without any target maps to
    an empty list)."""
    referenced = referenced or {}
    notes: list[str] = []
    for token in payment.ocids:
        for ocid, rest in ocid_prefixes(token):
            if ocid in referenced:
                return _by_ocid(payment, index, ocid, rest, referenced[ocid])
        notes.append(f"{token[:80]!r} is no process published here")
    for reference in payment.references:
        found = index.by_reference.get(reference)
        if found:
            return _by_buyer_reference(payment, index, reference, found)
    decision = _by_supplier(payment, index)
    if decision.target is None:
        noticed = _notice_only(payment, index)
        if noticed is not None:
            return noticed
    return _with_notes(decision, notes)


def _with_notes(decision: Decision, notes: Sequence[str]) -> Decision:
    if not notes:
        return decision
    return Decision(
        decision.target,
        decision.method,
        decision.score,
        decision.reason,
        decision.candidates,
        decision.duplicate_of,
        (*decision.notes, *notes),
    )


def _by_ocid(
    payment: Payment, index: BodyIndex, ocid: str, rest: str, found: Sequence[Target]
) -> Decision:
    if not found:
        return Decision(
            None,
            None,
            0.0,
            f"it names {ocid}, which has no award or contract published yet",
        )
    named = [each for each in found if rest and rest in (each.id, each.award_id)]
    return _within(payment, index, named or list(found), BASE[REFERENCE], f"it names {ocid}")


def _by_buyer_reference(
    payment: Payment, index: BodyIndex, reference: str, found: Sequence[Target]
) -> Decision:
    return _within(
        payment, index, list(found), BUYER_REFERENCE, f"its reference {reference} is the buyer's"
    )


def _within(
    payment: Payment, index: BodyIndex, found: list[Target], base: float, why: str
) -> Decision:
    """A reference narrows the payment to these targets: one is the link, whatever else; of
    several, the one the supplier, date and amount fit best, alone."""
    candidates = sorted(
        (_candidate(payment, each, _supplier_match(payment, each, index), base) for each in found),
        key=_rank,
        reverse=True,
    )
    candidates = [_other_buyer(each, index) for each in candidates]
    if len(candidates) == 1:
        [only] = candidates
        short = [f"{reason} (linked by its reference all the same)" for reason in only.fell_short]
        score = round(max(0.5, only.score - PENALTY * len(only.fell_short)), 3)
        return _linked(payment, index, only, REFERENCE, score=score, notes=(*only.notes, *short))
    fitting = [each for each in candidates if not each.fell_short]
    if fitting and (len(fitting) == 1 or _rank(fitting[0]) > _rank(fitting[1])):
        return _linked(payment, index, fitting[0], REFERENCE)
    reason = (
        f"{why}, and fits {len(fitting)} of its {len(candidates)} contracts equally"
        if fitting
        else f"{why}, and none of its {len(candidates)} contracts fits"
    )
    return Decision(None, None, 0.0, reason, tuple(candidates[:SHOWN]))


def _other_buyer(candidate: Candidate, index: BodyIndex) -> Candidate:
    """A reference may name another body's contract (a payment made for it): said, and
    scored lower."""
    target = candidate.target
    if target.buyer_key in index.buyers or (target.buyer_id and target.buyer_id in index.buyers):
        return candidate
    note = f"the contract's buyer is another body ({target.buyer_name})"
    return replace(
        candidate,
        notes=(*candidate.notes, note),
        score=round(max(candidate.score - PENALTY, 0), 3),
    )


def _supplier_match(payment: Payment, target: Target, index: BodyIndex) -> str:
    """How the payment's supplier is one of the target's: "identifier", "name",
    "name (identifier)" (its name is one another contract gives the target's supplier's
    identifier), "fuzzy 93.5", or "" (not), "differs" (by name, but its identifier is
    another)."""
    ids = set(payment.supplier_ids)
    alias = index.aliases.get(payment.supplier_key)
    best = ""
    for supplier in target.suppliers:
        if supplier.identifier and supplier.identifier in ids:
            return "identifier"
        if supplier.key and supplier.key == payment.supplier_key:
            if ids and supplier.identifier and supplier.identifier not in ids:
                best = best or "differs"
                continue
            best = "name"
        elif alias and supplier.identifier == alias and best != "name":
            best = "name (identifier)"
        elif not best and payment.supplier_key and supplier.key:
            score = fuzz.token_sort_ratio(payment.supplier_key, supplier.key)
            if score >= FUZZY_SCORE:
                best = f"fuzzy {round(score, 1)}"
    return best


def _base(supplier: str) -> float:
    if supplier == "identifier":
        return BASE[IDENTIFIER]
    if supplier.startswith("fuzzy"):
        return BASE[FUZZY] * float(supplier.split()[1]) / 100
    return BASE[NAME]


def _candidate(
    payment: Payment, target: Target, supplier: str, base: float | None = None
) -> Candidate:
    fell_short: list[str] = []
    notes: list[str] = []
    if supplier == "differs":
        fell_short.append("the supplier's identifier is another")
    elif not supplier:
        if payment.supplier_key == WITHHELD:
            notes.append("the supplier is withheld")
        else:
            fell_short.append("the supplier is not the contract's")
    postcodes = {each.postcode for each in target.suppliers if each.postcode}
    same_postcode = bool(payment.postcode and payment.postcode in postcodes)
    if payment.postcode and postcodes and not same_postcode and supplier != "identifier":
        fell_short.append(f"the supplier's postcode {payment.postcode} is not the contract's")
    fell_short += _date_checks(payment.date, target, notes)
    fell_short += _amount_checks(payment, target, notes)
    if target.framework:
        notes.append("a framework agreement (paid through its call-offs, as a rule)")
    score = (_base(supplier) if base is None else base) - PENALTY * len(notes)
    described = set(payment.description.split())
    titled = len(described) >= DESCRIBED_WORDS and described <= _title_words(target.title)
    return Candidate(
        target,
        supplier,
        tuple(fell_short),
        tuple(notes),
        round(max(score, 0), 3),
        same_postcode,
        titled,
    )


def _days(start: str, end: str) -> int:
    return (date.fromisoformat(end) - date.fromisoformat(start)).days


def _date_checks(paid: str, target: Target, notes: list[str]) -> list[str]:
    if not target.start and not target.end:
        notes.append("the contract gives no period")
        return []
    if target.start and paid < target.start:
        early = _days(paid, target.start)
        if early > SLACK_BEFORE:
            return [f"paid {early} days before the contract's start ({target.start})"]
        notes.append(f"paid {early} days before the contract's start")
    if target.end and paid > target.end:
        late = _days(target.end, paid)
        if late > SLACK_AFTER:
            return [f"paid {late} days after the contract's end ({target.end})"]
        notes.append(f"paid {late} days after the contract's end")
    if not target.end:
        notes.append("the contract gives no end")
    return []


def _amount_checks(payment: Payment, target: Target, notes: list[str]) -> list[str]:
    if target.amount is None:
        notes.append("the contract gives no value")
        return []
    if target.currency and target.currency != payment.currency:
        notes.append(f"the contract's value is in {target.currency}: not compared")
        return []
    if abs(payment.amount) > target.amount * VALUE_MARGIN:
        return [
            f"the amount {abs(payment.amount):,.2f} is more than the value {target.amount:,.2f}"
        ]
    return []


def _rank(candidate: Candidate) -> tuple:
    """How well a candidate fits, to choose between candidates: nothing falling short, the
    supplier's match (identifier, name, fuzzy by likeness), the payment's description the
    contract's title, the date inside the period proper, no framework agreement, the
    supplier's postcode the same."""
    match = candidate.supplier
    strength = 3.0 if match == "identifier" else 2.0 if match.startswith("name") else 0.0
    if match.startswith("fuzzy"):
        strength = 1.0 + float(match.split()[1]) / 1000
    inside = not any("days before" in note or "days after" in note for note in candidate.notes)
    return (
        not candidate.fell_short,
        strength,
        candidate.titled,
        inside,
        not candidate.target.framework,
        candidate.same_postcode,
    )


def _by_supplier(payment: Payment, index: BodyIndex) -> Decision:
    if payment.supplier_key == WITHHELD:
        return Decision(None, None, 0.0, "the supplier's name is withheld, and no reference given")
    if not index.targets:
        return Decision(None, None, 0.0, "no published contract's buyer is this body")
    found: dict[tuple[str, str, str], Target] = {}
    for identifier in payment.supplier_ids:
        for target in index.by_identifier.get(identifier, []):
            found.setdefault(_key(target), target)
    if not found:
        alias = index.aliases.get(payment.supplier_key)
        for target in [
            *index.by_key.get(payment.supplier_key, []),
            *(index.by_identifier.get(alias, []) if alias else []),
        ]:
            found.setdefault(_key(target), target)
    if not found:
        for key, _ in index.fuzzy(payment.supplier_key):
            for target in index.by_key[key]:
                found.setdefault(_key(target), target)
    if not found:
        return Decision(
            None, None, 0.0, "no contract of this body names the supplier", _nearest(payment, index)
        )
    candidates = sorted(
        (
            _candidate(payment, target, _supplier_match(payment, target, index))
            for target in found.values()
        ),
        key=_rank,
        reverse=True,
    )
    fitting = [each for each in candidates if not each.fell_short]
    if not fitting:
        return Decision(
            None,
            None,
            0.0,
            f"the {len(candidates)} contract(s) of this body naming the supplier do not fit",
            tuple(candidates[:SHOWN]),
        )
    if len(fitting) > 1 and _rank(fitting[0]) == _rank(fitting[1]):
        tied = sum(1 for each in fitting if _rank(each) == _rank(fitting[0]))
        return Decision(
            None,
            None,
            0.0,
            f"{tied} contracts of this body with the supplier fit equally",
            tuple(fitting[:SHOWN]),
        )
    best = fitting[0]
    method = (
        IDENTIFIER
        if best.supplier == "identifier"
        else FUZZY
        if best.supplier.startswith("fuzzy")
        else NAME
    )
    return _linked(payment, index, best, method)


def _key(target: Target) -> tuple[str, str, str]:
    return (target.ocid, target.kind, target.id)


def _nearest(payment: Payment, index: BodyIndex) -> tuple[Candidate, ...]:
    """For a supplier no contract of the body names: the contracts of the suppliers named most
    alike (below FUZZY_SCORE), to show."""
    if not payment.supplier_key or not index.keys:
        return ()
    shown: list[Candidate] = []
    for key, score in index.alike(payment.supplier_key)[:2]:
        for target in index.by_key[key][:2]:
            candidate = _candidate(payment, target, "", BASE[FUZZY] * score / 100)
            reason = f"the supplier's name is only {round(score, 1)}% like {key!r}"
            others = [each for each in candidate.fell_short if "supplier is not" not in each]
            shown.append(replace(candidate, fell_short=(reason, *others)))
    return tuple(shown[:SHOWN])


def _linked(
    payment: Payment,
    index: BodyIndex,
    candidate: Candidate,
    method: str,
    *,
    score: float | None = None,
    notes: Iterable[str] | None = None,
) -> Decision:
    """A link (the candidate's score and notes unless given); a payment that the contract's
    notice published near the date (duplicates.same_payments) makes it that payment."""
    target = candidate.target
    if target.kind == CONTRACT:
        found = duplicates.best(
            _the_same(payment, index.notices_of.get((target.ocid, target.id), []))
        )
        if found:  # the nearest in date of the contract's
            return _duplicate(payment, target, found[0])
    return Decision(
        target,
        method,
        round(candidate.score if score is None else score, 3),
        None,
        notes=tuple(candidate.notes if notes is None else notes),
    )


def _the_same(payment: Payment, notices: Iterable[NoticePayment]) -> list[duplicates.Same]:
    """The notices' payments a spend row may be (duplicates.same_payments), in any order."""
    return duplicates.same_payments(
        payment.amount, payment.currency, payment.date, payment.gross, notices
    )


def _duplicate(payment: Payment, target: Target, same: duplicates.Same) -> Decision:
    """The link of a spend row that is a notice's payment: counted once, as the notice's;
    scored by how the two were found the same, which its note says."""
    return Decision(
        target,
        NOTICE,
        same.score,
        None,
        duplicate_of=same.notice.key,
        notes=(same.note(payment.currency),),
    )


def _notice_only(payment: Payment, index: BodyIndex) -> Decision | None:
    """A payment no other method links, which is one a contract's notice published: the body's
    contracts' notices with its amount (or its amount with VAT) near its date, the payee not
    another (one such)."""
    payees = []
    for each in _the_same(payment, index.notices):
        notice = each.notice
        if notice.payee_id and payment.supplier_ids and notice.payee_id not in payment.supplier_ids:
            continue
        if (
            notice.payee_key
            and payment.supplier_key not in (WITHHELD, notice.payee_key)
            and fuzz.token_sort_ratio(notice.payee_key, payment.supplier_key) < FUZZY_SCORE
        ):
            continue
        payees.append(each)
    found = duplicates.best(payees)
    if len(found) != 1:
        return None
    [same] = found
    notice = same.notice
    target = next(
        (
            each
            for each in index.targets
            if each.kind == CONTRACT and (each.ocid, each.id) == (notice.ocid, notice.contract_id)
        ),
        None,
    )
    if target is None:
        return None
    return _duplicate(payment, target, same)
