"""A contracting process as the metrics read it: its releases in log order, each with when the
platform accepted it and whether it was published on the platform. Pure.

"Published" is the moment a notice counts as public (docs/methods/milestones.md): for a release
published on the platform (through the publish API), its log time, which the platform vouches
for; for history loaded or harvested from elsewhere, the release's own ``date``, as the source
asserts it. Every figure that uses it says which of the two it was.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from openbook.standards.ocds.summary import utc

# Where a notice's publication moment comes from.
ON_PLATFORM = "platform"  # the log time of a release published through the publish API
AS_ASSERTED = "source"  # the release's date, as the source that published it says


@dataclass(frozen=True, slots=True)
class Release:
    """One release of a process (not withdrawn, not redacted), as the metrics need it."""

    seq: int  # its log position
    log_time: str  # when the platform accepted it (RFC 3339, UTC)
    publisher: str  # who published it to the platform (the log entry's publisher)
    on_platform: bool  # published through the publish API, not loaded or harvested
    body: dict  # the release

    @property
    def id(self) -> str:
        value = self.body.get("id")
        return value if isinstance(value, str) else str(value)

    @property
    def published(self) -> str | None:
        """When the notice counts as published, UTC ``YYYY-MM-DDTHH:MM:SSZ``; None when a
        loaded release's date cannot be read."""
        if self.on_platform:
            return utc(self.log_time)
        return utc(self.body.get("date"))

    @property
    def basis(self) -> str:
        """Where ``published`` comes from: ON_PLATFORM or AS_ASSERTED."""
        return ON_PLATFORM if self.on_platform else AS_ASSERTED


@dataclass(frozen=True, slots=True)
class Process:
    """A contracting process: its ocid and releases in log order (at least one)."""

    ocid: str
    releases: tuple[Release, ...]

    def bodies(self) -> Iterator[dict]:
        return (release.body for release in self.releases)

    @property
    def last(self) -> Release:
        return self.releases[-1]


def newest(releases: Sequence[Release], *path: str) -> object:
    """The value at ``path`` in the newest release that gives one (as a compiled release would
    hold it, for fields that are not merged by identifier); None if none does."""
    for release in reversed(releases):
        value: object = release.body
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if value is not None:
            return value
    return None
