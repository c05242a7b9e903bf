"""The dynamic market notices through question pages (Procurement Act 2023, s.39; Procurement
Regulations 2024, reg. 25): the intention to establish a dynamic market (UK13), which starts its
procurement, then its establishment (UK14), modification (UK15) and cessation (UK16), which
follow in the same procurement (docs/notices.md, "May follow"; the rules
notice.sequence.dynamic_market_without_intention and _not_established).

The market is the procurement's tender, declared as a dynamic purchasing system with the
techniques extension (``tender.techniques.dynamicPurchasingSystem``, its ``status`` pending,
active, then terminated); its expected term is ``tender.contractPeriod``; its members are awards,
one a supplier (members.py), as the commercial tools register reads them.
"""

from collections.abc import Mapping
from datetime import date

from openbook.publishing.notice_forms.following import process_release, repeated_tender
from openbook.publishing.notice_forms.members import (
    joined,
    left,
    member_award,
    member_list,
    read_members,
    were_members,
)
from openbook.publishing.notice_forms.questions import (
    CHOICE,
    CPV,
    DATE,
    LONDON,
    MONEY,
    PROCESS,
    TEXT,
    TEXTAREA,
    YES_NO,
    Context,
    DateOrder,
    NoticeForm,
    Question,
    dates_in_order,
    end_of,
    moment,
    notice_document,
    pounds,
    release_id,
    start_of,
)

_ORDER_PROBLEMS = (
    "The dynamic market must end after it is established",
    "The dynamic market must be established on or before the day this notice is published",
    "Name each supplier in one list only: a supplier cannot join and leave in one notice",
    "A supplier you are removing is not a member of this dynamic market: check the identifiers",
    "The dynamic market must cease on or after the day it was established",
    "The dynamic market must cease on or before the day this notice is published",
)


def _techniques(status: str, **details: object) -> dict:
    return {
        "hasDynamicPurchasingSystem": True,
        "dynamicPurchasingSystem": {"status": status, **details},
    }


def _established(context: Context) -> date | None:
    """The day the market was established, as its notices gave it."""
    tender = (context.compiled or {}).get("tender")
    period = tender.get("contractPeriod") if isinstance(tender, dict) else None
    start = period.get("startDate") if isinstance(period, dict) else None
    try:
        return date.fromisoformat(start[:10]) if isinstance(start, str) else None
    except ValueError:
        return None


def _today(context: Context) -> date:
    return context.now.astimezone(LONDON).date()


# UK13: intention to establish (s.39(2); reg. 25(2)). A new procurement: the market's title,
# subject, conditions for membership and how to apply, whether other authorities may use it,
# and its expected term.


def _intention_release(context: Context, answers: Mapping[str, object]) -> dict:
    market_type = "open" if answers["others"] == "yes" else "closed"
    period = {"startDate": start_of(answers["market_start"])}
    if answers.get("market_end") is not None:
        period["endDate"] = end_of(answers["market_end"])
    tender: dict = {
        "id": "1",
        "title": answers["title"],
        "description": answers["description"],
        "status": "active",  # suppliers may apply to join from now
        "items": [{"id": "1", "classification": {"scheme": "CPV", "id": answers["cpv"]}}],
        "eligibilityCriteria": answers["conditions"],
        "submissionMethodDetails": answers["how"],
        "techniques": _techniques("pending", type=market_type),
        "contractPeriod": period,
    }
    if answers.get("value") is not None:
        tender["value"] = pounds(answers["value"])
    tender["documents"] = [notice_document("UK13", context)]
    return process_release("UK13", context, ["tender"], tender=tender)


_intention_order = dates_in_order(
    DateOrder("market_start", "market_end", _ORDER_PROBLEMS[0], same_day=False)
)


