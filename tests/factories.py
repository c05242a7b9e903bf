"""Plain factory functions for tests (no factory framework)."""

import hashlib

import orjson

from openbook.store.log import Statement


def create_release(ocid: str = "ocds-test-001", release_id: str = "1", **fields) -> dict:
    release = {
        "ocid": ocid,
        "id": release_id,
        "date": fields.pop("date", "2026-01-01T00:00:00Z"),
        "tag": fields.pop("tag", ["tender"]),
        "initiationType": "tender",
    }
    release.update(fields)
    return release


def create_statement(release: dict, source: str = "test") -> Statement:
    """A statement as the loader would prepare it (canonical body, hash); no problems."""
    from openbook.standards.canonical import body_hash, canonical_json
    from openbook.standards.ocds.terms import release_terms

    return Statement(
        record_key=release["ocid"],
        statement_id=release["id"],
        statement_date=release["date"],
        body=canonical_json(release),
        body_hash=body_hash(release),
        problems=[],
        source=source,
        terms=release_terms(release),
    )


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def dumps(value) -> bytes:
    return orjson.dumps(value)
