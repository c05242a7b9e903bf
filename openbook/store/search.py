"""The process search's tables: a process's row, filter terms and text, written with its compiled
release; and the queries that find processes (docs/search.md).

Text is indexed by each database's own engine, in ``process_text``: an FTS5 table on SQLite
(Porter stemmer), a tsvector with a GIN index on PostgreSQL (``english`` configuration). Titles
weigh most in relevance, then party names, then descriptions.
"""

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import repeat
from operator import attrgetter, itemgetter

from openbook.standards.ocds.summary import Summary
from openbook.store import commercial_tools
from openbook.store.database import Store, among, chunked, placeholders
from openbook.store.log import insert_rows

# Only OCDS processes are searched.
REGISTER = "ocds"

TEXT_SQLITE = [
    # remove_diacritics 2: "Asunción" is found by "asuncion" (the summary strips them too).
    "CREATE VIRTUAL TABLE process_text USING fts5(title, parties, body,"
    " tokenize = 'porter unicode61 remove_diacritics 2')",
]
TEXT_POSTGRESQL = [
    "CREATE TABLE process_text (id bigint PRIMARY KEY, document tsvector NOT NULL)",
    "CREATE INDEX process_text_document ON process_text USING gin (document)",
]
# Relevance weights of the three texts: title, party names, descriptions. FTS5's bm25 takes
# them as multipliers; PostgreSQL's ts_rank as the weights of labels A, B and C (its defaults).
_BM25 = "-bm25(process_text, 10.0, 4.0, 1.0)"
# As float8: a float4 read back as text and compared again would not be equal to itself.
_TS_RANK = "ts_rank(t.document, query)::float8"
_DOCUMENT_OF_COLUMNS = (
    "setweight(to_tsvector('english', title), 'A')"
    " || setweight(to_tsvector('english', parties), 'B')"
    " || setweight(to_tsvector('english', body), 'C')"
)


def create_text(schema_editor) -> None:
    """Create ``process_text`` for the database at hand (used by migration 0004)."""
    vendor = schema_editor.connection.vendor
    for statement in TEXT_POSTGRESQL if vendor == "postgresql" else TEXT_SQLITE:
        schema_editor.execute(statement)


def drop_text(schema_editor) -> None:
    schema_editor.execute("DROP TABLE process_text")


# process_search's columns, in groups. A Summary's attributes are named as the columns.
_STATE_COLUMNS = ("stage", "status", "procurement_method")
_DATE_COLUMNS = ("published", "deadline", "award_date", "contract_start", "contract_end")
_FLAG_COLUMNS = ("above_threshold", "suitable_sme", "suitable_vcse", "awarded_sme", "awarded_vcse")
LISTED_COLUMNS = ("notice_types", "regions", "cpv")  # values between newlines (_listed)
# What a page of results shows after the ocid (Found's fields, in order).
_SHOWN_COLUMNS = (
    "title",
    "buyer_id",
    "buyer_name",
    "value_amount",
    "value_currency",
    "value_source",
    *_STATE_COLUMNS,
    *_DATE_COLUMNS,
)
# Written, not shown nor filtered on by the search: for the pipeline register (store.pipeline).
_OTHER_COLUMNS = ("planned", "title_cy")
COLUMNS = ("id", "ocid", *_SHOWN_COLUMNS, *_FLAG_COLUMNS, *_OTHER_COLUMNS, *LISTED_COLUMNS)
# A Summary's values for process_search's columns between the ocid and the listed.
_COLUMNS_OF = attrgetter(*_SHOWN_COLUMNS, *_FLAG_COLUMNS, *_OTHER_COLUMNS)
_LISTED_OF = attrgetter(*LISTED_COLUMNS)
_first = itemgetter(0)


PARTY_COLUMNS = (
    "process_id",
    "position",
    "party_id",
    "name",
    "name_key",
    "roles",
    "identifier",
    "awarded_amount",
    "awarded_currency",
)


def index(store: Store, cursor, processes: Sequence[tuple[str, int, Summary | None]]) -> list[str]:
    """Write the search rows of processes just compiled, in the caller's transaction: for each
    (ocid, seq of its last release, summary), the old row goes and the new one comes; a process
    without a summary (it failed to compile) leaves the search. Returns the processes to compile
    again: frameworks these name, or named, whose register rows are now out of step
    (openbook.store.commercial_tools.out_of_step)."""
    tools = commercial_tools.ready(store, cursor)
    ocids = [ocid for ocid, _, _ in processes]
    # the frameworks named before, whose rows may change with these processes'.
    named = commercial_tools.frameworks_named_by(store, cursor, ocids) if tools else set()
    _remove(store, cursor, ocids, tools)
    indexed = [(ocid, seq, summary) for ocid, seq, summary in processes if summary is not None]
    if indexed:
        _insert(store, cursor, indexed, tools)
    if not tools:
        return []
    named |= commercial_tools.frameworks_named_by(store, cursor, ocids)
    return commercial_tools.out_of_step(store, cursor, [*named, *ocids])


