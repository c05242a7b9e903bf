"""Loading councils' contracts registers (the Local Government Transparency Code's contracts over
£5,000) as OCDS releases: the use case behind ``openbook lgtc load`` (docs/local-transparency.md).

Each file is read whole (openbook.standards.lgtc.contracts); then, holding the log's lock, each
process it names is compared with what the log holds: a process whose newest release from a
contracts register says exactly what the file says is left alone; any other gets a release,
appended through the same review and append as any OCDS file (openbook.load.loader
.load_package), in one database transaction for the file. The processes are compiled at the
end, as ``openbook load`` compiles, so they are searchable, measured and linkable with every
other process.

A process's releases from registers are numbered: ``lgtc-N-H``, N one more than its releases
from registers before, H the start of the SHA-256 of what the release says (its id and date
aside). Loading the same file again therefore appends nothing, and a file with an amended row
appends one release of that row's process, dated when it was loaded.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from openbook import config, files, records
from openbook.load.loader import load_package
from openbook.load.report import FileReport as LoadFileReport
from openbook.load.report import LoadReport
from openbook.records import BARE_EXTENSIONS
from openbook.spend import BodyProblem, resolve_body
from openbook.standards.grants.review import org_id
from openbook.standards.lgtc import REGISTER, contracts
from openbook.standards.lgtc.contracts import Contract, Parsed
from openbook.standards.log import format_log_time
from openbook.standards.spend import mapping
from openbook.standards.spend.text import FileRefused
from openbook.standards.spend.transactions import Body
from openbook.store import lgtc as stored
from openbook.store import log
from openbook.store.database import Store

RELEASE_PREFIX = "lgtc-"
# Notes and refusals listed per file; the counts are always whole.
SHOWN = 50


@dataclass
class FileReport:
    """What was understood of one file, and what became of its processes."""

    file: str
    refused: str | None = None  # why the whole file was refused (nothing stored)
    parsed: Parsed | None = None
    processes: int = 0
    new: int = 0  # processes the log did not hold
    amended: int = 0  # processes with a new release: the file says something else now
    already: int = 0  # processes whose newest release from a register says the same
    releases: LoadFileReport | None = None  # the releases' review and append

    def as_dict(self) -> dict:
        found: dict = {"file": self.file, "refused": self.refused}
        parsed = self.parsed
        if parsed is None:
            return found
        appended = self.releases
        return found | {
            "sha256": parsed.sha256,
            "bytes": parsed.size,
            "encoding": parsed.encoding,
            "delimiter": parsed.delimiter,
            "linesAbove": parsed.lines_above,
            "mapping": parsed.mapping.described(),
            "dates": parsed.dates,
            "councils": sorted({each.body.name for each in parsed.contracts}),
            "rows": parsed.rows,
            "blank": parsed.blank,
            "contracts": len(parsed.contracts),
            "processes": self.processes,
            "ocidsGiven": parsed.counts.get("ocids given", 0),
            "ocidsMinted": parsed.counts.get("minted ocids", 0),
            "newProcesses": self.new,
            "amendedProcesses": self.amended,
            "alreadyThere": self.already,
            "releasesLoaded": appended.loaded if appended else 0,
            "releasesWithErrors": appended.loaded_with_errors if appended else 0,
            "read": dict(sorted(parsed.counts.items())),
            "refusedRows": [
                {"file": self.file, "row": row, "reason": why} for row, why in parsed.refused
            ],
            "skipped": [{"row": row, "reason": why} for row, why in parsed.skipped],
            "repeated": [{"row": row, "repeats": first} for row, first in parsed.repeated],
            "notes": [{"file": self.file, **note.as_dict()} for note in parsed.notes],
            "reviewMessages": appended.messages if appended else [],
        }


@dataclass
class Report:
    files: list[FileReport] = field(default_factory=list)
    compiled: int = 0
    review: LoadReport = field(default_factory=LoadReport)

    @property
    def refused_rows(self) -> int:
        return sum(len(each.parsed.refused) for each in self.files if each.parsed)

    @property
    def problems(self) -> bool:
        rejected = any(each.releases and each.releases.rejected for each in self.files)
        return self.refused_rows > 0 or rejected or any(each.refused for each in self.files)

    def as_dict(self) -> dict:
        return {
            "files": [each.as_dict() for each in self.files],
            "filesRefused": sum(1 for each in self.files if each.refused),
            "processes": sum(each.processes for each in self.files),
            "newProcesses": sum(each.new for each in self.files),
            "amendedProcesses": sum(each.amended for each in self.files),
            "alreadyThere": sum(each.already for each in self.files),
            "refusedRows": self.refused_rows,
            "compiled": self.compiled,
            "topProblems": self.review.top_problems(),
        }


def resolve_council(store: Store, given: str, identifier: str | None = None) -> Body:
    """``--council`` (a registered organisation, by its identifier or name; an identifier of a
    known scheme; or a name) and ``--council-id`` (the council's identifier, SCHEME-ID, such as
    GB-LAE-SLF: the Local Authorities in England register). Raises BodyProblem."""
    body = resolve_body(store, given)
    if identifier is None:
        return body
    checked = org_id(identifier)
    if checked.identifier is None:
        raise BodyProblem(f"--council-id: {checked.message}")
    return Body(body.name, str(checked.identifier))


def load(
    store: Store,
    paths: Sequence[Path],
    *,
    council: Body | None = None,
    explicit: mapping.Explicit | None = None,
    date_order: str | None = None,
    encoding: str | None = None,
    now: datetime | None = None,
) -> Report:
    """Load contracts registers, each file in its own database transaction, in order; then
    compile the processes that received releases."""
    report = Report()
    prefix = config.ocid_prefix()
    for path in paths:
        found = FileReport(str(path))
        report.files.append(found)
        try:
            found.parsed = contracts.parse(
                files.read_within_limit(path, "a contracts register"),
                name=path.name,
                council=council,
                prefix=prefix,
                explicit=explicit,
                date_order=date_order,
                encoding=encoding,
            )
            _store(store, found, report.review, now or datetime.now(UTC))
        except FileRefused as error:
            found.refused = str(error)
    report.compiled = records.compile_pending(store)
    return report


def _store(store: Store, found: FileReport, review: LoadReport, moment: datetime) -> None:
    parsed = found.parsed
    assert parsed is not None
    processes = parsed.processes()
    found.processes = len(processes)
    published = format_log_time(moment)
    appended = LoadFileReport(path=found.file)
    with store.atomic():
        log.lock(store)
        held = stored.release_ids(store, REGISTER, list(processes))
        by_council: dict[str, list[dict]] = {}
        for ocid, members in processes.items():
            release_id = _release_id(members, held.get(ocid, []))
            if release_id is None:
                found.already += 1
                continue
            if ocid in held:
                found.amended += 1
            else:
                found.new += 1
            release = contracts.release(members, release_id, published)
            by_council.setdefault(members[0].body.name, []).append(release)
        for name, releases in sorted(by_council.items()):
            load_package(store, _package(parsed, name, releases, published), appended, review,
                         publisher=name)  # fmt: skip
    found.releases = appended


def _release_id(members: list[Contract], held: list[str]) -> str | None:
    """The id of the process's next release, or None if its newest release from a register
    says what these contracts say."""
    digest = contracts.content_hash(members)[:12]
    ours = [each for each in held if each.startswith(RELEASE_PREFIX)]
    if ours and ours[-1].endswith(f"-{digest}"):
        return None
    return f"{RELEASE_PREFIX}{len(ours) + 1}-{digest}"


def _package(parsed: Parsed, council: str, releases: list[dict], published: str) -> dict:
    """A release package of a file's releases for one council: its ``uri`` names the file by its
    SHA-256, so every release keeps, as its source package, which file it was read from."""
    return {
        "uri": f"urn:sha256:{parsed.sha256}",
        "publishedDate": published,
        "publisher": {"name": council},
        "version": "1.1",
        "extensions": list(BARE_EXTENSIONS),
        "releases": releases,
    }
