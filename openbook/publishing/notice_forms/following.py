"""What the notices on a procurement already published share: the procurement's tender as
each repeats it, the release around it, the entries it adds numbered after those published, the
parties it names with every role they keep, and the award, contract or lots a notice is about
(asked when the procurement has more than one to choose from). Read from the procurement's
compiled release (``Context.compiled``)."""

from collections.abc import Mapping

from openbook.publishing.notice_forms.questions import (
    CHECKBOXES,
    CHOICE,
    LONDON,
    Choices,
    Context,
    Question,
    Words,
    moment,
    more_than_one,
    release_id,
)


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


def chosen(context: Context, section: str, answer: object) -> dict:
    """The entry of ``section`` (``awards``, ``contracts``) a notice is about: the one whose id
    is ``answer`` (the question asked when there is more than one), else the newest. An answer
    the procurement does not have (a release read back without it) is that id alone."""
    if answer is None:
        return newest(context, section)
    found = entries(context.compiled, section)
    return next((e for e in found if str(e.get("id")) == str(answer)), {"id": str(answer)})


# The value of a choice of an award without a contract published yet (the contract question
# lists those beside the contracts): a contract notice may follow a contract award notice.
AWARD = "award:"


def contract_of(context: Context, answers: Mapping[str, object] | None = None) -> dict:
    """The contract a notice is about, as the notice names it: its id and its award's (OCDS 1.1
    requires ``awardID`` of every contract). The one chosen (``answers["contract"]``), else the
    newest; a contract of an award chosen that has none yet takes the award's id, unless a
    contract already has it."""
    answer = (answers or {}).get("contract")
    if isinstance(answer, str) and answer.startswith(AWARD):
        award = answer[len(AWARD) :]
        contracts = entries(context.compiled, "contracts")
        taken = {str(c.get("id")) for c in contracts}
        return {"id": award if award not in taken else next_id(contracts), "awardID": award}
    contract = chosen(context, "contracts", answer)
    award = contract.get("awardID") or newest(context, "awards").get("id") or "1"
    return {"id": str(contract.get("id") or "1"), "awardID": str(award)}


def contract_entry(context: Context, answers: Mapping[str, object] | None = None) -> dict:
    """The contract a notice is about as published (empty for one not published yet)."""
    wanted = contract_of(context, answers)["id"]
    found = entries(context.compiled, "contracts")
    return next((c for c in found if str(c.get("id")) == wanted), {})


# The words of the choices below, for the Welsh catalogue.
WORDS = (
    "Contract %(id)s",
    "Contract %(id)s with %(suppliers)s",
    "Award %(id)s, no contract published yet",
    "Award %(id)s to %(suppliers)s, no contract published yet",
    "Award %(id)s",
    "Award %(id)s to %(suppliers)s",
    "worth %(value)s",
    "for lot %(lots)s",
    "Lot %(id)s",
    "Lot %(id)s: %(title)s",
)
_NAMES = 3  # suppliers named in a choice, at most
_LABEL = 150  # characters of a title or names in a choice, at most
_CLOSED = ("unsuccessful", "cancelled")  # awards no contract follows


def _short(text: str) -> str:
    return text if len(text) <= _LABEL else text[: _LABEL - 1].rstrip() + "…"


def _amount(value: object) -> str | None:
    found = value if isinstance(value, dict) else {}
    amount, currency = found.get("amount"), found.get("currency")
    if isinstance(amount, bool) or not isinstance(amount, int | float):
        return None
    written = f"{amount:,.2f}".replace(".00", "")
    return f"£{written}" if currency in (None, "GBP") else f"{written} {currency}"


def _names(references: list[dict]) -> str:
    names = [str(ref.get("name") or ref.get("id") or "") for ref in references]
    names = [name for name in names if name]
    more = "…" if len(names) > _NAMES else ""
    return _short(", ".join(names[:_NAMES]) + more)


def _award_of(context: Context, contract: Mapping) -> dict:
    wanted = str(contract.get("awardID"))
    return next((a for a in entries(context.compiled, "awards") if str(a.get("id")) == wanted), {})


