"""What the publish API's answers look like, for its OpenAPI document at
/api/publish/openapi.json."""

from ninja import Schema


class Problem(Schema):
    pointer: str  # JSON pointer into the body sent ("" for the whole body)
    code: str
    message: str
    severity: str  # "error" or "warning"
    blocking: bool
    citation: str | None = None  # the UK notice rules: the section or regulation
    release: int | None = None  # in a package: the index of the release


class ErrorDetail(Schema):
    code: str
    message: str
    problems: list[Problem] | None = None


class Error(Schema):
    error: ErrorDetail


class PublishedRelease(Schema):
    ocid: str
    id: str
    status: str  # "created" or "duplicate"; validating, "new" or "duplicate"
    sequence: int | None  # its log sequence number (none yet when validating a new release)
    log_time: str | None  # when the log accepted it (RFC 3339, UTC)
    leaf_hash: str | None  # hex RFC 9162 leaf hash of its log entry (docs/log-format.md)
    # The log's signed promise to include the entry in a tree head within its maximum merge
    # delay (openbook.transparency.entry_timestamp); null if it could not be signed just then.
    entry_timestamp: dict | None = None
    record: str  # where the read API shows its process


class PublishAnswer(Schema):
    releases: list[PublishedRelease]
    problems: list[Problem]  # none blocking: warnings, and errors the law's record keeps


class ValidateAnswer(PublishAnswer):
    valid: bool


class MintedOcid(Schema):
    ocid: str


class Withheld(Schema):
    ground: str  # a code of the openbook-withheld codelist (docs/documents.md)
    title: str
    citation: str


class DocumentMetadata(Schema):
    sha256: str  # hex SHA-256 of the file: its identity
    size: int  # bytes
    mediaType: str  # as the content was detected, and as it is served
    name: str
    url: str  # where everyone downloads it (a withheld document answers 451 there)
    withheld: Withheld | None
    uploaded: str  # the log time of its statement (RFC 3339, UTC)
    scan: str  # "clean: " and the scanner; or "not scanned" where scanning is turned off
    sequence: int  # its statement's place in the log (register "documents")


class UploadedDocument(DocumentMetadata):
    status: str  # "created", or "duplicate" if your organisation uploaded this file before
    leaf_hash: str  # hex RFC 9162 leaf hash of its log entry
    entry_timestamp: dict | None = None  # the log's signed promise, as for releases
    note: str | None = None  # for a duplicate sent under another name


class DocumentPage(Schema):
    documents: list[DocumentMetadata]
    next: str | None


class AuditEvent(Schema):
    id: int
    time: str
    actor: str  # "key:<key id>", "account:<user name>" or "cli:<system user>"
    organisation: int | None
    address: str | None
    action: str
    subject: str
    detail: dict


class AuditPage(Schema):
    events: list[AuditEvent]
    next: str | None


ERRORS = {
    400: Error,
    401: Error,
    403: Error,
    409: Error,
    411: Error,
    413: Error,
    415: Error,
    422: Error,
    429: Error,
}

# The body is read by the operation itself (openbook.web.publish.requests), so it is described
# here: an OCDS release, or a release package of them.
RELEASE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "description": (
                        "An OCDS 1.1 release, or a release package "
                        "(https://standard.open-contracting.org/1.1/en/schema/)."
                    ),
                    "type": "object",
                    "additionalProperties": True,
                }
            }
        },
    }
}
