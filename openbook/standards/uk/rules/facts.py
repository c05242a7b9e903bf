"""Facts about a procurement that decide which exceptions of the law apply to its notices.

Each is read from the release or its history as ``docs/notices.md`` ("Exceptions the data
shows") says. A fact the data does not show is taken not to hold: the rules then report the
breach, and where the law has an exception OCDS cannot show, they make it a warning.
"""

from __future__ import annotations

from openbook.standards.uk.notices import (
    buyer_classifications,
    devolved_regulations,
    related_to_framework,
)
from openbook.standards.uk.rules.context import (
    NoticeContext,
    earlier_codes,
    is_given,
    latest,
    newest,
    objects,
    value_at,
)


def _special_regimes(ctx: NoticeContext) -> set[str]:
    # tender.specialRegime (UK extension) names the special regime contract (reg. 18(2)(e)); the
    # values are compared without case, spaces or punctuation ("lightTouch", "light touch").
    value = latest(ctx, "tender", "specialRegime")
    values = value if isinstance(value, list) else []
    return {"".join(ch for ch in v.lower() if ch.isalpha()) for v in values if isinstance(v, str)}


def is_light_touch(ctx: NoticeContext) -> bool:
    return any("lighttouch" in regime for regime in _special_regimes(ctx))


def is_utilities_contract(ctx: NoticeContext) -> bool:
    return any("utilit" in regime for regime in _special_regimes(ctx))


def is_defence_contract(ctx: NoticeContext) -> bool:
    return any("defence" in regime or "defense" in regime for regime in _special_regimes(ctx))


def _authority_types(ctx: NoticeContext) -> set[str]:
    # UK_CA_TYPE (UK extension): publicAuthorityCentralGovernment, publicUndertaking,
    # privateUtility and others.
    return newest(ctx, lambda release: buyer_classifications(release, "UK_CA_TYPE")) or set()


def is_private_utility(ctx: NoticeContext) -> bool:
    return "privateUtility" in _authority_types(ctx)


def is_central_government(ctx: NoticeContext) -> bool:
    return "publicAuthorityCentralGovernment" in _authority_types(ctx)


def devolved(ctx: NoticeContext) -> str | None:
    """GB-SCT, GB-WLS or GB-NIR when the buyer works under devolved rules."""
    return newest(ctx, devolved_regulations)


def is_below_threshold(ctx: NoticeContext) -> bool:
    """True only when the data says so (UK extension ``aboveThreshold`` false, none true)."""
    flags = []
    for release in (ctx.release, *ctx.history):
        flags.append(value_at(release, "tender", "aboveThreshold"))
        for section in ("awards", "contracts"):
            flags.extend(
                value_at(item, "aboveThreshold") for _, item in objects(release.get(section))
            )
    return any(flag is False for flag in flags) and not any(flag is True for flag in flags)


def is_framework_call_off(ctx: NoticeContext) -> bool:
    return any(related_to_framework(release) for release in (ctx.release, *ctx.history))


def is_dynamic_market_award(ctx: NoticeContext) -> bool:
    return latest(ctx, "tender", "techniques", "hasDynamicPurchasingSystem") is True


def is_direct_award(ctx: NoticeContext) -> bool:
    # A transparency notice announces a direct award (s.44); OCDS's method codelist has "direct"
    # (one supplier, no competition) and "limited" (suppliers of the buyer's choice).
    method = latest(ctx, "tender", "procurementMethod")
    return "UK5" in earlier_codes(ctx) or method in ("direct", "limited")


def is_protect_life_award(ctx: NoticeContext) -> bool:
    # The UK extension's procurementMethodRationaleLegalBasis names the statutory instrument
    # made under s.42 (direct award to protect life, etc).
    return is_given(latest(ctx, "tender", "procurementMethodRationaleLegalBasis"))
