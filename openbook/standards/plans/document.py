"""Reading a plan file: an action plan's commitments and milestones as JSON (docs/plans.md,
"The plan file"), checked whole before anything is stored. Pure.

Every problem is found, each with a JSON pointer into the file and a message saying what to
write instead; a file with any problem is refused whole. What the file says is the plan's facts
as published: nothing here corrects them. Inconsistencies the plan itself has (a milestone that
ends before it starts) are not problems of the file: they are flagged (``state.flags``).
"""

from dataclasses import dataclass

import orjson

from openbook.standards.plans import (
    LONGEST_NAME,
    LONGEST_TEXT,
    LONGEST_URL,
    OGP_VALUES,
    OPTIONAL_FIELDS,
    dates,
    is_id,
)
from openbook.standards.registers.fields import (
    CODE,
    LIST,
    OBJECT,
    TEXT,
    URL,
    Field,
    Problem,
    read,
)

FORMAT = "openbook-plan"
FORMAT_VERSION = "1"
MOST_BYTES = 5 * 1024 * 1024
MOST_COMMITMENTS = 200
MOST_MILESTONES = 200  # a commitment's

_ID_RULE = "lower-case letters, digits, '.' and '-', at most 40 characters"

_MILESTONE = (
    Field("id", TEXT, required=True, longest=40, about="the milestone's id within its commitment"),
    Field("objective", TEXT, longest=40, about="the number of the objective it is under"),
    Field("text", TEXT, required=True, longest=LONGEST_TEXT, about="the milestone as published"),
    Field("newOrOngoing", CODE, codes=("New", "Ongoing"), about="New or Ongoing, as published"),
    Field("start", TEXT, required=True, longest=60, about="the start date as published"),
    Field("end", TEXT, required=True, longest=60, about="the end date as published"),
    Field("notes", LIST, item=TEXT, longest=2000, most=20, about="how it was transcribed"),
)
_COMMITMENT = (
    Field("id", TEXT, required=True, longest=40, about="the commitment's id within the plan"),
    Field("number", TEXT, longest=40, about="its number as the plan gives it, if it does"),
    Field("title", TEXT, required=True, longest=LONGEST_NAME, about="its title, as published"),
    Field(
        "objectives",
        LIST,
        fields=(
            Field("number", TEXT, longest=40),
            Field("title", TEXT, longest=LONGEST_NAME),
            Field("text", TEXT, required=True, longest=LONGEST_TEXT),
        ),
        most=20,
        about="its objectives: the first paragraph under each Objective heading",
    ),
    Field("problem", TEXT, longest=LONGEST_TEXT, about="the problem it addresses"),
    Field(
        "actions",
        LIST,
        fields=(
            Field("text", TEXT, required=True, longest=LONGEST_TEXT),
            Field("details", LIST, item=TEXT, longest=LONGEST_TEXT, most=50),
        ),
        most=50,
        about="what the government will do",
    ),
    Field("leadBody", TEXT, longest=LONGEST_NAME, about="the body that leads it"),
    Field("ogpValues", LIST, item=CODE, codes=tuple(OGP_VALUES), most=4, about="OGP values"),
    Field(
        "whyEmpty",
        OBJECT,
        fields=tuple(Field(name, TEXT, longest=2000) for name in OPTIONAL_FIELDS),
        about="for each of problem, actions, leadBody and ogpValues left empty, why",
    ),
    Field("notes", LIST, item=TEXT, longest=2000, most=20, about="how it was transcribed"),
    Field("milestones", LIST, fields=_MILESTONE, most=MOST_MILESTONES, about="its milestones"),
)
_PLAN = (
    Field("id", TEXT, required=True, longest=40, about="the plan's id, such as uk-nap5"),
    Field("title", TEXT, required=True, longest=LONGEST_NAME, about="its title, as published"),
    Field("shortTitle", TEXT, longest=60, about="the name it goes by, such as NAP5"),
    Field("country", TEXT, longest=60, about="the country or place whose plan it is"),
    Field(
        "period",
        OBJECT,
        required=True,
        fields=(
            Field("start", TEXT, required=True, longest=60),
            Field("end", TEXT, required=True, longest=60),
        ),
        about="the years it runs, as its title gives them",
    ),
    Field(
        "document",
        OBJECT,
        required=True,
        fields=(
            Field("title", TEXT, required=True, longest=LONGEST_NAME),
            Field("url", URL, longest=LONGEST_URL),
            Field("licence", TEXT, longest=LONGEST_NAME),
            Field(
                "transcribedFrom",
                OBJECT,
                fields=(
                    Field("file", TEXT, longest=LONGEST_NAME),
                    Field("sha256", TEXT, longest=64),
                ),
            ),
        ),
        about="the published plan the file transcribes",
    ),
    Field("notes", LIST, item=TEXT, longest=2000, most=20, about="how it was transcribed"),
)
_FILE = (
    Field("format", CODE, required=True, codes=(FORMAT,), about=f"the text {FORMAT!r}"),
    Field("formatVersion", CODE, required=True, codes=(FORMAT_VERSION,), about="'1'"),
    Field("plan", OBJECT, required=True, fields=_PLAN, about="the plan"),
    Field("commitments", LIST, required=True, fields=_COMMITMENT, most=MOST_COMMITMENTS,
          about="its commitments, in the plan's order"),
)  # fmt: skip