def _insert(
    store: Store, cursor, indexed: Sequence[tuple[str, int, Summary | None]], tools: bool
) -> None:
    rows: list[tuple] = []
    term_rows: list[tuple[str, int]] = []
    party_rows: list[tuple] = []
    texts: list[tuple[int, str, str, str]] = []
    for ocid, seq, summary in indexed:
        assert summary is not None
        # The columns read by one attrgetter, the terms zipped, the parties in a loop
        # (generators and getattr a column were a tenth of the loading process's compile phase).
        notice_types, regions, cpv = _LISTED_OF(summary)
        rows.append(
            (
                seq,
                ocid,
                *_COLUMNS_OF(summary),
                _listed(notice_types),
                _listed(regions),
                _listed(cpv),
            )
        )
        term_rows.extend(zip(summary.terms, repeat(seq)))
        for position, party in enumerate(summary.parties):
            party_rows.append(
                (
                    seq,
                    position,
                    party.party_id,
                    party.name,
                    party.name_key,
                    " ".join(party.roles),
                    party.identifier,
                    party.awarded_amount,
                    party.awarded_currency,
                )
            )
        texts.append((seq, summary.title_text, summary.parties_text, summary.body_text))
    # Rows keyed by their id (a batch comes in ocid order, its ids at random) go in
    # id order: FTS5 writes out what it holds in memory as a new segment whenever a rowid is not
    # above the last one, so a batch in ocid order made a segment of every other process, and
    # merging them was most of the cost of the text index; the rows stored are the same.
    rows.sort(key=_first)
    texts.sort(key=_first)
    insert_rows(store, cursor, "process_search", COLUMNS, rows)
    if term_rows:
        term_rows.sort()  # in key order, as openbook.store.log writes its terms
        insert_rows(store, cursor, "process_term", ("term", "process_id"), term_rows)
    if party_rows:
        insert_rows(store, cursor, "process_party", PARTY_COLUMNS, party_rows)
    if tools:
        commercial_tools.index(store, cursor, indexed)
    if store.vendor == "postgresql":
        # One statement for the batch, from arrays: a statement per row costs more than the row.
        columns = [list(column) for column in zip(*texts, strict=True)]
        cursor.execute(
            f"INSERT INTO process_text (id, document) SELECT id, {_DOCUMENT_OF_COLUMNS}"
            " FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[])"
            " AS t(id, title, parties, body)",
            columns,
        )
    else:
        cursor.executemany(
            "INSERT INTO process_text (rowid, title, parties, body) VALUES (%s, %s, %s, %s)", texts
        )


def _listed(values: Sequence[str]) -> str:
    r"""Values between newlines, so that ``\nVALUE\n`` finds one exactly and ``\nPREFIX`` by
    its start; empty for none."""
    return "\n" + "\n".join(values) + "\n" if values else ""


def listed(text: str) -> list[str]:
    return text.split("\n")[1:-1] if text else []


def _remove(store: Store, cursor, ocids: Sequence[str], tools: bool) -> None:
    ids: list[int] = []
    for chunk in chunked(ocids, 500):
        condition, parameters = among(store, "ocid", chunk)
        cursor.execute(f"SELECT id FROM process_search WHERE {condition}", parameters)
        ids.extend(row[0] for row in cursor.fetchall())
    text_key = "id" if store.vendor == "postgresql" else "rowid"
    for chunk in chunked(ids, 500):
        for table, column in (
            ("process_text", text_key),
            ("process_term", "process_id"),
            ("process_party", "process_id"),
            *((table, "process_id") for table in (commercial_tools.TABLES if tools else ())),
            ("process_search", "id"),
        ):
            condition, parameters = among(store, column, chunk)
            cursor.execute(f"DELETE FROM {table} WHERE {condition}", parameters)


# Columns a criterion may name: the store builds SQL from these names only.
FILTER_COLUMNS = frozenset(
    {"value_amount", "value_currency", *_STATE_COLUMNS, *_DATE_COLUMNS, *_FLAG_COLUMNS}
)
SORT_KEYS = ("score", "published", "value_amount")


