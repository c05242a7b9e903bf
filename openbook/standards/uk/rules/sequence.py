"""Sequences: which notices of a procurement must come before which.

Most are rows of the rule table checked by ``needs_earlier`` or ``not_after``, each with an
exemption saying when the law does not require the earlier notice; the contract details notice
and preliminary market engagement have checks of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from openbook.standards.uk.notices import NOTICE_TYPES
from openbook.standards.uk.rules.context import (
    WARNING,
    Check,
    Finding,
    NoticeContext,
    award_notice_dates,
    earlier_codes,
    id_text,
    is_given,
    objects,
    value_at,
)
from openbook.standards.uk.rules.facts import (
    devolved,
    is_below_threshold,
    is_defence_contract,
    is_direct_award,
    is_dynamic_market_award,
    is_framework_call_off,
    is_private_utility,
)


def _labels(codes: Iterable[str]) -> str:
    return " or ".join(NOTICE_TYPES[code].label for code in codes)


def needs_earlier(
    needs: tuple[str, ...], why: str, exempt: Callable[[NoticeContext], bool] | None = None
) -> Check:
    """A check that one of the notices ``needs`` came earlier in the procurement, unless exempt."""

    def check(ctx: NoticeContext) -> Iterator[Finding]:
        if ctx.notice is None or ctx.mention is None or earlier_codes(ctx) & set(needs):
            return
        if exempt is not None and exempt(ctx):
            return
        yield Finding(
            ctx.mention.path,
            f"No {_labels(needs)} was published before this {ctx.notice.label} in this "
            f"procurement (ocid {ctx.release.get('ocid')!s}). {why} Publish the missing notice "
            "first, or check that this notice has the right ocid.",
        )

    return check


def not_after(later: str, why: str) -> Check:
    """A check that the notice ``later`` did not come earlier in the procurement."""

    def check(ctx: NoticeContext) -> Iterator[Finding]:
        if ctx.notice is None or ctx.mention is None or later not in earlier_codes(ctx):
            return
        yield Finding(
            ctx.mention.path,
            f"This {ctx.notice.label} comes after the procurement's "
            f"{NOTICE_TYPES[later].label}. {why}",
        )

    return check


def award_exempt(ctx: NoticeContext) -> bool:
    # Call-offs under a framework (s.45) and awards by reference to a dynamic market (s.34; with
    # a qualifying utilities dynamic market the tender notice is not published, s.40) follow no
    # tender or transparency notice of their own.
    return is_framework_call_off(ctx) or is_dynamic_market_award(ctx)


def check_details_sequence(ctx: NoticeContext) -> Iterator[Finding]:
    notice, mention = ctx.notice, ctx.mention
    if notice is None or mention is None:
        return
    if is_below_threshold(ctx):
        return  # s.87(3): below threshold, a contract details notice without an award notice
    if is_defence_contract(ctx) and is_framework_call_off(ctx):
        return  # s.50(6)(a): defence and security contracts under a defence framework
    if "UK6" in earlier_codes(ctx):
        yield from _contracts_of_unnoticed_awards(ctx, notice.label)
        return
    message = (
        f"No contract award notice (UK6) was published before this {notice.label} in this "
        f"procurement (ocid {ctx.release.get('ocid')!s}). A contract award notice must be "
        "published before a contract is entered into (section 50(1)), and the contract "
        "details notice follows the contract."
    )
    if is_direct_award(ctx) and "UK5" not in earlier_codes(ctx):
        # A user choice contract (Schedule 5, para. 15) needs neither a transparency notice
        # (s.44(3)) nor an award notice (s.50(6)(b)), and nothing in OCDS marks one.
        yield Finding(
            mention.path,
            f"{message} If this is a direct award of a user choice contract (Schedule 5, "
            "paragraph 15), no award notice is needed; otherwise publish the award notice.",
            severity=WARNING,
        )
        return
    yield Finding(mention.path, f"{message} Publish the award notice, or check the ocid.")


def _contracts_of_unnoticed_awards(ctx: NoticeContext, label: str) -> Iterator[Finding]:
    """The contracts whose award no earlier award notice names, where the award notices name
    awards at all. A warning: the notice came, and an award's id may have changed."""
    named = award_notice_dates(ctx)
    if not named:
        return
    for i, contract in objects(ctx.release.get("contracts")):
        award = id_text(contract.get("awardID"))
        if award is None or award in named:
            continue
        awards = ", ".join(f'"{key}"' for key in named)
        yield Finding(
            f"/contracts/{i}/awardID",
            f'This {label} gives a contract of award "{award}", but no contract award notice '
            f"(UK6) before it names that award: the procurement's award notices name award "
            f"{awards}. A contract award notice must be published for the award before its "
            "contract is entered into (section 50(1)). Publish the award notice for this "
            "award, or check the contract's awardID.",
            severity=WARNING,
        )


def _engagement_evidence(ctx: NoticeContext) -> str | None:
    """Where the data shows preliminary market engagement was carried out, if it does."""
    for release in (ctx.release, *ctx.history):
        for i, milestone in objects(value_at(release, "planning", "milestones")):
            if milestone.get("type") == "engagement":
                where = "this release" if release is ctx.release else f"release {release.get('id')}"
                return f"planning/milestones/{i} of {where} is an engagement milestone"
    return None


def check_engagement(ctx: NoticeContext) -> Iterator[Finding]:
    if "UK2" in earlier_codes(ctx):
        return
    if is_given(value_at(ctx.release, "planning", "noEngagementNoticeRationale")):
        return
    if is_below_threshold(ctx):
        return  # ss.16-17 concern public contracts, that is above-threshold ones
    if is_private_utility(ctx) and devolved(ctx) != "GB-WLS":
        return  # s.17(3) as amended by reg. 48: only Welsh devolved private utilities
    evidence = _engagement_evidence(ctx)
    if evidence is None:
        return
    yield Finding(
        "/planning/noEngagementNoticeRationale",
        f"This tender notice follows preliminary market engagement ({evidence}), but no "
        "preliminary market engagement notice (UK2) was published before it, and the tender "
        "notice gives no reason for not publishing one. Publish a UK2 notice before the tender "
        "notice, or give the reason in planning/noEngagementNoticeRationale.",
    )
