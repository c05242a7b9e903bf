"""Uploading a document (the use case behind ``POST /api/publish/documents``), and finding one
to download (``GET /api/documents/{sha256}``). docs/documents.md.

An upload is checked in the order its answers come, cheapest first, and nothing is kept unless
every check passes:

1. the file name (``openbook.documents.names``) and its extension, the declared media type, and
   the withheld ground, before a byte of the file is read;
2. the file streams into a temporary file, hashed and counted as it comes: empty, or over
   ``OPENBOOK_DOCUMENT_MAX_BYTES``, is refused;
3. its type, told by its content (``openbook.documents.types``), must be the one its name and
   its declared media type say;
4. the organisation's own earlier upload of the same bytes answers at once (idempotent);
5. the malware scan (``openbook.documents.scan``): a file with malware is refused and deleted;
   without a working scanner nothing is accepted;
6. the file is kept under its SHA-256 (``openbook.store.document_files``), then, in one
   transaction, its statement is appended to the log's ``documents`` register, its metadata
   stored and the audit event recorded.

The file is kept before the transaction: a crash between the two leaves a file that no row
names, harmless and reused by the next upload of the same bytes; the other order could leave a
row naming a file that is not there.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from openbook import config, transparency
from openbook.documents import names, published, scan, types
from openbook.publishing.publishers import Actor
from openbook.signing_keys import SigningKeyError
from openbook.standards.canonical import canonical_json
from openbook.standards.log import format_log_time
from openbook.standards.uk import withheld as withheld_grounds
from openbook.store import audit, document_files, documents, log, publishers
from openbook.store.database import Store
from openbook.store.documents import REGISTER, Document
from openbook.store.publishers import Organisation

logger = logging.getLogger(__name__)


class UploadRefused(Exception):
    """The upload is refused and nothing was kept: ``status`` and ``code`` are the answer's."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Uploaded:
    document: Document
    status: str  # "created", or "duplicate" for an upload the organisation had made before
    leaf_hash: str
    entry_timestamp: dict | None = None  # the log's signed promise (openbook.transparency)
    note: str | None = None  # for a duplicate that differs from the first in its name

    def as_dict(self, url: str) -> dict:
        return {
            "status": self.status,
            **published.describe(self.document, url),
            "leaf_hash": self.leaf_hash,
            "entry_timestamp": self.entry_timestamp,
            **({"note": self.note} if self.note else {}),
        }


def upload(
    store: Store,
    organisation: Organisation,
    chunks: Iterable[bytes],
    *,
    name: str,
    declared: str,
    withheld: str | None,
    actor: Actor,
    max_bytes: int,
) -> Uploaded:
    """Receive, check, scan and keep one document (``chunks``: its bytes as they arrive) for
    ``organisation``. Raises ``UploadRefused`` (a missing or failing scanner too: 503)."""
    name = _checked_name(name)
    declared_kind = _declared(declared)
    if withheld is not None and withheld not in withheld_grounds.GROUNDS:
        raise UploadRefused(
            400,
            "invalid-parameter",
            f"withheld: {withheld[:40]!r} is not a ground in the codelist; use one of "
            f"{withheld_grounds.ground_list()} (docs/documents.md)",
        )
    root = config.documents_dir()
    with document_files.Incoming(root) as incoming:
        text = types.TextCheck()
        for chunk in chunks:
            incoming.write(chunk)
            text.feed(chunk)
            if incoming.size > max_bytes:
                raise UploadRefused(413, "document-too-large", too_large(incoming.size, max_bytes))
        text.feed(b"", final=True)
        if incoming.size == 0:
            raise UploadRefused(
                400, "document-empty", f"the file {name!r} is empty (0 bytes): send its content"
            )
        sha256 = incoming.finish()
        kind = _kind(incoming, text, name, declared_kind, declared)
        earlier = documents.find(store, sha256, organisation.id)
        if earlier is not None:
            return _duplicate(
                store, organisation, earlier, name=name, withheld=withheld, actor=actor
            )
        verdict = _scan(incoming, max_bytes, actor, sha256)
        document_files.keep(root, incoming)
    return _record(
        store,
        organisation,
        sha256=sha256,
        size=incoming.size,
        kind=kind,
        name=name,
        withheld=withheld,
        scanned=verdict,
        actor=actor,
    )


