"""Transcribe the UK Open Government National Action Plan 2021-2023 (NAP5) from its text into
the plan file openbook loads (docs/plans.md, "The plan file").

    python scripts/build_plan_nap5.py [--source FILE] [--output FILE]

Reads ``../shared/data/uk-nap5/uk-open-government-national-action-plan-2021-2023.txt`` (the
default ``--source``) and writes ``openbook/standards/plans/data/nap5.json`` (the default
``--output``). Deterministic: a test rebuilds and compares.

What it takes from the text, and nothing else:

- each commitment: its number and title ("Commitment 1: Open contracting"), or a section with
  an Objective but no number ("Local transparency"), numbered then by nobody;
- its objectives: each "Objective" heading's number and title if it has them, and the first
  paragraph under it;
- "What the government will do", where a commitment has that section: each numbered item or
  sub-heading, with the bullets and paragraphs under it as its details;
- each row of its milestone tables: the text, new or ongoing, start and end as published. A
  row whose last three cells are empty carries on the text of the row before it (the published
  table breaks some rows in two): joined with a space, and noted on the milestone.

The problem each commitment addresses is prose in the plan: not transcribed, and said so. The
plan states no lead body and no OGP values: left empty with the reason "not stated in the
plan". Links are kept as their text. Anything the script does not expect stops it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openbook.standards.plans import NOT_STATED, dates  # noqa: E402
from openbook.standards.plans.document import FORMAT, FORMAT_VERSION  # noqa: E402

SOURCE = (
    ROOT.parent
    / "shared"
    / "data"
    / "uk-nap5"
    / "uk-open-government-national-action-plan-2021-2023.txt"
)
OUTPUT = ROOT / "openbook" / "standards" / "plans" / "data" / "nap5.json"
# The page the text is published on (GOV.UK); the text itself does not give its address.
URL = (
    "https://www.gov.uk/government/publications/uk-national-action-plan-for-open-government-"
    "2021-2023/uk-national-action-plan-for-open-government-2021-2023"
)

HEADING = re.compile(r"Commitment (\d+): (.+)")
OBJECTIVE = re.compile(r"Objective(?: (\d+))?(?::\s*(.+))?")
TABLE = "Milestones to fulfil the commitment\tNew or ongoing\tStart Date\tEnd Date"
PROBLEM = "What is the problem that the commitment will address?"
CONTRIBUTION = "How will the commitment contribute to solving the problem?"
ACTIONS = "What the government will do"
SECTIONS = (PROBLEM, CONTRIBUTION, ACTIONS)
LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
NUMBERED = re.compile(r"\d+\.\s+(.+)")
BULLET = re.compile(r"-\s+(.+)")
JOINED = "the published table carries this milestone's text over two rows; joined here with a space"


class Unexpected(Exception):
    pass


def clean(text: str) -> str:
    return " ".join(LINK.sub(r"\1", text).split())


def cells(line: str) -> list[str]:
    return [clean(re.sub(r"</?p>", "", cell)) for cell in line.split("\t")]


def parse(text: str, name: str, sha256: str) -> dict:
    lines = text.splitlines()
    title = next(line.strip() for line in lines if line.strip())
    years = re.search(r"(\d{4})-(\d{4})$", title)
    if not years:
        raise Unexpected(f"the title {title!r} does not end with the plan's years")
    commitments: list[dict] = []
    current: dict | None = None
    section = None
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        following = _next(lines, index)
        heading = HEADING.fullmatch(line)
        if heading or (
            line
            and "\t" not in line
            and line not in SECTIONS
            and not OBJECTIVE.fullmatch(line)
            and following is not None
            and OBJECTIVE.fullmatch(lines[following].strip())
        ):
            number, name_ = (heading.group(1), heading.group(2)) if heading else (None, line)
            current = _commitment(number, clean(name_))
            commitments.append(current)
            section, index = None, index + 1
            continue
        if current is None or not line:
            index += 1
            continue
        objective = OBJECTIVE.fullmatch(line)
        if objective and following is not None:
            found = {}
            if objective.group(1):
                found["number"] = objective.group(1)
            if objective.group(2):
                found["title"] = clean(objective.group(2))
            found["text"] = clean(lines[following])
            current["objectives"].append(found)
            section, index = None, following + 1
            continue
        if line in SECTIONS:
            section = line
            current["_sections"].add(line)
            index += 1
            continue
        if line == TABLE:
            index = _table(lines, index + 1, current)
            section = None
            continue
        if "\t" in line:
            raise Unexpected(f"line {index + 1}: a table row outside a milestone table: {line!r}")
        if section == ACTIONS:
            _action(line, current)
        index += 1
    if not commitments:
        raise Unexpected("no commitment found")
    return {
        "format": FORMAT,
        "formatVersion": FORMAT_VERSION,
        "plan": {
            "id": "uk-nap5",
            "title": title,
            "shortTitle": "NAP5",
            "country": "United Kingdom",
            "period": {"start": years.group(1), "end": years.group(2)},
            "document": {
                "title": title,
                "url": URL,
                "licence": "Open Government Licence v3.0",
                "transcribedFrom": {"file": name, "sha256": sha256},
            },
            "notes": [
                "Transcribed by scripts/build_plan_nap5.py from the plan's text: every "
                "commitment and every row of its milestone tables. The plan numbers no "
                "milestone: each milestone's id is its place in its commitment's tables."
            ],
        },
        "commitments": [_finished(each) for each in commitments],
    }


def _next(lines: list[str], index: int) -> int | None:
    for later in range(index + 1, len(lines)):
        if lines[later].strip():
            return later
    return None


def _commitment(number: str | None, title: str) -> dict:
    found: dict = {"id": number or re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")}
    if number:
        found["number"] = number
    found |= {"title": title, "objectives": [], "milestones": [], "_sections": set()}
    return found


def _table(lines: list[str], index: int, commitment: dict) -> int:
    objective = commitment["objectives"][-1].get("number") if commitment["objectives"] else None
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            index += 1
            continue
        if "\t" not in line:
            return index
        row = cells(line)
        if len(row) != 4:
            raise Unexpected(f"line {index + 1}: a milestone row of {len(row)} cells: {line!r}")
        if all(re.fullmatch(r"-+", cell) for cell in row):
            index += 1
            continue
        milestones = commitment["milestones"]
        if not any(row[1:]):
            if not milestones:
                raise Unexpected(f"line {index + 1}: a table carries on before its first row")
            milestones[-1]["text"] += " " + row[0]
            notes = milestones[-1].setdefault("notes", [])
            if JOINED not in notes:
                notes.append(JOINED)
            index += 1
            continue
        text, new_or_ongoing, start, end = row
        if new_or_ongoing not in ("New", "Ongoing"):
            raise Unexpected(f"line {index + 1}: {new_or_ongoing!r} is not New or Ongoing")
        for published in (start, end):
            dates.parse(published)  # stops on a date of a form not understood
        found = {"id": str(len(milestones) + 1)}
        if objective is not None:
            found["objective"] = objective
        found |= {"text": text, "newOrOngoing": new_or_ongoing, "start": start, "end": end}
        milestones.append(found)
        index += 1
    return index


def _action(line: str, commitment: dict) -> None:
    actions = commitment.setdefault("actions", [])
    numbered, bullet = NUMBERED.fullmatch(line), BULLET.fullmatch(line)
    if numbered:
        actions.append({"text": clean(numbered.group(1))})
    elif bullet:
        if not actions:
            raise Unexpected(f"a bullet before any action: {line!r}")
        actions[-1].setdefault("details", []).append(clean(bullet.group(1)))
    elif line.endswith(":") and not actions:
        return  # the section's lead-in ("The government proposes to take the following actions:")
    elif not line.endswith((".", ":")):
        actions.append({"text": clean(line)})  # a sub-heading: an action in its own words
    elif actions:
        actions[-1].setdefault("details", []).append(clean(line))
    else:
        raise Unexpected(f"a paragraph before any action: {line!r}")


def _finished(commitment: dict) -> dict:
    sections = commitment.pop("_sections")
    why = {
        "problem": (
            f"stated in the plan as prose, under {PROBLEM!r}: not transcribed (read it in the plan)"
            if PROBLEM in sections
            else NOT_STATED
        )
    }
    if ACTIONS not in sections:
        why["actions"] = f"the plan has no {ACTIONS!r} section for this commitment"
    why |= {"leadBody": NOT_STATED, "ogpValues": NOT_STATED}
    found = {name: value for name, value in commitment.items() if name != "milestones"}
    found["whyEmpty"] = why
    found["milestones"] = commitment["milestones"]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    arguments = parser.parse_args()
    data = arguments.source.read_bytes()
    try:
        plan = parse(data.decode("utf-8"), arguments.source.name, hashlib.sha256(data).hexdigest())
    except (Unexpected, dates.DateNotUnderstood) as error:
        print(f"build_plan_nap5: {arguments.source}: {error}", file=sys.stderr)
        return 1
    text = json.dumps(plan, ensure_ascii=False, indent=2) + "\n"
    arguments.output.write_text(text, encoding="utf-8")
    milestones = sum(len(each["milestones"]) for each in plan["commitments"])
    print(f"{arguments.output}: {len(plan['commitments'])} commitments, {milestones} milestones")
    return 0


if __name__ == "__main__":
    sys.exit(main())
