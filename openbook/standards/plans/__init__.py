"""Open government action plans as a register (issue 10; docs/plans.md): a plan, its
commitments and their milestones, as the plan publishes them, and the progress recorded
against them since. Pure: the plan file's form (``document``), its dates (``dates``), and the
statements and what they add up to (``state``).

Each plan, commitment and milestone is a record of the log's ``plans`` register, keyed
``PLAN``, ``PLAN/COMMITMENT`` and ``PLAN/COMMITMENT/MILESTONE`` (``uk-nap5/1/3``); each of its
statements is numbered 1, 2, 3... in the order it was recorded: the facts as a plan file gives
them (and their corrections, or their withdrawal), a field recorded later with its source
(the lead body the plan does not state), a dated progress update.
"""

import re

REGISTER = "plans"

PLAN, COMMITMENT, MILESTONE = "plan", "commitment", "milestone"

# Progress: the Open Government Partnership's Independent Reporting Mechanism's completion
# scale (its Results Report: no evidence available, not started, limited, substantial,
# complete), and "withdrawn" for what the government dropped. Nothing recorded reads as
# "no-evidence".
NO_EVIDENCE = "no-evidence"
COMPLETE = "complete"
WITHDRAWN = "withdrawn"
STATUSES = {
    NO_EVIDENCE: "No evidence available",
    "not-started": "Not started",
    "limited": "Limited",
    "substantial": "Substantial",
    COMPLETE: "Complete",
    WITHDRAWN: "Withdrawn",
}
# What no longer falls due: a milestone complete or withdrawn is never overdue.
DONE = (COMPLETE, WITHDRAWN)

# The Open Government Partnership's values, as its commitment template names them.
OGP_VALUES = {
    "access-to-information": "Access to information",
    "civic-participation": "Civic participation",
    "public-accountability": "Public accountability",
    "technology-and-innovation": "Technology and innovation for transparency and accountability",
}

# The commitment fields a plan may leave unstated, each then empty with the reason, and which
# can be recorded later with a source (``openbook plans set``).
OPTIONAL_FIELDS = ("problem", "actions", "leadBody", "ogpValues")
SETTABLE_FIELDS = ("problem", "leadBody", "ogpValues")
NOT_STATED = "not stated in the plan"

# Limits on what is recorded (characters, items).
LONGEST_NAME = 300
LONGEST_TEXT = 10_000
LONGEST_URL = 2_000
MOST_EVIDENCE = 20

_ID = re.compile(r"[a-z0-9](?:[a-z0-9.-]{0,38}[a-z0-9])?")


def is_id(text: str) -> bool:
    """A plan's, commitment's or milestone's id: lower-case letters, digits, '.' and '-', at
    most 40 characters (they are parts of record keys and of the API's paths)."""
    return bool(_ID.fullmatch(text))


def key(plan: str, commitment: str | None = None, milestone: str | None = None) -> str:
    return "/".join(part for part in (plan, commitment, milestone) if part is not None)


def kind_of(record_key: str) -> str:
    return (PLAN, COMMITMENT, MILESTONE)[record_key.count("/")]
