"""The table of notice rules: each rule's code, regime, notices, citation, severity and check.

``docs/notices.md`` explains every rule; its table is this one for people, in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass

from openbook.standards.uk.notices import PA2023, PCR2015
from openbook.standards.uk.rules.context import (
    ACT,
    ERROR,
    FTS_GUIDANCE,
    REGULATIONS,
    WARNING,
    Check,
)
from openbook.standards.uk.rules.dates import (
    check_assessment_within_contract,
    check_award_decided,
    check_contract_ended,
    check_contract_signed,
    check_payment_made,
    check_performance_reported,
    check_procurement_ended,
)
from openbook.standards.uk.rules.deadlines import (
    check_details_deadline,
    check_pcr_award_notice,
    check_performance_deadline,
    check_termination_deadline,
)
from openbook.standards.uk.rules.fields import check_fields
from openbook.standards.uk.rules.notice_type import check_regime, check_tag, type_rule
from openbook.standards.uk.rules.parties import check_party_identifiers
from openbook.standards.uk.rules.periods import check_participation_period, check_tender_period
from openbook.standards.uk.rules.sequence import (
    award_exempt,
    check_details_sequence,
    check_engagement,
    needs_earlier,
    not_after,
)
from openbook.standards.uk.rules.standstill import check_standstill, check_stated_standstill

ANY_REGIME = "ANY"


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of the table; ``check`` finds what breaks it in a notice the rule applies to."""

    code: str
    regime: str  # PA2023, PCR2015 or ANY_REGIME
    notices: tuple[str, ...]  # the notice codes it checks; () for every notice
    citation: str
    severity: str
    summary: str
    exceptions: tuple[str, ...]
    check: Check
    needs_notice: bool = True  # False for the rules about the notice type itself


_AWARD_WHY = (
    "Under the Procurement Act 2023 a contract is awarded after a competitive tendering "
    "procedure begun by a tender notice, or, for a direct award, after a transparency notice."
)
_CONTRACT_WHY = (
    "Notices about a contract's payments, performance, changes and end concern a contract "
    "whose award or details were published."
)

