"""Reading documents back: an organisation's own uploads (the publish API), and a document as
everyone downloads it (``GET /api/documents/{sha256}``), unless it is withheld."""

from dataclasses import dataclass
from typing import BinaryIO

from openbook import config
from openbook.standards.uk import withheld as withheld_grounds
from openbook.store import document_files, documents, log
from openbook.store.database import Store
from openbook.store.documents import REGISTER, Document
from openbook.store.publishers import Organisation


class NoSuchDocument(Exception):
    """No document with this SHA-256 has been uploaded (or not by this organisation)."""


class Withheld(Exception):
    """Every upload of the document is withheld from publication; the message says on which
    ground, as the law asks (Procurement Act 2023, s.94(3))."""


class FileMissing(Exception):
    """The document's metadata is stored but its file is not: the operator must restore it."""


@dataclass(frozen=True, slots=True)
class Download:
    document: Document  # the first upload that is published: its name and type are served
    handle: BinaryIO


def describe(document: Document, url: str) -> dict:
    """A document's metadata as the publish API gives it to its organisation."""
    return {
        "sha256": document.sha256,
        "size": document.size,
        "mediaType": document.media_type,
        "name": document.name,
        "url": url,
        "withheld": withheld(document.withheld),
        "uploaded": document.uploaded_time,
        "scan": document.scan,
        "sequence": document.seq,
    }


def withheld(code: str | None) -> dict | None:
    if code is None:
        return None
    ground = withheld_grounds.GROUNDS[code]
    return {"ground": code, "title": ground.title, "citation": ground.citation}


def own(store: Store, organisation: Organisation, sha256: str) -> Document:
    found = documents.find(store, sha256, organisation.id)
    if found is None:
        raise NoSuchDocument(
            f"your organisation has uploaded no document with the SHA-256 {sha256}"
        )
    return found


def own_list(
    store: Store, organisation: Organisation, *, after: int | None, limit: int
) -> list[Document]:
    return documents.of_organisation(store, organisation.id, after=after, limit=limit)


def download(store: Store, sha256: str) -> Download:
    """The document to serve to anyone, open. A file uploaded by several organisations is
    published if any of them published it (its bytes are public then). An upload whose
    statement was redacted from the log (a court order, say) is published no more."""
    uploads = documents.uploads(store, sha256)
    if not uploads:
        raise NoSuchDocument(f"no document with the SHA-256 {sha256} has been uploaded here")
    redacted = {
        statement.entry.seq
        for statement in log.record_statements(store, REGISTER, sha256)
        if statement.body is None
    }
    public = [u for u in uploads if u.withheld is None and u.seq not in redacted]
    if not public and any(u.withheld is None for u in uploads):
        entries = ", ".join(str(seq) for seq in sorted(redacted))
        raise Withheld(
            "this document was removed from publication by a redaction recorded in the log "
            f"(log entry {entries}): the redaction, and why, is public; the content is not"
        )
    if not public:
        grounds = sorted({upload.withheld for upload in uploads if upload.withheld})
        said = "; ".join(
            f"{ground.title.lower()} ({ground.citation})"
            for ground in (withheld_grounds.GROUNDS[code] for code in grounds)
        )
        raise Withheld(
            "this document is withheld from publication by the organisation that uploaded it, "
            f"on the ground of {said}: the fact that it is withheld, and why, is public; its "
            "content is not"
        )
    handle = document_files.open_file(config.documents_dir(), sha256)
    if handle is None:
        raise FileMissing(sha256)
    return Download(public[0], handle)
