"""What the publish API answers (docs/publishing-api.md): the problems it finds, each with a JSON
pointer into what was sent; a refusal of a whole request; and what became of each release."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openbook.publishing.exclusion import Flag


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong or doubtful in a request, where (a JSON pointer into the body) and why."""

    pointer: str
    code: str
    message: str
    severity: str  # "error" or "warning"
    blocking: bool  # whether it stops the request (422)
    citation: str | None = None  # for the UK notice rules: the section or regulation
    release: int | None = None  # the index of the release in a package

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "pointer": self.pointer,
            "code": self.code,
            "message": self.message,
            "severity": self.severity,
            "blocking": self.blocking,
        }
        if self.citation is not None:
            found["citation"] = self.citation
        if self.release is not None:
            found["release"] = self.release
        return found


class Refused(Exception):
    """The request is refused as a whole: nothing was stored."""

    def __init__(
        self, status: int, code: str, message: str, problems: Sequence[Problem] = ()
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.problems = list(problems)


@dataclass(slots=True)
class Published:
    """What became of one release."""

    index: int
    ocid: str
    id: str
    status: str  # "created", "duplicate"; or, validating, "new"
    sequence: int | None = None
    log_time: str | None = None
    leaf_hash: str | None = None
    # The log's signed promise to include the entry in a tree head (openbook.transparency).
    entry_timestamp: dict | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ocid": self.ocid,
            "id": self.id,
            "status": self.status,
            "sequence": self.sequence,
            "log_time": self.log_time,
            "leaf_hash": self.leaf_hash,
            "entry_timestamp": self.entry_timestamp,
        }


@dataclass(slots=True)
class Outcome:
    releases: list[Published]
    problems: list[Problem] = field(default_factory=list)  # none blocking
    # Awards to suppliers on the debarment list, published with their reason: oversight is told
    # of them by email once the request is answered (openbook.oversight).
    flagged: list["Flag"] = field(default_factory=list)

    @property
    def created(self) -> bool:
        return any(release.status == "created" for release in self.releases)
