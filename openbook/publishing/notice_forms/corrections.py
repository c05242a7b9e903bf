"""Correcting a notice through the question pages (docs/notices.md, "Changed notices, and
notices published in error"): the answers a published release gives, read back through each
question's ``pointers``, and the release the changed answers make, turned into a correction of
the one published: a new release in the same procurement, tagged as an update, that says what it
amends (OCDS 1.1, "Amendment").

Pure: releases and answers in, answers and releases out. The words written into a correction's
amendment are data, in English, like the rest of the release.
"""

from collections.abc import Callable, Iterator, Mapping
from contextlib import suppress
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from openbook.publishing.notice_forms.counts import COUNT, count_in
from openbook.publishing.notice_forms.ids import stamp
from openbook.publishing.notice_forms.questions import (
    CHECKBOXES,
    CHOICE,
    DATE,
    DATETIME,
    GROUP,
    LONDON,
    MONEY,
    AnswerProblem,
    Context,
    NoticeForm,
    Question,
    moment,
    read_answer,
)

# A correction's tags: the update tag of each stage (OCDS 1.1 releaseTag codelist; the "Release
# tags" column of docs/notices.md allows them for each notice the pages write).
UPDATE_TAGS = {
    "planning": "planningUpdate",
    "tender": "tenderUpdate",
    "award": "awardUpdate",
    "contract": "contractUpdate",
    "implementation": "implementationUpdate",
}
# What a form's build may raise when the answers read back are not enough to build a release
# (a question the published release did not answer): the answer is then taken as read.
_CANNOT_BUILD = (KeyError, TypeError, ValueError, AttributeError, OverflowError)


def answers_from(
    form: NoticeForm, release: Mapping[str, Any], compiled: dict | None = None
) -> dict[str, object]:
    """The answers to ``form``'s questions that ``release`` gives, as ``read_answer`` would
    give them: for each question, a value found at its pointers that the form's own ``build``
    writes back there unchanged (so choices are recognised however the release writes them).
    A question the release does not answer, or answers in a way the form would refuse, is left
    out: the pages ask it again. Given the procurement as it is now (``compiled``), only the
    answers to the questions asked of it are given (NoticeForm.answered): not those of a route
    the notice did not take, nor a contract chosen among contracts when there is only one."""
    found = {question.name: _candidates(question, release) for question in form.questions}
    answers = {name: values[0] for name, values in found.items() if values}
    unread = set()
    for question in form.questions:
        choices = [value for value, _ in question.choices]
        fixed = question.kind == CHOICE and question.options is None
        if fixed and answers.get(question.name) not in choices:
            # A placeholder the build can use while the other questions are tried.
            answers[question.name] = choices[0]
            unread.add(question.name)
    context = _context(release)
    _buildable(form, context, answers, unread)
    for question in form.questions:
        tried = found[question.name]
        if question.kind == CHOICE and question.options is None:
            tried = [value for value, _ in question.choices]
        elif len(tried) < 2:
            continue
        for value in tried:
            if _gives(form, context, {**answers, question.name: value}, question, release):
                answers[question.name] = value
                unread.discard(question.name)
                break
    read = {
        question.name: answers[question.name]
        for question in form.questions
        if question.name in answers and question.name not in unread
    }
    if compiled is None:
        return read
    return form.answered(replace(context, compiled=compiled), read)


def _buildable(
    form: NoticeForm, context: Context, answers: dict[str, object], unread: set[str]
) -> None:
    """Placeholders the build can use: one whose build needs an answer the release does not
    give back (a group of suppliers, without its members: pcr2015_award.py) is swapped for
    another of its choices that builds, if one does. The later questions first: an earlier
    one (whether a contract was awarded) keeps its first choice if a later one can change. In
    place."""
    for question in reversed(form.questions):
        if question.name not in unread:
            continue
        for value, _ in question.choices:
            answers[question.name] = value
            try:
                form.build(context, answers)
            except _CANNOT_BUILD:
                continue
            break
        else:
            answers[question.name] = question.choices[0][0]


