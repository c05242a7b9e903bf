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
