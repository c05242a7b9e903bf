"""``openbook verify``: a log checked against its signed tree heads, wherever its copy is: the
local database, a snapshot directory, or a remote openbook (docs/log-format.md, docs/cli.md).
Each problem found names the statement (its seq), the field, and the values expected and found.
"""

from openbook.verify.database import database
from openbook.verify.remote import remote
from openbook.verify.report import Problem, Report
from openbook.verify.snapshot import snapshot

__all__ = ["Problem", "Report", "database", "remote", "snapshot"]