@dataclass(frozen=True, slots=True)
class Criteria:
    r"""What processes must match, all of it: text words (each must occur, stemmed), one term of
    each group, a listed column (notice_types, regions, cpv) holding one of the texts given
    (``\nUK4\n`` exactly, ``\n4523`` by its start), a column among values, columns within
    bounds (inclusive)."""

    words: tuple[str, ...] = ()
    term_groups: tuple[tuple[str, ...], ...] = ()
    containing: tuple[tuple[str, tuple[str, ...]], ...] = ()
    among: tuple[tuple[str, tuple[object, ...]], ...] = ()
    at_least: tuple[tuple[str, object], ...] = ()
    at_most: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True, slots=True)
class Found:
    """A process in a page of results, with what it was sorted by."""

    ocid: str
    title: str | None
    buyer_id: str | None
    buyer_name: str | None
    value_amount: float | None
    value_currency: str | None
    value_source: str | None
    stage: str | None
    status: str | None
    procurement_method: str | None
    published: str | None
    deadline: str | None
    award_date: str | None
    contract_start: str | None
    contract_end: str | None
    score: float | None
    key: object  # the value sorted on (the score, a date or an amount; None sorts last)
    tie: object  # what breaks ties: the ocid; by score, the row's id


_SHOWN = ", ".join(f"p.{column}" for column in ("ocid", *_SHOWN_COLUMNS))


def page(
    store: Store,
    criteria: Criteria,
    *,
    sort: str,
    descending: bool,
    after: tuple[object, object] | None,
    limit: int,
) -> list[Found]:
    """Up to ``limit`` matching processes in order of ``sort`` (one of SORT_KEYS), ties broken
    in the same direction (by ocid; by score, by row id), after the (key, tie) of the last one
    seen: keyset paging, so a page never repeats or skips a process however deep it is.
    Processes without the key (no value, no date) come last, in ocid order."""
    if sort not in SORT_KEYS:
        raise ValueError(f"cannot sort by {sort!r}")
    if sort == "score" and criteria == Criteria(words=criteria.words):
        return _ranked(store, criteria.words, descending, after, limit)
    probed = sort != "score" and common_text(store, criteria)
    source, where, params, score = matching(
        store.vendor, criteria, scored=sort == "score", probed=probed
    )
    key = score if sort == "score" else f"p.{sort}"
    tie = "p.id" if sort == "score" else "p.ocid"
    direction = "DESC" if descending else "ASC"
    before = "<" if descending else ">"
    found: list[Found] = []
    with store.cursor() as cursor, _hash_joined(store, criteria, cursor, probed=probed):
        if after is None or after[0] is not None:
            keyed = [*where, f"{key} IS NOT NULL"]
            keyed_params = list(params)
            if after is not None:
                keyed.append(f"({key}, {tie}) {before} (%s, %s)")
                keyed_params.extend(after)
            cursor.execute(
                f"SELECT {_SHOWN}, {score or 'NULL'}, {key}, {tie} FROM {source}"
                f" WHERE {' AND '.join(keyed)}"
                f" ORDER BY {key} {direction}, {tie} {direction} LIMIT %s",
                [*keyed_params, limit],
            )
            found.extend(Found(*row) for row in cursor.fetchall())
        if len(found) < limit and sort != "score":
            unkeyed = [*where, f"{key} IS NULL"]
            unkeyed_params = list(params)
            if after is not None and after[0] is None:
                unkeyed.append(f"p.ocid {before} %s")
                unkeyed_params.append(after[1])
            cursor.execute(
                f"SELECT {_SHOWN}, {score or 'NULL'}, NULL, p.ocid FROM {source}"
                f" WHERE {' AND '.join(unkeyed)}"
                f" ORDER BY p.ocid {direction} LIMIT %s",
                [*unkeyed_params, limit - len(found)],
            )
            found.extend(Found(*row) for row in cursor.fetchall())
    return found