INTENTION_NOTICE = NoticeForm(
    "UK13",
    "Dynamic market notice: intention to establish",
    (
        Question(
            "title",
            TEXT,
            "What is the dynamic market called?",
            "Use words suppliers would search for, such as 'Home care services in Kent'.",
            pointers=("/tender/title",),
            missing="Enter the name of the dynamic market",
        ),
        Question(
            "description",
            TEXTAREA,
            "Describe what the dynamic market is for",
            "The goods, services or works that contracts awarded through it will be for, and "
            "any parts it is divided into.",
            pointers=("/tender/description",),
            missing="Describe what the dynamic market is for",
        ),
        Question(
            "cpv",
            CPV,
            "What is the main CPV code?",
            "The Common Procurement Vocabulary code that best describes it, such as 85312000 "
            "for social work services without accommodation.",
            pointers=("/tender/items",),
            missing="Enter the CPV code, such as 77314000",
        ),
        Question(
            "conditions",
            TEXTAREA,
            "What are the conditions for membership?",
            "What a supplier must show to join, such as its legal and financial capacity. "
            "Conditions must be proportionate to the contracts to be awarded through the "
            "market.",
            pointers=("/tender/eligibilityCriteria",),
            missing="Enter the conditions for membership",
        ),
        Question(
            "how",
            TEXTAREA,
            "How can suppliers apply to join?",
            "Where and how to apply. Suppliers can apply at any time while the market runs.",
            pointers=("/tender/submissionMethodDetails",),
            missing="Say how suppliers can apply to join",
        ),
        Question(
            "others",
            CHOICE,
            "Can other contracting authorities award contracts through the dynamic market?",
            choices=YES_NO,
            pointers=("/tender/techniques/dynamicPurchasingSystem/type",),
            missing="Select yes if other contracting authorities can use the dynamic market",
        ),
        Question(
            "market_start",
            DATE,
            "When do you expect to establish the dynamic market?",
            "For example, 1 9 2026.",
            pointers=("/tender/contractPeriod/startDate",),
            missing="Enter the date you expect to establish the dynamic market",
        ),
        Question(
            "market_end",
            DATE,
            "When will the dynamic market end?",
            "For example, 31 8 2030. Leave it blank if it has no fixed end.",
            pointers=("/tender/contractPeriod/endDate", "/tender/contractPeriod"),
            optional=True,
            missing="Enter the date the dynamic market ends",
        ),
        Question(
            "value",
            MONEY,
            "What is the estimated value of the contracts to be awarded through it?",
            "In pounds, including VAT, over the whole term. Leave it blank if you do not know.",
            pointers=("/tender/value",),
            optional=True,
            missing="Enter the estimated value, in pounds",
        ),
    ),
    _intention_release,
    order=_intention_order,
    order_messages=_ORDER_PROBLEMS[:1],
)


def _suppliers(name: str, label: str, hint: str, *, pointers: tuple, missing: str) -> Question:
    """An optional list of suppliers, one a line (members.py)."""
    return Question(
        name,
        TEXTAREA,
        label,
        hint,
        pointers=pointers,
        optional=True,
        missing=missing,
        reader=read_members,
    )


# UK14: establishment (s.39(3); reg. 25(4)), as soon as reasonably practicable after it.

_MEMBERS_HINT = (
    "One supplier a line: its name, a comma, then its identifier, such as Green Spaces Ltd, "
    "GB-COH-01234567. An identifier is its register's code, a hyphen and its number there."
)


def _establishment_release(context: Context, answers: Mapping[str, object]) -> dict:
    title = repeated_tender(context).get("title")
    awards, parties = joined(answers.get("members"), answers["established"], title)
    tender = repeated_tender(
        context,
        techniques=_techniques("active"),
        contractPeriod={"startDate": start_of(answers["established"])},
        documents=[notice_document("UK14", context)],
    )
    sections: dict = {"tender": tender}
    if awards:
        sections["awards"] = awards
    release = process_release(
        "UK14", context, ["tenderUpdate", *(["award"] if awards else [])], **sections
    )
    release["parties"] += parties
    return release


def _establishment_fits(context: Context, answers: Mapping[str, object]) -> tuple[str, str] | None:
    established = answers.get("established")
    if isinstance(established, date) and established > _today(context):
        return "established", _ORDER_PROBLEMS[1]
    return None


ESTABLISHMENT_NOTICE = NoticeForm(
    "UK14",
    "Dynamic market notice: establishment",
    (
        Question(
            "established",
            DATE,
            "When was the dynamic market established?",
            "For example, 1 9 2026. Publish this notice as soon as you can after that day.",
            pointers=("/tender/contractPeriod/startDate",),
            missing="Enter the date the dynamic market was established",
        ),
        _suppliers(
            "members",
            "Which suppliers are members of the dynamic market?",
            f"{_MEMBERS_HINT} Leave it blank if no supplier has joined yet.",
            pointers=("/awards", "/parties"),
            missing="Enter the suppliers that are members",
        ),
    ),
    _establishment_release,
    level=PROCESS,
    order_messages=_ORDER_PROBLEMS[1:2],
    fits=_establishment_fits,
)


# UK15: modification (s.39(4); reg. 25(6)): what changed, suppliers admitted or removed, and a
# new end.


def _modification_release(context: Context, answers: Mapping[str, object]) -> dict:
    today = _today(context)
    awards, parties = joined(answers.get("admitted"), today, repeated_tender(context).get("title"))
    awards += left(answers.get("removed"))
    amendment = {
        "id": release_id("UK15", context),
        "date": moment(context.now.astimezone(LONDON)),
        "description": answers["change"],
    }
    fields: dict = {"amendments": [amendment]}
    if answers.get("new_end") is not None:
        fields["contractPeriod"] = {"endDate": end_of(answers["new_end"])}
    document = notice_document("UK15", context, recurring=True)
    tender = repeated_tender(context, **fields, documents=[document])
    sections: dict = {"tender": tender}
    if awards:
        sections["awards"] = awards
    tags = ["tenderUpdate", *(["awardUpdate"] if awards else [])]
    release = process_release("UK15", context, tags, **sections)
    release["parties"] += parties
    return release


