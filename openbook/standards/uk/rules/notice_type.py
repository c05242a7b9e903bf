"""Rules about the notice type itself: missing, unknown or ambiguous, of the wrong regime, or
published with a release tag that does not match it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from openbook.standards.uk.notices import (
    NOTICE_TYPES,
    PA2023,
    PCR2015,
    REGIMES,
    SCOTLAND,
    AmbiguousNoticeType,
    NoticeMention,
    known_codes,
    own_notice_mention,
)
from openbook.standards.uk.rules.context import Check, Finding, NoticeContext


def type_problem(
    release: Mapping[str, Any], earlier: frozenset[str]
) -> tuple[NoticeMention | None, tuple[str, Finding] | None]:
    """The release's own notice mention, and (rule code, finding) when its type is not known.

    ``check_notice`` calls this once, before any rule, since every other rule needs the type;
    the rules of ``type_rule`` then report what it found.
    """
    try:
        mention = own_notice_mention(release, earlier)
    except AmbiguousNoticeType as error:
        return None, (
            "notice.type.ambiguous",
            Finding(
                "",
                f"The documents of this release name several notice types "
                f"({', '.join(error.codes)}), so openbook cannot tell which notice this release "
                "publishes. Publish one notice per release, or give the document of this "
                "notice the release's date as its datePublished.",
            ),
        )
    if mention is None:
        return None, (
            "notice.type.missing",
            Finding(
                "",
                "This release does not say which notice it is. Give the notice type in the "
                "noticeType of the notice's document (documents[].noticeType), as the Find a "
                "Tender Service publishes it: for example 'UK4' for a tender notice or 'UK6' "
                "for a contract award notice.",
            ),
        )
    if mention.code not in NOTICE_TYPES:
        act = ", ".join(NOTICE_TYPES[code].label for code in known_codes(PA2023))
        earlier_forms = ", ".join(known_codes(PCR2015))
        return mention, (
            "notice.type.unknown",
            Finding(
                mention.path,
                f"'{mention.code}' is not a notice type openbook knows, so this notice cannot "
                f"be checked. The Procurement Act 2023 notice types are: {act}. Procurements "
                "started before 24 February 2025 use the standard forms of the earlier "
                f"regulations: {earlier_forms}. Codes are written exactly as listed here.",
            ),
        )
    return mention, None


def type_rule(code: str) -> Check:
    """The check of rule ``code``: the finding of ``type_problem``, when it is that rule's."""

    def check(ctx: NoticeContext) -> Iterator[Finding]:
        if ctx.type_problem is not None and ctx.type_problem[0] == code:
            yield ctx.type_problem[1]

    return check


def check_regime(ctx: NoticeContext) -> Iterator[Finding]:
    notice, mention = ctx.notice, ctx.mention
    if notice is None or mention is None or ctx.regime.regime == SCOTLAND:
        return
    if notice.regime != ctx.regime.regime:
        yield Finding(
            mention.path,
            f"This is a {notice.label}, a notice of {REGIMES[notice.regime]}, but this "
            f"procurement is under {ctx.regime.name}: {ctx.regime.reason}. All the notices of "
            "one procurement are of the types of the rules it started under. Publish the "
            "matching notice type of those rules instead.",
        )


def check_tag(ctx: NoticeContext) -> Iterator[Finding]:
    notice = ctx.notice
    given_tags = ctx.release.get("tag")
    if notice is None or not notice.release_tags or not isinstance(given_tags, list):
        return
    tags = [tag for tag in given_tags if isinstance(tag, str)]
    if not set(tags) & set(notice.release_tags):
        expected = " or ".join(f"'{tag}'" for tag in notice.release_tags)
        given = ", ".join(f"'{tag}'" for tag in tags) or "nothing"
        yield Finding(
            "/tag",
            f"A {notice.label} is published with the release tag {expected}, but this release "
            f"is tagged {given}. Tools that read OCDS use the tag to tell what a release "
            "describes; docs/notices.md lists the tags of each notice.",
        )
