"""What a published release says about documents, checked when it is published: the openbook
documents it links to exist, a withheld one is declared withheld, and its declaration of what
was withheld is sound (``openbook.standards.uk.withheld``). docs/documents.md.

A release links to a document uploaded here by its URL, ``https://<platform>/api/documents/
<sha256>``, in ``documents[].url``. Any URL whose path is of that form is taken as one, whatever
its host (the platform's own host is not always the one the publisher's system knows it by).
A link to a document that is not here is a warning, not a refusal: the document may be uploaded
next, or live on another openbook.
"""

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from openbook.standards.uk import notices, withheld
from openbook.standards.uk.withheld import WARNING, WithheldProblem
from openbook.store import documents
from openbook.store.database import Store

_DOCUMENT_PATH = re.compile(r"/api/documents/([0-9a-fA-F]{64})/?")


def document_sha256(url: Any) -> str | None:
    """The SHA-256 in an openbook document URL; None if the URL is not one."""
    if not isinstance(url, str):
        return None
    try:
        found = _DOCUMENT_PATH.fullmatch(urlsplit(url.strip()).path)
    except ValueError:
        return None
    return found.group(1).lower() if found else None


def problems(
    store: Store, release: Mapping[str, Any], history: Sequence[Mapping[str, Any]] = ()
) -> list[WithheldProblem]:
    """Every problem of the release's documents and withheld information (``history``: the
    process's earlier releases, which tell its legal regime)."""
    regime = notices.legal_regime(release, history).regime
    found = withheld.check(release, regime)
    linked = [
        (pointer, document, sha256)
        for pointer, document in withheld.documents(release)
        if (sha256 := document_sha256(document.get("url"))) is not None
    ]
    if not linked:
        return found
    uploaded = documents.known(store, sorted({sha256 for _, _, sha256 in linked}))
    declared = withheld.declared_documents(release)
    for pointer, document, sha256 in linked:
        uploads = uploaded.get(sha256)
        if not uploads:
            found.append(
                WithheldProblem(
                    f"{pointer}/url",
                    "document.not-uploaded",
                    f"the url links to an openbook document, but no document with the SHA-256 "
                    f"{sha256} has been uploaded here: upload it first (POST "
                    "/api/publish/documents) and use the url the answer gives, or correct the url",
                    WARNING,
                )
            )
            continue
        found += _against_upload(pointer, document, uploads, declared)
    return found


def _against_upload(
    pointer: str,
    document: Mapping[str, Any],
    uploads: list[documents.Document],
    declared: set[str],
) -> list[WithheldProblem]:
    found = []
    first = uploads[0]
    media_type = first.media_type.split(";", maxsplit=1)[0]
    given = document.get("format")
    if isinstance(given, str) and given.split(";", maxsplit=1)[0].strip().lower() != media_type:
        found.append(
            WithheldProblem(
                f"{pointer}/format",
                "document.format-differs",
                f"'format' is {given[:80]!r}, but the document uploaded is {media_type}: give "
                f"{media_type!r}, or leave 'format' out",
                WARNING,
            )
        )
    if all(upload.withheld for upload in uploads) and document.get("id") not in declared:
        ground = withheld.GROUNDS[first.withheld or ""]
        found.append(
            WithheldProblem(
                pointer,
                "document.withheld-undeclared",
                f"the document is withheld from publication ({ground.title.lower()}, "
                f"{ground.citation}): say so in 'withheldInformation', with an item whose "
                f"'relatedDocument' is this document's id ({document.get('id')!s}) and whose "
                "ground is given, so that the public can see what was withheld and why",
                WARNING,
                withheld.S94,
            )
        )
    return found