def _ranked(
    store: Store,
    words: Sequence[str],
    descending: bool,
    after: tuple[object, object] | None,
    limit: int,
) -> list[Found]:
    """A page by relevance of a search by text alone: ranked and cut within the text index,
    and only the page's processes read, however many match (a broad word matches a third of
    all processes: reading each one's row to sort them would cost more than ranking them)."""
    direction = "DESC" if descending else "ASC"
    before = "<" if descending else ">"
    if store.vendor == "postgresql":
        score = _TS_RANK
        source = "process_text t, plainto_tsquery('english', %s) query"
        where: list[str] = ["t.document @@ query"]
        params: list[object] = [" ".join(words)]
        row_id = "t.id"
    else:
        score = _BM25
        source = "process_text"
        where, params = ["process_text MATCH %s"], [_fts_query(words)]
        row_id = "rowid"
    if after is not None:
        where.append(f"({score}, {row_id}) {before} (%s, %s)")
        params.extend(after)
    with store.cursor() as cursor:
        cursor.execute(
            f"SELECT {_SHOWN}, m.score, m.score, m.id FROM (SELECT {row_id} AS id,"
            f" {score} AS score FROM {source} WHERE {' AND '.join(where)}"
            f" ORDER BY score {direction}, id {direction} LIMIT %s) m"
            f" JOIN process_search p ON p.id = m.id ORDER BY m.score {direction}, m.id {direction}",
            [*params, limit],
        )
        return [Found(*row) for row in cursor.fetchall()]


def _fts_query(words: Sequence[str]) -> str:
    # Each word a quoted FTS5 string: never an operator, whatever it spells (NEAR, OR...).
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


FACET_COLUMNS = (*_STATE_COLUMNS, *_FLAG_COLUMNS, "notice_types", "regions")


def version(store: Store) -> tuple[int, int]:
    """What changes when the search may have: the log's newest entry, and the index's newest
    row (a process's row id is the seq of its latest release, so it grows whenever a process is
    indexed again); -1 for none. Two lookups of an index's last key."""
    with store.cursor() as cursor:
        cursor.execute("SELECT MAX(seq) FROM log_entry")
        log = cursor.fetchone()[0]
        cursor.execute("SELECT MAX(id) FROM process_search")
        indexed = cursor.fetchone()[0]
    return (-1 if log is None else int(log)), (-1 if indexed is None else int(indexed))


def sample(store: Store, criteria: Criteria, most: int) -> list[tuple]:
    """The facet columns (FACET_COLUMNS) of up to ``most`` matching processes, in no
    particular order: what counts and facets are made from."""
    source, where, params, _ = matching(store.vendor, criteria, scored=False)
    columns = ", ".join(f"p.{column}" for column in FACET_COLUMNS)
    with store.cursor() as cursor, _hash_joined(store, criteria, cursor):
        cursor.execute(
            f"SELECT {columns} FROM {source} WHERE {' AND '.join(where)} LIMIT %s",
            [*params, most],
        )
        return cursor.fetchall()


# A text matching at least this share of the processes is common (``common_text``).
COMMON_SHARE = 0.05


def common_text(store: Store, criteria: Criteria) -> bool:
    """Whether the search's text matches so many processes (COMMON_SHARE of them or more) that
    walking process_search in sort order and testing each row that passes the filters finds a
    page sooner than reading every match: for "services" with six filters at 1,000,000
    releases, 4 ms against 430 on PostgreSQL. PostgreSQL's planner estimates it (from its
    statistics of the text index; none before the first ``ANALYZE``, and then the text is not
    taken as common); on SQLite the matches are counted up to that share, which for a rare
    text ends at once."""
    if not criteria.words:
        return False
    with store.cursor() as cursor:
        if store.vendor != "postgresql":
            cursor.execute("SELECT COUNT(*) FROM process_search")
            total = int(cursor.fetchone()[0])
            enough = max(1, math.ceil(COMMON_SHARE * total))
            cursor.execute(
                "SELECT COUNT(*) FROM (SELECT 1 FROM process_text WHERE process_text MATCH %s"
                " LIMIT %s)",
                [_fts_query(criteria.words), enough],
            )
            return total > 0 and int(cursor.fetchone()[0]) >= enough
        cursor.execute(
            "EXPLAIN (FORMAT JSON) SELECT 1 FROM process_text"
            " WHERE document @@ plainto_tsquery('english', %s)",
            [" ".join(criteria.words)],
        )
        (plan,) = cursor.fetchone()
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'process_text'::regclass")
        (total,) = cursor.fetchone()
    estimated = plan[0]["Plan"]["Plan Rows"]
    return total > 0 and estimated >= COMMON_SHARE * total


@contextmanager
def _hash_joined(store: Store, criteria: Criteria, cursor, probed: bool = False) -> Iterator[None]:
    """On PostgreSQL, for a search with text and filters whose matches are read first (not
    ``probed``): the text's matches and the filtered rows joined by hash, never by a loop over
    one side. The planner takes several filters as independent and may expect one row where
    thousands match, then rescans every match of a common word for each of them (over 20 s at
    1,000,000 releases; by hash, under half a second)."""
    needed = (
        store.vendor == "postgresql"
        and not probed
        and bool(criteria.words)
        and criteria != Criteria(words=criteria.words)
    )
    if needed:
        cursor.execute("SET enable_nestloop = off")
    try:
        yield
    finally:
        if needed:
            cursor.execute("RESET enable_nestloop")


