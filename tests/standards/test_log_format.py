"""The test vectors published in docs/log-format.md hold for the code, and are what plain
SHA-256 gives (so a re-implementer can trust the page)."""

import hashlib
import re
from pathlib import Path

import orjson

from openbook.standards.canonical import canonical_json
from openbook.standards.log import Entry, format_log_time

PAGE = (Path(__file__).resolve().parents[2] / "docs" / "log-format.md").read_text()


def _vector(label: str) -> str:
    match = re.search(rf"- {label}: `([^`]+)`", PAGE)
    assert match, f"docs/log-format.md has no vector '{label}'"
    return match.group(1)


def test_body_vector():
    body = re.search(r"Body `([^`]+)`", PAGE).group(1)
    canonical = canonical_json(orjson.loads(body))
    assert canonical.decode() == _vector("canonical form")
    assert hashlib.sha256(canonical).hexdigest() == _vector("`bodySha256`")


def test_leaf_vector():
    entry = Entry(
        seq=0,
        register="ocds",
        record_key="ocds-test-001",
        statement_id="1",
        statement_date="2026-01-01T00:00:00Z",
        log_time="2026-11-29T05:33:53.123456Z",
        publisher="Crown Commercial Service",
        body_hash=_vector("`bodySha256`"),
    )
    assert entry.leaf_data().decode() == _vector("leaf data")
    independent = hashlib.sha256(b"\x00" + _vector("leaf data").encode()).hexdigest()
    assert entry.leaf_hash() == independent == _vector("leaf hash")


def test_log_time_format():
    from datetime import UTC, datetime, timedelta, timezone

    moment = datetime(2026, 11, 29, 6, 33, 53, 123456, tzinfo=timezone(timedelta(hours=1)))
    assert format_log_time(moment) == "2026-11-29T05:33:53.123456Z"
    assert format_log_time(datetime(2026, 1, 1, tzinfo=UTC)) == "2026-01-01T00:00:00.000000Z"


def test_leaf_data_is_canonical_json_for_any_field_values():
    from hypothesis import given
    from hypothesis import strategies as st

    text = st.text()

    @given(st.integers(0, 2**53), st.lists(text, min_size=6, max_size=6))
    def check(seq, values):
        register, key, statement, date, time, publisher = values
        entry = Entry(seq, register, key, statement, date, time, publisher, "ab" * 32)
        fields = {
            "v": 1,
            "seq": seq,
            "register": register,
            "recordKey": key,
            "statementId": statement,
            "statementDate": date,
            "logTime": time,
            "publisher": publisher,
            "bodySha256": "ab" * 32,
        }
        try:
            expected = canonical_json(fields)
        except Exception:  # lone surrogates: canonical JSON has no text for them
            return
        assert entry.leaf_data() == expected

    check()
