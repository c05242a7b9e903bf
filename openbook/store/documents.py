"""Documents' metadata: what each organisation uploaded (the files are in
openbook.store.document_files, the statements in the log's ``documents`` register)."""

from collections.abc import Sequence
from dataclasses import dataclass

from openbook.store import models
from openbook.store.database import Store

REGISTER = "documents"


@dataclass(frozen=True, slots=True)
class Document:
    sha256: str
    organisation_id: int
    name: str
    size: int
    media_type: str
    kind: str
    uploaded_time: str
    seq: int
    scan: str
    withheld: str | None
    uploaded_by: str


def _document(row: models.Document) -> Document:
    return Document(
        sha256=row.sha256,
        organisation_id=row.organisation_id,
        name=row.name,
        size=row.size,
        media_type=row.media_type,
        kind=row.kind,
        uploaded_time=row.uploaded_time,
        seq=row.seq,
        scan=row.scan,
        withheld=row.withheld,
        uploaded_by=row.uploaded_by,
    )


def add(store: Store, document: Document) -> None:
    """Call inside the transaction that appends the document's statement: the log's unique
    (register, record key, statement id) keeps an organisation from uploading a file twice."""
    models.Document.objects.using(store.alias).create(
        sha256=document.sha256,
        organisation_id=document.organisation_id,
        name=document.name,
        size=document.size,
        media_type=document.media_type,
        kind=document.kind,
        uploaded_time=document.uploaded_time,
        seq=document.seq,
        scan=document.scan,
        withheld=document.withheld,
        uploaded_by=document.uploaded_by,
    )


def find(store: Store, sha256: str, organisation_id: int) -> Document | None:
    """The organisation's upload of this file, if it made one."""
    row = (
        models.Document.objects.using(store.alias)
        .filter(sha256=sha256, organisation_id=organisation_id)
        .first()
    )
    return _document(row) if row is not None else None


def uploads(store: Store, sha256: str) -> list[Document]:
    """Every organisation's upload of this file, the first first."""
    rows = models.Document.objects.using(store.alias).filter(sha256=sha256).order_by("seq")
    return [_document(row) for row in rows]


def of_organisation(
    store: Store, organisation_id: int, *, after: int | None = None, limit: int = 100
) -> list[Document]:
    """The organisation's uploads in the order they were made, after log entry ``after``."""
    rows = models.Document.objects.using(store.alias).filter(organisation_id=organisation_id)
    if after is not None:
        rows = rows.filter(seq__gt=after)
    return [_document(row) for row in rows.order_by("seq")[:limit]]


def known(store: Store, sha256s: Sequence[str]) -> dict[str, list[Document]]:
    """The uploads of each of these files that has any."""
    found: dict[str, list[Document]] = {}
    rows = models.Document.objects.using(store.alias).filter(sha256__in=list(sha256s))
    for row in rows.order_by("seq"):
        found.setdefault(row.sha256, []).append(_document(row))
    return found