def matching(
    vendor: str, criteria: Criteria, *, scored: bool, probed: bool = False
) -> tuple[str, list[str], list[object], str | None]:
    """FROM, WHERE conditions, their parameters, and the relevance score's expression (None
    unless scored, with text). ``probed`` (unscored, a common text): the text is
    a test of each row, which the planner may make in the order it reads them (on SQLite
    too)."""
    where: list[str] = ["1 = 1"]
    params: list[object] = []
    source, score = "process_search p", None
    if criteria.words and vendor == "postgresql" and probed and not scored:
        where.append(
            "EXISTS (SELECT 1 FROM process_text t WHERE t.id = p.id"
            " AND t.document @@ plainto_tsquery('english', %s))"
        )
        params.append(" ".join(criteria.words))
    elif criteria.words and probed and not scored:
        # SQLite: its text index finds a process's row by id among a text's matches.
        where.append(
            "EXISTS (SELECT 1 FROM process_text t WHERE process_text MATCH %s AND t.rowid = p.id)"
        )
        params.append(_fts_query(criteria.words))
    elif criteria.words and vendor == "postgresql":
        # The text's matches first, then their rows: OFFSET 0 keeps the planner from walking
        # an index of process_search in sort order testing each row's text, which it likes
        # for a short LIMIT and which is ruinous for a word that few processes have.
        source = (
            f"(SELECT t.id{f', {_TS_RANK} AS score' if scored else ''}"
            " FROM process_text t, plainto_tsquery('english', %s) query"
            " WHERE t.document @@ query OFFSET 0) m JOIN process_search p ON p.id = m.id"
        )
        params.append(" ".join(criteria.words))
        score = "m.score" if scored else None
    elif criteria.words:
        source = (
            f"(SELECT rowid AS id{f', {_BM25} AS score' if scored else ''} FROM process_text"
            " WHERE process_text MATCH %s) m JOIN process_search p ON p.id = m.id"
        )
        params.append(_fts_query(criteria.words))
        score = "m.score" if scored else None
    for group in criteria.term_groups:
        where.append(
            f"p.id IN (SELECT process_id FROM process_term WHERE term IN ({placeholders(group)}))"
        )
        params.extend(group)
    position = "strpos" if vendor == "postgresql" else "instr"
    for column, texts in criteria.containing:
        if column not in LISTED_COLUMNS:
            raise ValueError(f"no listed column {column!r}")
        where.append("(" + " OR ".join(f"{position}(p.{column}, %s) > 0" for _ in texts) + ")")
        params.extend(texts)
    for column, values in criteria.among:
        _check(column)
        where.append(f"p.{column} IN ({placeholders(values)})")
        params.extend(values)
    for column, value in criteria.at_least:
        _check(column)
        where.append(f"p.{column} >= %s")
        params.append(value)
    for column, value in criteria.at_most:
        _check(column)
        where.append(f"p.{column} <= %s")
        params.append(value)
    return source, where, params, score


def _check(column: str) -> None:
    if column not in FILTER_COLUMNS:
        raise ValueError(f"no search filter on {column!r}")


def welsh_titles(store: Store, ocids: Sequence[str]) -> dict[str, str]:
    """The Welsh titles (``title_cy``) the publishers gave of these processes, by ocid: for the
    lists shown to a reader who chose Welsh (issue 8). One lookup by the ocid's index."""
    found: dict[str, str] = {}
    with store.cursor() as cursor:
        for chunk in chunked(list(dict.fromkeys(ocids)), 500):
            condition, parameters = among(store, "ocid", chunk)
            cursor.execute(
                f"SELECT ocid, title_cy FROM process_search WHERE {condition}"
                " AND title_cy IS NOT NULL",
                parameters,
            )
            found.update(cursor.fetchall())
    return found


def count(store: Store) -> int:
    with store.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM process_search")
        return int(cursor.fetchone()[0])


def exists(store: Store, ocid: str) -> bool:
    """Whether the process is in the search (it compiled)."""
    with store.cursor() as cursor:
        cursor.execute("SELECT 1 FROM process_search WHERE ocid = %s", [ocid])
        return cursor.fetchone() is not None
