"""Why a harvest stops: each message says what went wrong, where (the address) and why."""


class HarvestError(Exception):
    """A harvest cannot go on."""


class SourceNotUnderstood(HarvestError):
    """The address or the options do not name a source openbook can harvest."""


class SourceFailed(HarvestError):
    """The source kept failing, or answered something that is not an OCDS release package.
    What was harvested before is kept; running the same command again resumes."""