def too_large(size: int, most: int) -> str:
    return (
        f"the file is {size:,} bytes or more; the most this platform accepts is {most:,} bytes "
        f"({most / 2**20:g} MB): send a smaller file, such as the document split into parts"
    )


def _checked_name(given: str) -> str:
    try:
        name = names.checked(given)
    except names.NameRefused as refused:
        raise UploadRefused(400, "document-name-invalid", str(refused)) from None
    if not types.by_extension(name):
        extension = types.extension_of(name)
        said = f"ends in {extension!r}" if extension else "has no extension"
        raise UploadRefused(
            415,
            "document-type-not-accepted",
            f"the file name {name!r} {said}, which is not of a type accepted: send "
            f"{types.accepted_list()}, named with its extension (such as 'contract.pdf')",
        )
    return name


def _declared(declared: str) -> types.Kind | None:
    """The kind the declared media type names; None if the sender did not say."""
    media_type = declared.split(";", maxsplit=1)[0].strip().lower()
    if media_type in types.UNDECLARED:
        return None
    if media_type.startswith("multipart/"):
        raise UploadRefused(
            415,
            "unsupported-media-type",
            f"the body is a form ({media_type}): send the file itself as the body, with its "
            "type as Content-Type and its name in Content-Disposition (docs/documents.md)",
        )
    kind = types.by_media_type(media_type)
    if kind is None:
        raise UploadRefused(
            415,
            "document-type-not-accepted",
            f"the file was sent as {media_type[:80]!r} (Content-Type), which is not a type "
            f"accepted: send {types.accepted_list()}",
        )
    return kind


def _kind(
    incoming: document_files.Incoming,
    text: types.TextCheck,
    name: str,
    declared_kind: types.Kind | None,
    declared: str,
) -> types.Kind:
    """The kind of the content, which the name's extension and the declared type must agree
    with: a file is served as what it is, under the name it was given."""
    try:
        found = types.detect(incoming.head, incoming.path, text)
    except types.NotAccepted as refused:
        raise UploadRefused(415, "document-type-not-accepted", str(refused)) from None
    named = [kind for kind in found if kind in types.by_extension(name)]
    if not named:
        kind = found[0]
        raise UploadRefused(
            422,
            "document-name-mismatch",
            f"the file is {kind.label}, but its name {name!r} ends in "
            f"{types.extension_of(name)!r}: name it with {_extensions(kind)}, or send the file "
            "you meant",
        )
    kind = named[0]
    if declared_kind is not None and declared_kind != kind:
        shown = declared.split(";", maxsplit=1)[0].strip()[:80]
        raise UploadRefused(
            422,
            "document-type-mismatch",
            f"the file was sent as {shown!r} (Content-Type), which is "
            f"{declared_kind.label}, but its content is {kind.label}: send it with "
            f"'Content-Type: {kind.media_type.split(';')[0]}', or send the file you meant",
        )
    return kind


def _extensions(kind: types.Kind) -> str:
    return " or ".join(repr(extension) for extension in kind.extensions)


def _scan(
    incoming: document_files.Incoming, max_bytes: int, actor: Actor, sha256: str
) -> scan.Verdict | None:
    try:
        verdict = scan.scan(incoming.path, max_bytes)
    except scan.ScannerUnavailable as unavailable:
        raise UploadRefused(503, "scanner-unavailable", str(unavailable)) from None
    if verdict is not None and not verdict.clean:
        logger.warning(
            "refused a document with malware (%s) from %s at %s: SHA-256 %s",
            verdict.signature,
            actor.who,
            actor.address,
            sha256,
        )
        raise UploadRefused(
            422,
            "document-infected",
            f"the malware scanner found {verdict.signature} in the file, so it was refused and "
            "deleted: check the computer it came from, and send a clean copy",
        )
    return verdict


