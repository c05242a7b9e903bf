"""What the public API's responses look like, for its OpenAPI document. OCDS packages are
described by their outline (the OCDS package schemas define them in full); extra fields are
allowed, as OCDS allows them."""

from ninja import Schema
from pydantic import ConfigDict


class _Open(Schema):
    model_config = ConfigDict(extra="allow")


class Publisher(_Open):
    name: str


class Links(_Open):
    next: str | None = None


class ReleasePackage(_Open):
    uri: str
    version: str
    publishedDate: str
    publisher: Publisher
    license: str | None = None
    extensions: list[str] | None = None
    releases: list[dict]
    links: Links | None = None


class Record(_Open):
    ocid: str
    releases: list[dict]
    compiledRelease: dict | None = None
    versionedRelease: dict | None = None


class RecordPackage(_Open):
    uri: str
    version: str
    publishedDate: str
    publisher: Publisher
    records: list[Record]


class ErrorDetail(Schema):
    code: str
    message: str
    parameter: str | None = None


class Error(Schema):
    error: ErrorDetail


ERRORS = {400: Error, 404: Error, 429: Error}


class ProcessBuyer(_Open):
    id: str | None = None
    name: str | None = None


class ProcessValue(_Open):
    amount: float
    currency: str | None = None
    source: str | None = None  # contracts, awards, tender or planning


class ProcessDates(_Open):
    published: str | None = None
    deadline: str | None = None
    award: str | None = None
    contract_start: str | None = None
    contract_end: str | None = None


class ProcessLinks(_Open):
    record: str


class Process(_Open):
    ocid: str
    title: str | None = None
    buyer: ProcessBuyer | None = None
    value: ProcessValue | None = None
    stage: str | None = None
    status: str | None = None
    procurement_method: str | None = None
    dates: ProcessDates
    score: float | None = None
    links: ProcessLinks


class ProcessSearch(_Open):
    results: list[Process]
    count: int
    count_exact: bool
    facets: dict[str, dict[str, int]]
    sort: str
    order: str
    links: Links


class DownloadFile(_Open):
    name: str
    url: str
    size: int
    sha256: str
    mediaType: str
    description: str | None = None


class SnapshotTreeHead(_Open):
    treeSize: int
    rootHash: str


class SnapshotLog(_Open):
    size: int
    treeHead: SnapshotTreeHead
    signedTreeHead: dict | None = None


class DownloadLinks(_Open):
    page: str
    manifest: str
    checksums: str


class Downloads(_Open):
    """The latest snapshot's manifest (docs/downloads.md), with a URL for every file."""

    generated: str
    publisher: Publisher
    license: str
    log: SnapshotLog
    counts: dict
    excel: dict
    files: list[DownloadFile]
    links: DownloadLinks


class NameSeen(Schema):
    name: str
    processes: int
    first_published: str | None
    last_published: str | None


class Awarded(Schema):
    currency: str | None
    amount: float
    processes: int


class Candidate(Schema):
    name: str | None
    parties: int
    score: float


class AwardedValue(Schema):
    amount: float
    currency: str | None


class OrganisationProcess(Schema):
    ocid: str
    title: str | None
    published: str | None
    roles: list[str]
    awarded: AwardedValue | None


class Organisation(Schema):
    identifier: str
    scheme: str
    id: str
    registerName: str | None  # the register's name; camelCase in JSON, as OCDS names fields
    processes: int
    roles: dict[str, int]
    names: list[NameSeen]
    awarded: list[Awarded]
    # Its entries in the registers people enter, and where the derived registers list it.
    registers: dict
    candidates: list[Candidate]
    page: list[OrganisationProcess]
    next: int | None