def _modification_order(answers: Mapping[str, object]) -> tuple[str, str] | None:
    joining = {identifier for _, identifier in member_list(answers.get("admitted"))}
    leaving = {identifier for _, identifier in member_list(answers.get("removed"))}
    if joining & leaving:
        return "removed", _ORDER_PROBLEMS[2]
    return None


def _modification_fits(context: Context, answers: Mapping[str, object]) -> tuple[str, str] | None:
    members = were_members(context.compiled)
    for _, identifier in member_list(answers.get("removed")):
        if member_award(identifier) not in members:
            return "removed", _ORDER_PROBLEMS[3]
    end, established = answers.get("new_end"), _established(context)
    if isinstance(end, date) and established is not None and end <= established:
        return "new_end", _ORDER_PROBLEMS[0]
    return None


MODIFICATION_NOTICE = NoticeForm(
    "UK15",
    "Dynamic market notice: modification",
    (
        Question(
            "change",
            TEXTAREA,
            "What has changed in the dynamic market?",
            "For example, a part added to it, its term extended, or suppliers admitted or "
            "removed, and why.",
            pointers=("/tender/amendments",),
            missing="Describe what has changed in the dynamic market",
        ),
        _suppliers(
            "admitted",
            "Which suppliers have joined the dynamic market?",
            f"{_MEMBERS_HINT} Leave it blank if none has joined.",
            pointers=("/awards", "/parties"),
            missing="Enter the suppliers that have joined",
        ),
        _suppliers(
            "removed",
            "Which suppliers have been removed from the dynamic market?",
            "Written the same way, one a line, such as Green Spaces Ltd, GB-COH-01234567. "
            "Leave it blank if none has been removed.",
            pointers=("/awards",),
            missing="Enter the suppliers that have been removed",
        ),
        Question(
            "new_end",
            DATE,
            "When does the dynamic market end now?",
            "For example, 31 8 2031. Leave it blank if its end has not changed.",
            pointers=("/tender/contractPeriod/endDate", "/tender/contractPeriod"),
            optional=True,
            missing="Enter the new date the dynamic market ends",
        ),
    ),
    _modification_release,
    level=PROCESS,
    order=_modification_order,
    order_messages=_ORDER_PROBLEMS[2:4],
    fits=_modification_fits,
)


# UK16: cessation (s.39(5); reg. 25(8)): the market ceased to operate; its term ends that day.


def _cessation_release(context: Context, answers: Mapping[str, object]) -> dict:
    document = {**notice_document("UK16", context), "description": answers["reason"]}
    tender = repeated_tender(
        context,
        status="complete",
        finalStatusDate=start_of(answers["ceased"]),
        techniques=_techniques("terminated"),
        contractPeriod={"endDate": end_of(answers["ceased"])},
        documents=[document],
    )
    return process_release("UK16", context, ["tenderUpdate"], tender=tender)


def _cessation_fits(context: Context, answers: Mapping[str, object]) -> tuple[str, str] | None:
    ceased, established = answers.get("ceased"), _established(context)
    if isinstance(ceased, date) and established is not None and ceased < established:
        return "ceased", _ORDER_PROBLEMS[4]
    if isinstance(ceased, date) and ceased > _today(context):
        return "ceased", _ORDER_PROBLEMS[5]
    return None


CESSATION_NOTICE = NoticeForm(
    "UK16",
    "Dynamic market notice: cessation",
    (
        Question(
            "ceased",
            DATE,
            "When did the dynamic market cease to operate?",
            "For example, 31 8 2030. Publish this notice as soon as you can after that day.",
            pointers=("/tender/finalStatusDate", "/tender/contractPeriod/endDate"),
            missing="Enter the date the dynamic market ceased to operate",
        ),
        Question(
            "reason",
            TEXTAREA,
            "Why has the dynamic market ceased?",
            "For example, its term ended, or the contracts it was set up for are now awarded "
            "another way.",
            pointers=("/tender/documents/0/description",),
            missing="Enter why the dynamic market has ceased",
        ),
    ),
    _cessation_release,
    level=PROCESS,
    order_messages=_ORDER_PROBLEMS[4:],
    fits=_cessation_fits,
)

# In the order a dynamic market publishes them.
DYNAMIC_MARKET_FORMS = (
    INTENTION_NOTICE,
    ESTABLISHMENT_NOTICE,
    MODIFICATION_NOTICE,
    CESSATION_NOTICE,
)