class PlanFileRefused(Exception):
    """The file is not a plan file, or has problems: ``problems``, each with its pointer."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


@dataclass(frozen=True, slots=True)
class PlanFile:
    """A plan file read and checked: the plan's facts, commitments with their milestones."""

    plan: dict
    commitments: list[dict]
    sha256: str


def read_file(data: bytes, sha256: str) -> PlanFile:
    """Read a plan file's bytes. Raises ``PlanFileRefused`` with every problem."""
    if len(data) > MOST_BYTES:
        raise PlanFileRefused(
            f"the file is {len(data):,} bytes; a plan file is at most {MOST_BYTES // 1024 // 1024}"
            " MB"
        )
    try:
        sent = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise PlanFileRefused(f"the file is not JSON (UTF-8): {error}") from None
    found, problems = read(sent, _FILE)
    if isinstance(sent, dict):
        # The rules across fields, for each part whose fields are all well formed.
        problems += _rules(found, {problem.path for problem in problems})
    if problems:
        raise PlanFileRefused(
            f"the file has {len(problems)} problem{'s' if len(problems) > 1 else ''}, and "
            "nothing was stored: each is given with its place in the file (a JSON pointer)",
            problems,
        )
    return PlanFile(found["plan"], found["commitments"], sha256)


def _rules(found: dict, faulty: set[str]) -> list[Problem]:
    def sound(where: str) -> bool:
        return not any(path == where or path.startswith(f"{where}/") for path in faulty)

    problems: list[Problem] = []
    plan = found.get("plan")
    if plan is not None and sound("/plan"):
        if not is_id(plan["id"]):
            problems.append(Problem("/plan/id", "malformed-id", f"a plan's id is {_ID_RULE}"))
        for end in ("start", "end"):
            _date(plan["period"][end], f"/plan/period/{end}", problems)
    commitments = found.get("commitments")
    if commitments is None:
        return problems
    if not commitments:
        problems.append(Problem("/commitments", "required", "a plan has at least a commitment"))
    seen: set[str] = set()
    for index, commitment in enumerate(commitments):
        if sound(f"/commitments/{index}"):
            _commitment(commitment, f"/commitments/{index}", seen, problems)
    return problems


def _commitment(commitment: dict, where: str, seen: set[str], problems: list[Problem]) -> None:
    ident = commitment["id"]
    if not is_id(ident):
        problems.append(Problem(f"{where}/id", "malformed-id", f"a commitment's id is {_ID_RULE}"))
    elif ident in seen:
        problems.append(Problem(f"{where}/id", "duplicate-id", f"commitment {ident!r} twice"))
    seen.add(ident)
    why = commitment.get("whyEmpty", {})
    for name in OPTIONAL_FIELDS:
        if name in commitment and name in why:
            problems.append(
                Problem(f"{where}/whyEmpty/{name}", "given-and-empty",
                        f"{name} is given, so it is not empty: leave out its reason")
            )  # fmt: skip
        elif name not in commitment and name not in why:
            problems.append(
                Problem(
                    f"{where}/whyEmpty/{name}",
                    "reason-required",
                    f"{name} is empty: say why (such as {'not stated in the plan'!r}); a field "
                    "the plan does not state is left empty with its reason, never guessed",
                )
            )
    objectives = {each.get("number") for each in commitment.get("objectives", [])}
    milestones: set[str] = set()
    for index, milestone in enumerate(commitment.get("milestones", [])):
        place = f"{where}/milestones/{index}"
        ident = milestone["id"]
        if not is_id(ident):
            problems.append(
                Problem(f"{place}/id", "malformed-id", f"a milestone's id is {_ID_RULE}")
            )
        elif ident in milestones:
            problems.append(Problem(f"{place}/id", "duplicate-id", f"milestone {ident!r} twice"))
        milestones.add(ident)
        objective = milestone.get("objective")
        if objective is not None and objective not in objectives:
            problems.append(
                Problem(f"{place}/objective", "unknown-objective",
                        f"the commitment has no objective numbered {objective!r}")
            )  # fmt: skip
        for end in ("start", "end"):
            _date(milestone[end], f"{place}/{end}", problems)


def _date(text: str, where: str, problems: list[Problem]) -> None:
    try:
        dates.parse(text)
    except dates.DateNotUnderstood as error:
        problems.append(Problem(where, "malformed-date", str(error)))