#: Every rule, in the order problems are reported.
RULES: tuple[Rule, ...] = (
    Rule(
        "notice.type.missing",
        ANY_REGIME,
        (),
        f"{REGULATIONS}, reg. 5; UK OCDS extension, Document.noticeType",
        ERROR,
        "The release names no notice type in documents[].noticeType.",
        (),
        type_rule("notice.type.missing"),
        needs_notice=False,
    ),
    Rule(
        "notice.type.unknown",
        ANY_REGIME,
        (),
        f"{FTS_GUIDANCE}; {ACT}, s.95",
        ERROR,
        "The notice type is not one openbook knows; the message lists the known ones.",
        (),
        type_rule("notice.type.unknown"),
        needs_notice=False,
    ),
    Rule(
        "notice.type.ambiguous",
        ANY_REGIME,
        (),
        f"{REGULATIONS}, reg. 5",
        ERROR,
        "The release names several notice types and none is clearly its own.",
        (),
        type_rule("notice.type.ambiguous"),
        needs_notice=False,
    ),
    Rule(
        "notice.regime.mismatch",
        ANY_REGIME,
        (),
        FTS_GUIDANCE,
        ERROR,
        "The notice is of the other regime's types than the procurement it belongs to.",
        (
            "Call-offs under frameworks and dynamic purchasing systems established under earlier "
            "legislation keep its notices.",
            "Devolved Scottish authorities are not checked.",
        ),
        check_regime,
    ),
    Rule(
        "notice.tag.unexpected",
        ANY_REGIME,
        (),
        "OCDS 1.1 releaseTag codelist; docs/notices.md",
        WARNING,
        "The release tag does not match the stage the notice describes.",
        ("Notices with no fixed tag (UK17) are not checked.",),
        check_tag,
    ),
    Rule(
        "notice.fields.missing",
        PA2023,
        (),
        f"{REGULATIONS}, regs 13-41",
        ERROR,
        "A field the regulations require of this notice is missing.",
        ("Welsh devolved procurements follow Welsh regulations (reg. 49) and are not checked.",),
        check_fields,
    ),
    Rule(
        "notice.sequence.tender_without_engagement_reason",
        PA2023,
        ("UK4",),
        f"{ACT}, s.17(1); {REGULATIONS}, reg. 48",
        ERROR,
        "Engagement was carried out, but no UK2 came first and the tender notice gives no reason.",
        (
            "Private utilities, unless Welsh devolved (s.17(3) as amended by reg. 48).",
            "Below-threshold contracts.",
        ),
        check_engagement,
    ),
    Rule(
        "notice.sequence.engagement_after_tender",
        PA2023,
        ("UK2",),
        f"{ACT}, ss.16(1), 17(1)(a)",
        WARNING,
        "A preliminary market engagement notice comes after the tender notice.",
        (),
        not_after(
            "UK4",
            "Preliminary market engagement comes before the tender notice, and so does its "
            "notice. If this notice belongs to a new procurement, give it a new ocid.",
        ),
    ),
    Rule(
        "notice.sequence.planned_procurement_after_tender",
        PA2023,
        ("UK3",),
        f"{ACT}, s.15(1)",
        WARNING,
        "A planned procurement notice comes after the tender notice.",
        (),
        not_after(
            "UK4",
            "A planned procurement notice announces a tender notice still to come. If this "
            "notice belongs to a new procurement, give it a new ocid.",
        ),
    ),
    Rule(
        "notice.sequence.award_without_tender_or_transparency",
        PA2023,
        ("UK6",),
        f"{ACT}, ss.11(2), 21, 44, 50",
        ERROR,
        "A contract award notice with no tender or transparency notice before it.",
        ("Call-offs under a framework.", "Awards by reference to a dynamic market."),
        needs_earlier(("UK4", "UK5"), _AWARD_WHY, award_exempt),
    ),
    Rule(
        "notice.sequence.details_without_award",
        PA2023,
        ("UK7",),
        f"{ACT}, ss.50(1), 50(6), 53, 87(3)",
        ERROR,
        "A contract details notice with no contract award notice before it.",
        (
            "Below-threshold contracts (s.87(3)).",
            "Defence and security contracts under a defence framework (s.50(6)(a)).",
            "User choice contracts (s.50(6)(b)): a warning, as OCDS does not mark them.",
            "A contract whose award no earlier award notice names, where they name awards: a "
            "warning, as an award's id may have changed.",
        ),
        check_details_sequence,
    ),
    Rule(
        "notice.sequence.termination_without_tender_or_transparency",
        PA2023,
        ("UK12",),
        f"{ACT}, s.55(1)",
        ERROR,
        "A procurement termination notice with no tender or transparency notice before it.",
        (),
        needs_earlier(
            ("UK4", "UK5"),
            "A procurement termination notice ends a procurement whose tender or transparency "
            "notice was published.",
        ),
    ),
    Rule(
        "notice.sequence.contract_notice_without_contract",
        PA2023,
        ("UK8", "UK9", "UK10", "UK11"),
        f"{ACT}, ss.70, 71, 75, 80",
        ERROR,
        "A notice about a contract with no contract award or details notice before it.",
        (),
        needs_earlier(("UK6", "UK7"), _CONTRACT_WHY),
    ),
    Rule(
        "notice.sequence.dynamic_market_without_intention",
        PA2023,
        ("UK14",),
        f"{ACT}, s.39(2)",
        ERROR,
        "A dynamic market establishment notice with no intention notice before it.",
        (),
        needs_earlier(
            ("UK13",),
            "Before establishing a dynamic market an authority must publish its intention to.",
        ),
    ),
    Rule(
        "notice.sequence.dynamic_market_not_established",
        PA2023,
        ("UK15", "UK16"),
        f"{ACT}, s.39(3)-(5)",
        ERROR,
        "A dynamic market modification or cessation notice with no establishment notice.",
        (),
        needs_earlier(
            ("UK14",),
            "A dynamic market is modified or ceases only after it was established and that was "
            "published.",
        ),
    ),
    Rule(
        "notice.standstill.entered_too_early",
        PA2023,
        ("UK7",),
        f"{ACT}, ss.51, 123",
        ERROR,
        "The contract was entered into before the standstill period ended.",
        (
            "No mandatory standstill (s.51(3)): light touch contracts, call-offs under a "
            "framework, dynamic market awards, direct awards to protect life (s.42), direct "
            "awards by private utilities; a standstill the award notice gives still binds "
            "(s.51(4)).",
            "Direct awards for extreme and unavoidable urgency: a warning, as OCDS does not "
            "mark them.",
        ),
        check_standstill,
    ),
    Rule(
        "notice.standstill.stated_too_short",
        PA2023,
        ("UK6",),
        f"{ACT}, s.51(2), (5)",
        ERROR,
        "The standstill period the award notice gives is shorter than 8 working days.",
        (),
        check_stated_standstill,
    ),
    Rule(
        "notice.deadline.contract_details_late",
        PA2023,
        ("UK7",),
        f"{ACT}, s.53(1)",
        ERROR,
        "The contract details notice came more than 30 days (120 light touch) after signature.",
        (
            "Private utilities (s.53(6)(a)).",
            "Below-threshold contracts: as soon as reasonably practicable (s.87(3)).",
            "User choice contracts (s.53(6)(b)) publish no contract details notice.",
        ),
        check_details_deadline,
    ),
    Rule(
        "notice.deadline.contract_termination_late",
        PA2023,
        ("UK11",),
        f"{ACT}, s.80(1)",
        ERROR,
        "The contract termination notice came more than 30 days after the contract ended.",
        ("Private utilities (s.80(4)(a)).",),
        check_termination_deadline,
    ),
    Rule(
        "notice.deadline.performance_notice_late",
        PA2023,
        ("UK9",),
        f"{ACT}, s.71(5); {REGULATIONS}, reg. 39",
        ERROR,
        "The contract performance notice came more than 30 days after the breach or failure.",
        ("Light touch contracts (s.71(6)).", "Private utilities (s.71(7))."),
        check_performance_deadline,
    ),
    # Dates a notice reports as past (dates.py)
    Rule(
        "notice.date.award_decided_after_notice",
        PA2023,
        ("UK6",),
        f"{ACT}, s.50(1)-(3)",
        ERROR,
        "The contract award notice gives a decision to award dated after the notice.",
        (),
        check_award_decided,
    ),
    Rule(
        "notice.date.contract_signed_after_notice",
        PA2023,
        ("UK7",),
        f"{ACT}, ss.53(1)-(2), 87(3)",
        ERROR,
        "The contract details notice says the contract was entered into after the notice.",
        (),
        check_contract_signed,
    ),
    Rule(
        "notice.date.payment_after_notice",
        PA2023,
        ("UK8",),
        f"{ACT}, s.70",
        ERROR,
        "The contract payments notice reports a payment dated after the notice.",
        (),
        check_payment_made,
    ),
    Rule(
        "notice.date.performance_after_notice",
        PA2023,
        ("UK9",),
        f"{ACT}, s.71(2), (5)",
        ERROR,
        "The contract performance notice reports a breach, failure or period assessed that "
        "ends after the notice.",
        (),
        check_performance_reported,
    ),
    Rule(
        "notice.date.assessment_outside_contract",
        PA2023,
        ("UK9",),
        f"{ACT}, ss.52(4), 71(2), 75(2)(b)",
        ERROR,
        "The period assessed is not within the contract's life-cycle.",
        (
            "A period that only starts before the contract began, or starts after its end "
            "as published: a warning, as the contract's term may have been extended by 10% or "
            "less without a contract change notice (s.75(2)(b)).",
        ),
        check_assessment_within_contract,
    ),
    Rule(
        "notice.date.contract_ended_after_notice",
        PA2023,
        ("UK11",),
        f"{ACT}, s.80(1), (2)(a)",
        ERROR,
        "The contract termination notice says the contract ended after the notice.",
        (),
        check_contract_ended,
    ),
    Rule(
        "notice.date.procurement_ended_after_notice",
        PA2023,
        ("UK12",),
        f"{ACT}, s.55(2)",
        ERROR,
        "The procurement termination notice gives a decision dated after the notice.",
        (),
        check_procurement_ended,
    ),
    Rule(
        "notice.period.tender_too_short",
        PA2023,
        ("UK4",),
        f"{ACT}, ss.15(3), 54(4)-(5)",
        ERROR,
        "The tendering period is shorter than the Act's minimum.",
        (
            "Light touch contracts and below-threshold contracts (s.87(6)).",
            "10 days after a qualifying planned procurement notice or for dynamic market awards.",
            "Urgency, and (utilities, non-central authorities) pre-selected suppliers: warnings.",
        ),
        check_tender_period,
    ),
    Rule(
        "notice.period.participation_too_short",
        PA2023,
        ("UK4",),
        f"{ACT}, s.54(3), (5)",
        ERROR,
        "The period for requests to participate is shorter than the Act's minimum.",
        ("Light touch contracts.", "Urgency (10 days): a warning."),
        check_participation_period,
    ),
    Rule(
        "pcr.deadline.award_notice_late",
        PCR2015,
        ("F03",),
        "Public Contracts Regulations 2015, reg. 50(1)",
        WARNING,
        "The contract award notice came more than 30 days after the award.",
        ("Call-offs under a framework (reg. 50(4)).", "Dynamic purchasing systems (reg. 50(5))."),
        check_pcr_award_notice,
    ),
    Rule(
        "notice.party.identifier",
        ANY_REGIME,
        (),
        "Guidance: Central Digital Platform and Publication of Information (unique "
        "identifiers); each register's numbering (docs/identifiers.md)",
        WARNING,
        "A party's identifier is malformed, a placeholder, fails its check digits, or is "
        "written otherwise than its register writes it.",
        ("Schemes openbook has no rule for are not checked.",),
        check_party_identifiers,
        needs_notice=False,
    ),
)

RULE_CODES = tuple(rule.code for rule in RULES)