def _record(
    store: Store,
    organisation: Organisation,
    *,
    sha256: str,
    size: int,
    kind: types.Kind,
    name: str,
    withheld: str | None,
    scanned: scan.Verdict | None,
    actor: Actor,
) -> Uploaded:
    now = format_log_time(datetime.now(UTC))
    body = canonical_json(
        statement_body(
            organisation, sha256=sha256, size=size, kind=kind, name=name, withheld=withheld
        )
    )
    statement = log.Statement(
        record_key=sha256,
        statement_id=organisation.org_id,
        statement_date=now,
        body=body,
        body_hash=hashlib.sha256(body).hexdigest(),
        problems=[],
        source=f"POST /api/publish/documents {actor.who}",
    )
    with store.atomic():
        appended = log.append(store, REGISTER, [statement], organisation.name, compiled=False)
        if not appended.entries:  # the same upload, by a request that arrived at the same time
            found = documents.find(store, sha256, organisation.id)
            if found is None:
                raise UploadRefused(
                    409,
                    "conflict",
                    "the same file was uploaded by a request that arrived at the same time; "
                    "send it again",
                )
            return _duplicate(store, organisation, found, name=name, withheld=withheld, actor=actor)
        seq = appended.entries[0][1]
        entry = publishers.stored_entries(store, REGISTER, [(sha256, organisation.org_id)])
        stored = entry[(sha256, organisation.org_id)]
        document = Document(
            sha256=sha256,
            organisation_id=organisation.id,
            name=name,
            size=size,
            media_type=kind.media_type,
            kind=kind.code,
            uploaded_time=stored.log_time,
            seq=seq,
            scan=_scan_record(scanned),
            withheld=withheld,
            uploaded_by=actor.who,
        )
        documents.add(store, document)
        audit.record(
            store,
            actor=actor.who,
            action="document.upload",
            subject=sha256,
            organisation_id=organisation.id,
            address=actor.address,
            detail={"created": [seq], "name": name, "size": size, "withheld": withheld},
        )
    return Uploaded(document, "created", stored.leaf_hash, _entry_timestamp(store, seq))


def statement_body(
    organisation: Organisation,
    *,
    sha256: str,
    size: int,
    kind: types.Kind,
    name: str,
    withheld: str | None,
) -> dict:
    """What the log keeps of a document (docs/documents.md): enough to prove which file was
    uploaded, by whom, and whether it is published. A withheld document's name is left out: a
    name can say what the content is."""
    body: dict = {
        "sha256": sha256,
        "size": size,
        "mediaType": kind.media_type,
        "organisation": {"id": organisation.org_id, "name": organisation.name},
    }
    if withheld is None:
        body["name"] = name
    else:
        body["withheld"] = {"ground": withheld}
    return body


def _scan_record(verdict: scan.Verdict | None) -> str:
    if verdict is None:
        return "not scanned (OPENBOOK_DOCUMENT_SCANNER=none)"
    return f"clean: {verdict.scanner}"


def _duplicate(
    store: Store,
    organisation: Organisation,
    earlier: Document,
    *,
    name: str,
    withheld: str | None,
    actor: Actor,
) -> Uploaded:
    """The organisation's earlier upload of the same bytes: nothing new is kept (the attempt
    is in the audit trail, as a duplicate publication is)."""
    if earlier.withheld != withheld:
        was = f"withheld ({earlier.withheld})" if earlier.withheld else "to be published"
        raise UploadRefused(
            409,
            "conflict",
            f"your organisation uploaded this file before (log entry {earlier.seq}) as {was}; "
            "an upload is never changed, so the same file cannot be uploaded again otherwise",
        )
    stored = publishers.stored_entries(store, REGISTER, [(earlier.sha256, organisation.org_id)])
    entry = stored[(earlier.sha256, organisation.org_id)]
    note = None
    if name != earlier.name:
        note = (
            f"this file was uploaded before as {earlier.name!r}: it is the same document, and "
            "keeps that name"
        )
    with store.atomic():
        audit.record(
            store,
            actor=actor.who,
            action="document.upload",
            subject=earlier.sha256,
            organisation_id=organisation.id,
            address=actor.address,
            detail={"created": [], "duplicates": [earlier.seq]},
        )
    return Uploaded(
        earlier, "duplicate", entry.leaf_hash, _entry_timestamp(store, earlier.seq), note
    )


def _entry_timestamp(store: Store, seq: int) -> dict | None:
    """The signed entry timestamp of the document's statement; None (and a line in the server's
    log) if the log cannot sign one just now: the upload stands all the same."""
    try:
        return transparency.entry_timestamp(store, seq)
    except (transparency.TransparencyError, SigningKeyError) as error:
        logger.warning("no entry timestamp for log entry %s: %s", seq, error)
        return None
