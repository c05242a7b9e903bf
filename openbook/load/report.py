"""What a load did: counts per file and overall, problems by type, and the messages to read."""

import re
from collections import Counter
from dataclasses import dataclass, field

# How many individual messages a report keeps per file; counts are always complete.
MESSAGES_KEPT = 50
# What a report counts of the releases it read (a FileReport's counts, a report's totals).
COUNTS = (
    "read",
    "loaded",
    "loaded_with_errors",
    "duplicates",
    "conflicts",
    "invalid",
    "unreadable",
    "warnings",
)
_INDEX = re.compile(r"/\d+(?=/|$)")


class KeptMessages:
    """Messages kept up to MESSAGES_KEPT, then only counted (``messages_dropped``)."""

    messages: list[dict]
    messages_dropped: int

    def keep(self, message: dict) -> None:
        if len(self.messages) < MESSAGES_KEPT:
            self.messages.append(message)
        else:
            self.messages_dropped += 1


@dataclass
class FileReport(KeptMessages):
    path: str
    format: str = ""
    read: int = 0  # releases found in the file
    loaded: int = 0  # appended to the log
    loaded_with_errors: int = 0  # appended, with errors in their review
    duplicates: int = 0  # already in the log, identical
    conflicts: int = 0  # already in the log with another body: kept aside
    invalid: int = 0  # not stored because of --strict
    unreadable: int = 0  # issues of severity "error": something not loaded
    warnings: int = 0
    messages: list[dict] = field(default_factory=list)
    messages_dropped: int = 0

    def note(self, where: str, code: str, message: str, severity: str) -> None:
        if severity == "error":
            self.unreadable += 1
        else:
            self.warnings += 1
        self.keep({"where": where, "code": code, "message": message, "severity": severity})

    @property
    def rejected(self) -> int:
        return self.conflicts + self.invalid + self.unreadable


@dataclass
class LoadReport:
    files: list[FileReport] = field(default_factory=list)
    compiled: int = 0
    # (severity, code, path with indexes as *) -> [count, first message]
    problems: Counter = field(default_factory=Counter)
    problem_examples: dict = field(default_factory=dict)

    def count_problems(self, problems: list[dict]) -> None:
        for problem in problems:
            key = (problem["severity"], problem["code"], _INDEX.sub("/*", "/" + problem["path"]))
            self.problems[key] += 1
            self.problem_examples.setdefault(key, problem["message"])

    def total(self, name: str) -> int:
        return sum(getattr(report, name) for report in self.files)

    @property
    def rejected(self) -> int:
        return self.total("rejected")

    def top_problems(self, limit: int = 10) -> list[dict]:
        return [
            {
                "severity": severity,
                "code": code,
                "path": path.lstrip("/"),
                "count": count,
                "example": self.problem_examples[(severity, code, path)],
            }
            for (severity, code, path), count in self.problems.most_common(limit)
        ]

    def problems_text(self) -> list[str]:
        """The top problems, a line each under a heading; none if there are none."""
        top = self.top_problems()
        if not top:
            return []
        return [
            "Top problems in the releases (by count):",
            *(
                f"  {p['count']:>8,}  {p['severity']:<7} {p['code']:<18} {p['path'] or '(root)'}"
                f"  e.g. {p['example']}"
                for p in top
            ),
        ]

    def as_dict(self) -> dict:
        totals = {name: self.total(name) for name in COUNTS}
        return {
            "totals": {**totals, "compiled": self.compiled, "rejected": self.rejected},
            "top_problems": self.top_problems(),
            "files": [vars(report) for report in self.files],
        }

    def as_text(self) -> str:
        totals = self.as_dict()["totals"]
        lines = [
            f"Files: {len(self.files)}. Releases read: {totals['read']:,}.",
            *totals_text(totals),
            *self.problems_text(),
        ]
        for report in self.files:
            if not report.messages:
                continue
            lines.append(f"{report.path} ({report.format or 'unknown format'}):")
            lines.extend(
                f"  {m['severity']}: {m['where']}: {m['message']} [{m['code']}]"
                for m in report.messages
            )
            if report.messages_dropped:
                lines.append(f"  ... and {report.messages_dropped:,} more")
        lines.append(f"Rejected: {self.rejected:,}." if self.rejected else "Nothing was rejected.")
        return "\n".join(lines)


def totals_text(
    totals: dict[str, int], loaded: str = "loaded", unreadable: str = "unparseable or unusable"
) -> list[str]:
    """What became of the releases read, a line each (``totals`` as in ``as_dict``), with the
    names the report gives the loaded and the unreadable."""
    return [
        f"  {loaded}: {totals['loaded']:,} ({totals['loaded_with_errors']:,} of them with "
        "schema or codelist errors, kept with their review)",
        f"  duplicates (already in the log, identical): {totals['duplicates']:,}",
        f"  conflicts (same ocid and id already in the log with another body; kept aside): "
        f"{totals['conflicts']:,}",
        f"  invalid (not stored because of --strict): {totals['invalid']:,}",
        f"  {unreadable}: {totals['unreadable']:,}",
        f"  processes compiled: {totals['compiled']:,}",
    ]
