"""An assessment of a commitment in the manner of the Open Government Partnership's Independent
Reporting Mechanism (issue 10, item 4; docs/plans.md, "Assessment"). Pure.

The IRM assesses each commitment of an action plan twice: its Action Plan Review, early in the
plan, for the commitment as written (is it verifiable, does it have an open government lens,
what is its potential for results), and its Results Report, after the plan, for what was done
(completion, and early results: "did it open government?"). The scales are the IRM's own, as
the OGP's glossary defines them (opengovpartnership.org/glossary: Verifiability, Relevance,
Ambition, Completion, Early Results). An assessment statement gives any of the indicators, with
where it comes from and its date; a commitment reads the newest value of each.
"""

from collections.abc import Mapping

from openbook.standards.plans import OGP_VALUES

VERIFIABLE = "verifiable"
LENS = "openGovernmentLens"
POTENTIAL = "potentialForResults"
COMPLETION = "completion"
EARLY_RESULTS = "earlyResults"

# Each indicator's values, in the order of its scale, with the IRM's words for them.
INDICATORS: dict[str, dict[str, str]] = {
    # Action Plan Review, "Verifiable": specific enough to review, or not.
    VERIFIABLE: {"verifiable": "Verifiable", "not-verifiable": "Not verifiable"},
    # Action Plan Review, "Does it have an open government lens?": does the commitment set out
    # to make a policy area, institution or decision more transparent, participatory or
    # accountable to the public?
    LENS: {"yes": "Yes", "no": "No"},
    # Action Plan Review, "Potential for results" (the IRM's measure of ambition since 2020).
    POTENTIAL: {"unclear": "Unclear", "modest": "Modest", "substantial": "Substantial"},
    # Results Report, "Completion": the same five-point scale as a milestone's status.
    COMPLETION: {
        "no-evidence": "No evidence available",
        "not-started": "Not started",
        "limited": "Limited",
        "substantial": "Substantial",
        "complete": "Complete",
    },
    # Results Report, early results: "Did it open government?", on its five-point scale.
    EARLY_RESULTS: {
        "worsened": "Worsened",
        "did-not-change": "Did not change",
        "marginal": "Marginal",
        "major": "Major",
        "outstanding": "Outstanding",
    },
}
TITLES = {
    VERIFIABLE: "Verifiability",
    LENS: "Open government lens",
    POTENTIAL: "Potential for results",
    COMPLETION: "Completion",
    EARLY_RESULTS: "Early results: did it open government?",
}


def check(indicators: Mapping[str, object], lens_values: object) -> tuple[dict, list, list]:
    """The indicators given (those not None), the OGP values the lens advances, and the
    problems, each (what, why). At least one indicator; each value on its scale; lens values
    only with a lens, and each an OGP value."""
    problems: list[tuple[str, str]] = []
    found: dict[str, str] = {}
    for name, value in indicators.items():
        if value is None:
            continue
        if name not in INDICATORS:
            problems.append((name[:40], f"is not an indicator; they are: {', '.join(INDICATORS)}"))
        elif value not in INDICATORS[name]:
            problems.append(
                (name, f"{str(value)[:40]!r} is not on its scale: {', '.join(INDICATORS[name])}")
            )
        else:
            found[name] = str(value)
    if not found and not problems:
        problems.append(
            (
                "indicators",
                f"give at least one of: {', '.join(INDICATORS)}: an assessment says something",
            )
        )
    values: list[str] = []
    if lens_values is not None:
        given = lens_values.split(",") if isinstance(lens_values, str) else lens_values
        codes = [str(each).strip() for each in given] if isinstance(given, list) else []
        codes = [each for each in codes if each]
        unknown = [each for each in codes if each not in OGP_VALUES]
        if found.get(LENS) != "yes":
            problems.append(("lensValues", f"are the values an open government lens advances: "
                                           f"give them with {LENS} yes"))  # fmt: skip
        elif unknown or not codes:
            shown = ", ".join(repr(each[:40]) for each in unknown) or "nothing"
            problems.append(
                ("lensValues", f"{shown} is not an OGP value; they are: {', '.join(OGP_VALUES)}")
            )
        else:
            values = list(dict.fromkeys(codes))
    return found, values, problems