def _words(first: tuple[str, str], key: str, entry: dict, award: dict) -> Words:
    """A contract's or award's choice: its id and suppliers, its value and lots where known."""
    suppliers = _names(entries(entry, "suppliers") or entries(award, "suppliers"))
    key = _short(key)
    parts: list[tuple[str, tuple[tuple[str, str], ...]]] = [
        (first[1], (("id", key), ("suppliers", suppliers)))
        if suppliers
        else (first[0], (("id", key),))
    ]
    value = _amount(entry.get("value")) or _amount(award.get("value"))
    if value is not None:
        parts.append(("worth %(value)s", (("value", value),)))
    related = award.get("relatedLots")
    lots = (
        [str(lot) for lot in related if isinstance(lot, str | int)]
        if isinstance(related, list)
        else []
    )
    if lots:
        parts.append(("for lot %(lots)s", (("lots", _short(", ".join(lots))),)))
    return Words(tuple(parts))


def contract_choices(context: Context) -> Choices:
    """Each contract of the procurement, then each award without a contract published yet."""
    found: list[tuple[str, str | Words]] = []
    contracts = entries(context.compiled, "contracts")
    for contract in contracts:
        key = str(contract.get("id", ""))
        if key and key not in {value for value, _ in found}:
            words = ("Contract %(id)s", "Contract %(id)s with %(suppliers)s")
            found.append((key, _words(words, key, contract, _award_of(context, contract))))
    with_contract = {str(c.get("awardID")) for c in contracts}
    for award in entries(context.compiled, "awards"):
        key = str(award.get("id", ""))
        if key and key not in with_contract and award.get("status") not in _CLOSED:
            words = (
                "Award %(id)s, no contract published yet",
                "Award %(id)s to %(suppliers)s, no contract published yet",
            )
            if AWARD + key not in {value for value, _ in found}:
                found.append((AWARD + key, _words(words, key, award, award)))
    return tuple(found)


def award_choices(context: Context) -> Choices:
    """Each award of the procurement a contract may follow (not unsuccessful or cancelled)."""
    found: list[tuple[str, str | Words]] = []
    for award in entries(context.compiled, "awards"):
        key = str(award.get("id", ""))
        if key and award.get("status") not in _CLOSED and key not in {v for v, _ in found}:
            words = ("Award %(id)s", "Award %(id)s to %(suppliers)s")
            found.append((key, _words(words, key, award, award)))
    return tuple(found)


def lot_choices(context: Context) -> Choices:
    """Each lot of the procurement's tender (the lots extension's ``tender.lots``)."""
    tender = (context.compiled or {}).get("tender")
    found: list[tuple[str, str | Words]] = []
    for lot in entries(tender if isinstance(tender, dict) else {}, "lots"):
        key = str(lot.get("id", ""))
        if not key or key in {value for value, _ in found}:
            continue
        title = lot.get("title")
        parts: list[tuple[str, tuple[tuple[str, str], ...]]] = [
            ("Lot %(id)s: %(title)s", (("id", _short(key)), ("title", _short(title))))
            if isinstance(title, str) and title.strip()
            else ("Lot %(id)s", (("id", _short(key)),))
        ]
        value = _amount(lot.get("value"))
        if value is not None:
            parts.append(("worth %(value)s", (("value", value),)))
        found.append((key, Words(tuple(parts))))
    return tuple(found)


def chosen_lots(context: Context, answers: Mapping[str, object]) -> list[str]:
    """The lots an award is for: those chosen, or the tender's only lot; none without lots."""
    answer = answers.get("lots")
    if isinstance(answer, list):
        return [str(lot) for lot in answer]
    offered = lot_choices(context)
    return [offered[0][0]] if len(offered) == 1 else []


# The questions that choose: asked first, and only when there is more than one to choose from.

WHICH_CONTRACT = Question(
    "contract",
    CHOICE,
    "Which contract is this notice about?",
    "The procurement has more than one contract. Each is listed by the number its notices gave it.",
    pointers=("/contracts/0/id",),
    missing="Select the contract this notice is about",
    options=contract_choices,
    applies=more_than_one(contract_choices),
)
WHICH_AWARD = Question(
    "award",
    CHOICE,
    "Which award is this contract for?",
    "The procurement has more than one award. Each is listed by the number its contract award "
    "notice gave it.",
    pointers=("/contracts/0/awardID",),
    missing="Select the award this contract is for",
    options=award_choices,
    applies=more_than_one(award_choices),
)
WHICH_LOTS = Question(
    "lots",
    CHECKBOXES,
    "Which lots is this award for?",
    "Select all that apply.",
    pointers=("/awards/0/relatedLots",),
    missing="Select the lots this award is for",
    options=lot_choices,
    applies=more_than_one(lot_choices),
)
