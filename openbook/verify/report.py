"""What ``openbook verify`` found: each problem names what differs (the entry's seq, the field,
the value expected and the value found), and the facts say what was checked."""

from dataclasses import asdict, dataclass, field

MAX_PROBLEMS = 200  # listed in full; beyond that only counted, for a log altered wholesale


@dataclass(frozen=True, slots=True)
class Problem:
    subject: str  # what differs: "entry 41 (ocds ocds-abc-1 release 'x')", "file ...", ...
    message: str
    seq: int | None = None
    field: str | None = None
    expected: str | None = None
    found: str | None = None

    def as_text(self) -> str:
        lines = [f"{self.subject}: {self.message}"]
        if self.field is not None:
            lines.append(f"    {self.field}: expected {self.expected}")
            lines.append(f"    {' ' * len(self.field)}     found {self.found}")
        return "\n".join(lines)


@dataclass
class Report:
    target: str
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    facts: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def problem(
        self,
        subject: str,
        message: str,
        *,
        seq: int | None = None,
        field: str | None = None,
        expected: object = None,
        found: object = None,
    ) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(
                Problem(
                    subject,
                    message,
                    seq,
                    field,
                    None if expected is None else str(expected),
                    None if found is None else str(found),
                )
            )

    def fact(self, text: str) -> None:
        self.facts.append(text)

    def as_text(self) -> str:
        lines = [f"openbook verify: {self.target}"]
        lines += [f"  checked: {fact}" for fact in self.facts]
        if self.ok:
            lines.append("OK: nothing differs from what was signed.")
            return "\n".join(lines)
        lines.append("")
        lines += [problem.as_text() for problem in self.problems]
        if self.problem_count > len(self.problems):
            lines.append(f"... and {self.problem_count - len(self.problems):,} more problems")
        lines.append("")
        noun = "problem" if self.problem_count == 1 else "problems"
        lines.append(f"FAILED: {self.problem_count:,} {noun}.")
        return "\n".join(lines)

    def as_dict(self) -> dict:
        return {
            "target": self.target,
            "ok": self.ok,
            "facts": self.facts,
            "problemCount": self.problem_count,
            "problems": [asdict(problem) for problem in self.problems],
        }