def as_correction(
    release: dict,
    corrects: str,
    context: Context,
    description: str | None = None,
    *,
    original: Mapping[str, Any] | None = None,
    taken: Callable[[str], bool] | None = None,
) -> dict:
    """``release`` (just built from a form's answers) as a correction of the release
    ``corrects`` of the same procurement: a new release with its own id, each stage tag made
    the stage's update tag, its notice document given an id of its own (so the compiled release
    lists both notices), and an amendment naming the release it amends in the section the
    notice is about (``tender/amendments``, ``awards/N/amendments``, ``contracts/N/amendments``;
    a planning notice's in ``tender/amendments``, as OCDS 1.1 gives planning none), as
    docs/publishing-api.md shows ("Corrections, cancellations and withdrawals"). A new copy;
    ``release`` is not changed.

    Given the ``original`` (the corrected release's body), the awards and contracts it wrote
    keep their ids: a form numbers a new award or contract after those the procurement has,
    the corrected one among them, and the correction must change that one, not add another.

    Given ``taken`` (whether the procurement has a release of an id already, withdrawn or
    redacted ones too), the correction's id is one it does not have (``_own_id``), and its
    notice documents are named after it: two corrections written in one second each keep
    their own notice document (issue 8).

    The correction is dated after the procurement's latest release (``context.compiled``'s
    date, never before the release it corrects; else the ``original``'s): releases are dated
    to the second, and a correction written in that release's second is dated a second after
    it, so that whoever merges the record's releases in date order takes the correction last
    (OCDS 1.1, "Merging")."""
    corrected = _copy(release)
    _date_after(corrected, (context.compiled or original or {}).get("date"))
    if original is not None:
        _same_ids(corrected, original)
    built = str(corrected.get("id"))
    release_id = _own_id(built, corrects, taken)
    corrected["id"] = release_id
    tags = [UPDATE_TAGS.get(tag, tag) for tag in corrected.get("tag", [])]
    corrected["tag"] = list(dict.fromkeys(tags))
    # the moment, and what the id added to tell it from another of that moment ("-2")
    named = f"{stamp(context.now)}{release_id.removeprefix(built)}"
    amendment = {
        "id": release_id,
        "date": corrected.get("date", moment(context.now)),
        "description": description
        or f"Corrects the notice published as release {corrects}: this release replaces it.",
        "amendsReleaseID": corrects,
        "releaseID": release_id,
    }
    amended: list[dict] = []
    for section, amends in _sections(corrected):
        notices = [
            document
            for document in section.get("documents", [])
            if isinstance(document, dict) and document.get("noticeType")
        ]
        for document in notices:
            document["id"] = f"{document.get('id', 'notice')}-{named}"
        if notices and amends is not None and not any(amends is seen for seen in amended):
            amended.append(amends)
    for section in amended:
        section["amendments"] = [*section.get("amendments", []), dict(amendment)]
    return corrected


def _date_after(corrected: dict, earlier: object) -> None:
    """Date ``corrected`` a second after ``earlier`` if it is not already later."""
    try:
        dated = datetime.fromisoformat(str(corrected.get("date")))
        before = datetime.fromisoformat(str(earlier))
        if dated.tzinfo is None or before.tzinfo is None or dated > before:
            return
    except ValueError:
        return
    corrected["date"] = moment(before + timedelta(seconds=1))


def _own_id(built: str, corrects: str, taken: Callable[[str], bool] | None) -> str:
    """The correction's id: the one its form built (its notice type and moment), unless the
    corrected release has it (built in the same second) or the procurement has a release of
    it (another correction of that second): then that id with ``-correction``, then ``-2``,
    ``-3``... as needed. Two people correcting at once may still choose alike: the publish
    use case then refuses the second (a release id with another body), losing nothing."""
    found = built if built != corrects else f"{corrects}-correction"
    first = found
    number = 1
    while taken is not None and taken(found):
        number += 1
        found = f"{first}-{number}"
    return found


def _sections(release: dict) -> Iterator[tuple[dict, dict | None]]:
    """Each section that may hold a notice document, with the section whose ``amendments``
    say what a correction of that notice amends (None where there is none)."""
    tender = release.get("tender") if isinstance(release.get("tender"), dict) else None
    if isinstance(release.get("planning"), dict):
        yield release["planning"], tender
    if tender is not None:
        yield tender, tender
    for award in release.get("awards", []):
        if isinstance(award, dict):
            yield award, award
    for contract in release.get("contracts", []):
        if isinstance(contract, dict):
            yield contract, contract
            if isinstance(contract.get("implementation"), dict):
                yield contract["implementation"], contract


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def _same_ids(corrected: dict, original: Mapping[str, Any]) -> None:
    """The corrected release's awards and contracts take the ids of the original's, position
    by position (a form writes the same ones in the same order), and contracts' ``awardID``
    follows its award."""
    renamed: dict[object, object] = {}
    for key in ("awards", "contracts"):
        mine, theirs = corrected.get(key), original.get(key)
        if not isinstance(mine, list) or not isinstance(theirs, list) or len(mine) != len(theirs):
            continue
        for new, old in zip(mine, theirs, strict=True):
            # only an id the form numbered; one it names (member-GB-COH-...) is its own.
            numbered = isinstance(new, dict) and str(new.get("id", "")).isdigit()
            if numbered and isinstance(old, dict) and "id" in old:
                if key == "awards":
                    renamed[new.get("id")] = old["id"]
                new["id"] = old["id"]
    for contract in corrected.get("contracts") or []:
        if isinstance(contract, dict) and contract.get("awardID") in renamed:
            contract["awardID"] = renamed[contract["awardID"]]
    _same_statistics(corrected, renamed)
    # so do the payments and performance failures a contract's notice wrote (UK8, UK9), and
    # the KPIs it assessed with their observations (UK9).
    pairs = zip(corrected.get("contracts") or [], original.get("contracts") or [], strict=False)
    for new, old in pairs:
        _same_amendments(new, old)
        _same_metrics(_implementation(new).get("metrics"), _implementation(old).get("metrics"))
        for key in ("transactions", "performanceFailures"):
            mine = _implementation(new).get(key)
            theirs = _implementation(old).get(key)
            if isinstance(mine, list) and isinstance(theirs, list) and len(mine) == len(theirs):
                for entry, was in zip(mine, theirs, strict=True):
                    if isinstance(entry, dict) and isinstance(was, dict) and "id" in was:
                        entry["id"] = was["id"]


