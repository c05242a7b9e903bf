"""Checking the small JSON objects that ``POST /api/publish/withdrawals`` and ``/redactions``
take: only the fields each knows, each of its type, every problem at once, each with a JSON
pointer (docs/publishing-api.md). Pure."""

from collections.abc import Mapping
from typing import Any

from openbook.publishing.publish import Problem, Refused
from openbook.standards.marks import ReasonError, check_reason

# Sequence numbers as the database holds them (signed 64-bit).
LARGEST_SEQ = 2**63 - 1


class Fields:
    """The fields of one request object, and the problems found reading them."""

    def __init__(self, value: Any, known: tuple[str, ...], what: str) -> None:
        if not isinstance(value, Mapping):
            raise Refused(
                400,
                "body-not-object",
                f"the body must be a JSON object: {what}, with the fields {', '.join(known)}",
            )
        self.value = value
        self.problems: list[Problem] = [
            Problem(
                f"/{_escape(name)}",
                "unknown-field",
                f"{name[:60]!r} is not a field of {what}: the fields are {', '.join(known)}",
                "error",
                True,
            )
            for name in value
            if name not in known
        ]

    def given(self, name: str) -> bool:
        return name in self.value and self.value[name] is not None

    def sequence(self, name: str) -> int | None:
        found = self.value.get(name)
        if found is None:
            return None
        if type(found) is not int or not 0 <= found <= LARGEST_SEQ:
            self.problem(
                name, "invalid-sequence", f"{name} must be a log sequence number (0, 1...)"
            )
            return None
        return int(found)

    def text(self, name: str, most: int) -> str | None:
        found = self.value.get(name)
        if found is None:
            return None
        if not isinstance(found, str) or not found or len(found) > most or "\x00" in found:
            self.problem(name, "invalid-text", f"{name} must be text of 1 to {most:,} characters")
            return None
        return found

    def reason(self, name: str, most: int, *, required: bool = True) -> str | None:
        found = self.value.get(name)
        if found is None and not required:
            return None
        try:
            return check_reason(found, most=most, name=name)
        except ReasonError as error:
            self.problem(name, error.code, error.message)
            return None

    def problem(self, name: str, code: str, message: str) -> None:
        pointer = f"/{_escape(name)}" if name else ""
        self.problems.append(Problem(pointer, code, message, "error", True))

    def check(self) -> None:
        """Refuse the request, with every problem, if any was found."""
        if self.problems:
            count = len(self.problems)
            raise Refused(
                422,
                "invalid",
                f"nothing was done: {count} problem{'s' if count > 1 else ''} to put right first",
                self.problems,
            )


def _escape(name: str) -> str:
    # RFC 6901: "~" and "/" in a name are escaped in a pointer.
    return name[:100].replace("~", "~0").replace("/", "~1")