def _same_statistics(corrected: dict, renamed: Mapping[object, object]) -> None:
    """Bid statistics named after their award (``1-bids``: pcr2015_award.py) follow it when
    it takes the original's id, so the correction replaces them (merged by id) rather than
    adding a second set."""
    bids = corrected.get("bids")
    statistics = bids.get("statistics") if isinstance(bids, dict) else None
    for statistic in statistics if isinstance(statistics, list) else []:
        if not isinstance(statistic, dict):
            continue
        award, _, measure = str(statistic.get("id", "")).partition("-")
        if measure and award in renamed:
            statistic["id"] = f"{renamed[award]}-{measure}"


def _same_amendments(new: object, old: object) -> None:
    """A corrected contract change notice (UK10) says the change again in an amendment: it
    takes the id of the original's, so the correction replaces that amendment rather than
    adding a second copy of it (amendments are merged by id, OCDS 1.1, "Merging"), and its date,
    the day the contract was changed (the correction's own amendment is dated the correction).
    Those that say what a correction amended (``amendsReleaseID``) are not changes of the
    contract."""
    mine = new.get("amendments") if isinstance(new, dict) else None
    theirs = old.get("amendments") if isinstance(old, Mapping) else None
    if not isinstance(mine, list) or not isinstance(theirs, list):
        return
    changes = [
        amendment
        for amendment in theirs
        if isinstance(amendment, Mapping)
        and "id" in amendment
        and "amendsReleaseID" not in amendment
    ]
    if len(mine) == len(changes):
        for amendment, was in zip(mine, changes, strict=True):
            if isinstance(amendment, dict):
                amendment["id"] = was["id"]
                if "date" in was:
                    amendment["date"] = was["date"]


def _same_metrics(mine: object, theirs: object) -> None:
    """A corrected assessment's KPIs take the ids of the original's of the same name (the form
    finds a KPI by its name among the contract's, the original's included), or, when as many
    were assessed, of the one in the same place (a KPI renamed); each KPI's observation takes
    the original's id, so the correction replaces the rating rather than adding a year."""
    if not isinstance(mine, list) or not isinstance(theirs, list):
        return
    old = [metric for metric in theirs if isinstance(metric, dict) and "id" in metric]
    by_name = {str(metric.get("title", "")).casefold(): metric for metric in old}
    used: set[int] = set()
    matches: list[tuple[dict, dict | None]] = []
    for metric in mine:
        if isinstance(metric, dict):
            was = by_name.get(str(metric.get("title", "")).casefold())
            if was is not None:
                used.add(id(was))
            matches.append((metric, was))
    if len(matches) == len(old):
        matches = [
            (metric, was if was is not None else (other if id(other) not in used else None))
            for (metric, was), other in zip(matches, old, strict=True)
        ]
    for metric, was in matches:
        if was is None:
            continue
        metric["id"] = was["id"]
        pairs = zip(metric.get("observations") or [], was.get("observations") or [], strict=False)
        for observation, before in pairs:
            if isinstance(observation, dict) and isinstance(before, dict) and "id" in before:
                observation["id"] = before["id"]


def _implementation(contract: Any) -> Mapping[str, Any]:
    found = contract.get("implementation") if isinstance(contract, Mapping) else None
    return found if isinstance(found, Mapping) else {}


def _context(release: Mapping[str, Any]) -> Context:
    named = release.get("buyer")
    buyer: Mapping[str, Any] = named if isinstance(named, Mapping) else {}
    published = datetime(2000, 1, 1, tzinfo=UTC)
    with suppress(TypeError, ValueError, OverflowError):
        parsed = datetime.fromisoformat(str(release.get("date")))
        parsed.astimezone(UTC)  # a moment near year 1 or 9999 may have none in UTC
        published = parsed
    return Context(
        ocid=str(release.get("ocid", "")),
        buyer_id=str(buyer.get("id", "")),
        buyer_name=str(buyer.get("name", "")),
        now=published if published.tzinfo else published.replace(tzinfo=UTC),
    )


def _gives(
    form: NoticeForm,
    context: Context,
    answers: Mapping[str, object],
    question: Question,
    release: Mapping[str, Any],
) -> bool:
    """Whether these answers build a release with the same values as ``release`` at every
    pointer of ``question``."""
    try:
        built = form.build(context, answers)
    except _CANNOT_BUILD:
        return False
    return all(_at(built, pointer) == _at(release, pointer) for pointer in question.pointers)


def _candidates(question: Question, release: Mapping[str, Any]) -> list[object]:
    """The answers ``question`` could have, from the values at its pointers, in order. Text of
    any kind (a title, a CPV code, an identifier, a kind of question added later) is read by
    the form's own reader, so an answer the form would refuse is not offered. The choices
    ticked, and the things added, are each one answer: a list."""
    if question.kind == GROUP:
        things = _things(question, release)
        return [things] if things else []
    if question.kind == CHECKBOXES:
        lists = [_at(release, pointer) for pointer in question.pointers]
        ticked: list[object] = [
            [str(value) for value in listed]
            for listed in lists
            if isinstance(listed, list) and listed and all(isinstance(v, str) for v in listed)
        ]
        return ticked[:1]
    reader = _READERS.get(question.kind, _text)
    found: list[object] = []
    for pointer in question.pointers:
        for leaf in _leaves(_at(release, pointer)):
            value = reader(leaf)
            if isinstance(value, str) and question.kind != CHOICE:
                value = _read(question, value)
            if value is not None and value not in found:
                found.append(value)
    return found


def _things(question: Question, release: Mapping[str, Any]) -> list[dict] | None:
    """The things of a GROUP question, each read from an entry of the list at its pointer by
    its fields' pointers (relative to the entry): None when one cannot be read whole, or there
    are more than the question takes."""
    spec = question.repeating
    listed = _at(release, question.pointers[0]) if spec is not None else None
    if spec is None or not isinstance(listed, list) or not 0 < len(listed) <= spec.most:
        return None
    things = []
    for entry in listed:
        thing: dict[str, object] = {}
        for part in spec.fields:
            value = _READERS.get(part.kind, _text)(_at(entry, part.pointers[0]))
            if part.kind == CHOICE and value not in {choice for choice, _ in part.choices}:
                value = None
            elif isinstance(value, str) and part.kind != CHOICE:
                value = _read(part, value)
            if value is None and not part.optional:
                return None
            thing[part.name] = value
        things.append(thing)
    return things


def _read(question: Question, value: str) -> object:
    try:
        return read_answer(question, {question.name: value})
    except AnswerProblem:
        return None


def _at(document: Any, pointer: str) -> Any:
    """The value at a JSON pointer (RFC 6901), or None."""
    found = document
    for escaped in pointer.split("/")[1:]:
        token = escaped.replace("~1", "/").replace("~0", "~")
        if isinstance(found, Mapping):
            found = found.get(token)
        elif isinstance(found, list) and token.isdigit() and int(token) < len(found):
            found = found[int(token)]
        else:
            return None
    return found


def _leaves(value: Any) -> Iterator[object]:
    if isinstance(value, Mapping):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    elif value is not None:
        yield value


def _text(leaf: object) -> str | None:
    return leaf if isinstance(leaf, str) else None


def _money(leaf: object) -> int | float | None:
    if isinstance(leaf, bool) or not isinstance(leaf, int | float):
        return None
    return int(leaf) if float(leaf).is_integer() else leaf


def _moment(leaf: object) -> datetime | None:
    if not isinstance(leaf, str) or "T" not in leaf:
        return None
    try:
        found = datetime.fromisoformat(leaf)
        # A moment near year 1 or 9999 may have no UK time (OverflowError): no answer then.
        return found.astimezone(LONDON) if found.tzinfo else None
    except (ValueError, OverflowError):
        return None


def _day(leaf: object) -> date | None:
    """A date as written (a date-time's own day, not converted to UK time: the form writes a
    day as that day's start or end in UTC)."""
    if not isinstance(leaf, str):
        return None
    try:
        return date.fromisoformat(leaf[:10])
    except ValueError:
        return None


def _choice(leaf: object) -> str | None:
    if isinstance(leaf, bool):
        return "yes" if leaf else "no"
    return leaf if isinstance(leaf, str) else None


_READERS: dict[str, Callable[[object], object]] = {
    COUNT: count_in,  # a number of tenders (pcr2015_award.py)
    MONEY: _money,
    DATE: _day,
    DATETIME: _moment,
    CHOICE: _choice,
}
