"""The commercial tools register's tables (docs/commercial-tools.md): ``commercial_tool`` and
``commercial_tool_member`` for frameworks and dynamic markets, ``process_link`` for the
processes they and their call-offs name. Written by ``index``, from the search's indexing (in
the transaction that stores each compiled release), only for processes whose summary found
them tools or call-offs; the rest of the register is read from those rows and the search's."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import orjson
from django.db.models.signals import pre_migrate

from openbook.standards.ocds.commercial_tools import BY_CALL_OFF, CALL_OFF, LINEAGE
from openbook.standards.ocds.summary import Summary
from openbook.store import records
from openbook.store.database import Store, among, chunked, stream
from openbook.store.log import insert_rows

TABLES = ("commercial_tool", "commercial_tool_member", "process_link")
TOOL_COLUMNS = ("process_id", "ocid", "kind", "start_date", "end_date", "lots", "recognised_by")
MEMBER_COLUMNS = (
    "process_id",
    "position",
    "award_id",
    "lot",
    "party_id",
    "name",
    "identifier",
    "state",
    "joined",
    "ended",
)
LINK_COLUMNS = ("process_id", "position", "relationship", "related_ocid", "related_lots", "awarded")


def index(store: Store, cursor, processes: Sequence[tuple[str, int, Summary | None]]) -> None:
    """Write the rows of the tools and call-offs among processes just compiled (their old rows
    are gone with their old search rows: openbook.store.search). Any other process costs a
    look at one attribute."""
    tools, members, links = [], [], []
    for ocid, seq, summary in processes:
        facts = summary.commercial_tool if summary is not None else None
        if facts is None:
            continue
        if facts.kind is not None:
            tools.append(
                (seq, ocid, facts.kind, facts.start, facts.end, facts.lots, facts.recognised)
            )
        for position, member in enumerate(facts.members):
            members.append(
                (
                    seq,
                    position,
                    member.award_id,
                    member.lot,
                    member.party_id,
                    member.name,
                    member.identifier,
                    member.state,
                    member.joined,
                    member.ended,
                )
            )
        for position, link in enumerate(facts.links):
            links.append(
                (
                    seq,
                    position,
                    link.relationship,
                    link.ocid,
                    "\n".join(link.lots),
                    orjson.dumps(dict(link.awarded)).decode(),
                )
            )
    for table, columns, rows in (
        ("commercial_tool", TOOL_COLUMNS, tools),
        ("commercial_tool_member", MEMBER_COLUMNS, members),
        ("process_link", LINK_COLUMNS, links),
    ):
        if rows:
            insert_rows(store, cursor, table, columns, rows)


# The databases (kind, name, host, port) whose register tables this process has
# found. Tables a migration made stay until a migration removes them, so a process looks once
# (a publish request compiled and indexed its processes with two looks); forgotten whenever a
# migration starts in this process (going back past 0015 drops them).
_READY: set[tuple] = set()


def _forget_ready(**kwargs) -> None:
    _READY.clear()


pre_migrate.connect(_forget_ready, dispatch_uid="openbook.store.commercial_tools.ready")


def ready(store: Store, cursor) -> bool:
    """Whether the register's tables exist: not while the migrations before theirs (0015) run,
    and 0014 compiles every process again with this code. One look at the catalogue per batch
    of processes indexed, until they are found (``_READY``)."""
    settings = store.connection.settings_dict
    database = (store.vendor, settings["NAME"], settings.get("HOST"), settings.get("PORT"))
    if database in _READY:
        return True
    if store.vendor == "postgresql":
        cursor.execute("SELECT to_regclass('process_link') IS NOT NULL")
    else:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table'"
            " AND name = 'process_link')"
        )
    found = bool(cursor.fetchone()[0])
    if found:
        _READY.add(database)
    return found


# Frameworks named by their call-offs (docs/commercial-tools.md): a framework whose own
# releases declare nothing is a tool because another process names it, so whether it is one
# changes when another process is compiled. Compiling reads ``named_frameworks`` for the
# processes it compiles; ``index`` then finds those whose rows are out of step with the links
# as they now stand (a call-off newly naming a held process, or the last call-off naming one
# withdrawn), to be compiled again.


def named_frameworks(store: Store, ocids: Sequence[str]) -> set[str]:
    """Which of these processes another process names as its framework (none before the
    register's tables exist: migration 0015)."""
    found: set[str] = set()
    with store.cursor() as cursor:
        if not ocids or not ready(store, cursor):
            return found
        for chunk in chunked(sorted(set(ocids)), 500):
            condition, params = among(store, "related_ocid", chunk)
            cursor.execute(
                f"SELECT DISTINCT related_ocid FROM process_link WHERE {condition}"
                " AND relationship = %s",
                [*params, CALL_OFF],
            )
            found.update(row[0] for row in cursor.fetchall())
    return found


def frameworks_named_by(store: Store, cursor, ocids: Sequence[str]) -> set[str]:
    """The frameworks these processes name, as their rows stand."""
    found: set[str] = set()
    for chunk in chunked(sorted(set(ocids)), 500):
        condition, params = among(store, "s.ocid", chunk)
        cursor.execute(
            "SELECT DISTINCT l.related_ocid FROM process_link l"
            f" JOIN process_search s ON s.id = l.process_id WHERE {condition}"
            " AND l.relationship = %s",
            [*params, CALL_OFF],
        )
        found.update(row[0] for row in cursor.fetchall())
    return found


def every_named(store: Store, cursor) -> list[str]:
    """Every process that some process names as its framework, held or not."""
    cursor.execute(
        "SELECT DISTINCT related_ocid FROM process_link WHERE relationship = %s", [CALL_OFF]
    )
    return [row[0] for row in cursor.fetchall()]


def out_of_step(store: Store, cursor, ocids: Sequence[str]) -> list[str]:
    """Those of these held processes to compile again: named as a framework with no tool row,
    or a tool only because it was named (BY_CALL_OFF) and named no more."""
    found: list[str] = []
    for chunk in chunked(sorted(set(ocids)), 500):
        condition, params = among(store, "s.ocid", chunk)
        cursor.execute(
            "SELECT s.ocid, t.recognised_by, EXISTS (SELECT 1 FROM process_link l"
            " WHERE l.related_ocid = s.ocid AND l.relationship = %s) FROM process_search s"
            f" LEFT JOIN commercial_tool t ON t.process_id = s.id WHERE {condition}",
            [CALL_OFF, *params],
        )
        found += [
            ocid
            for ocid, recognised_by, named in cursor.fetchall()
            if (named and recognised_by is None) or (not named and recognised_by == BY_CALL_OFF)
        ]
    return found


def candidates(store: Store) -> Iterator[tuple[str, str]]:
    """Compiled OCDS releases that may be tools or call-offs, as (ocid, JSON text): those whose
    text names techniques or related processes at all (a test of the text, before any parsing).
    Streamed."""
    from openbook.store.search import REGISTER  # here: the search module imports this one

    for ocid, text in records.compiled_releases(store, REGISTER):
        if '"relatedProcesses"' in text or '"techniques"' in text:
            yield ocid, text


@dataclass(frozen=True, slots=True)
class Tool:
    process_id: int  # process_search.id: the paging key
    ocid: str
    kind: str
    start_date: str | None
    end_date: str | None
    lots: int
    title: str | None
    buyer_id: str | None
    buyer_name: str | None
    published: str | None
    cpv: str  # listed, as process_search has it
    recognised_by: str  # techniques (it declares itself), or call-off (one names it)


@dataclass(frozen=True, slots=True)
class Filters:
    """What listed tools must match, all of it. ``today`` (YYYY-MM-DD) divides active from
    ended; ``title`` is matched lower-case, as a substring; ``cpv`` as the start of a code."""

    kind: str | None = None
    status: str | None = None  # active or ended
    today: str = ""
    cpv: str | None = None
    buyer: str | None = None  # SCHEME-ID of a buyer party
    member: str | None = None  # SCHEME-ID of a supplier awarded onto it
    title: str | None = None


_TOOL = (
    "t.process_id, t.ocid, t.kind, t.start_date, t.end_date, t.lots, s.title, s.buyer_id,"
    " s.buyer_name, s.published, s.cpv, t.recognised_by FROM commercial_tool t"
    " JOIN process_search s ON s.id = t.process_id"
)


def page(store: Store, filters: Filters, before: int | None, limit: int) -> list[Tool]:
    """Up to ``limit`` tools matching, the most recently changed first (by the search row's id,
    the log seq of the process's last release), from ``before`` (excluded): keyset paging."""
    where: list[str] = ["1 = 1"]
    params: list[object] = []
    if filters.kind:
        where.append("t.kind = %s")
        params.append(filters.kind)
    if filters.status == "active":
        where.append("(t.end_date IS NULL OR t.end_date >= %s)")
        params.append(filters.today)
    elif filters.status == "ended":
        where.append("t.end_date < %s")
        params.append(filters.today)
    if filters.cpv:
        position = "strpos" if store.vendor == "postgresql" else "instr"
        where.append(f"{position}(s.cpv, %s) > 0")
        params.append("\n" + filters.cpv)
    if filters.buyer:
        where.append(
            "t.process_id IN (SELECT process_id FROM process_party WHERE identifier = %s"
            " AND ' ' || roles || ' ' LIKE %s)"
        )
        params += [filters.buyer, "% buyer %"]
    if filters.member:
        where.append(
            "t.process_id IN (SELECT process_id FROM commercial_tool_member WHERE identifier = %s)"
        )
        params.append(filters.member)
    if filters.title:
        escaped = filters.title.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append("LOWER(s.title) LIKE %s ESCAPE '\\'")
        params.append(f"%{escaped}%")
    if before is not None:
        where.append("t.process_id < %s")
        params.append(before)
    with store.cursor() as cursor:
        cursor.execute(
            f"SELECT {_TOOL} WHERE {' AND '.join(where)} ORDER BY t.process_id DESC LIMIT %s",
            [*params, limit],
        )
        return [Tool(*row) for row in cursor.fetchall()]


def by_ocid(store: Store, ocid: str) -> Tool | None:
    with store.cursor() as cursor:
        cursor.execute(f"SELECT {_TOOL} WHERE t.ocid = %s", [ocid])
        row = cursor.fetchone()
    return Tool(*row) if row else None


def all_tools(store: Store) -> Iterator[Tool]:
    """Every tool, in ocid order; streamed."""
    for row in stream(store, f"SELECT {_TOOL} ORDER BY t.ocid", []):
        yield Tool(*row)


@dataclass(frozen=True, slots=True)
class MemberRow:
    process_id: int
    award_id: str | None
    lot: str | None
    party_id: str | None
    name: str | None
    identifier: str | None
    state: str
    joined: str | None
    ended: str | None


def members(
    store: Store, process_ids: Sequence[int], identifier: str | None = None
) -> list[MemberRow]:
    """The member rows of these tools (of one member only, given its identifier), in order."""
    found: list[MemberRow] = []
    with store.cursor() as cursor:
        for chunk in chunked(process_ids, 500):
            condition, params = among(store, "process_id", chunk)
            if identifier is not None:
                condition += " AND identifier = %s"
                params.append(identifier)
            cursor.execute(
                "SELECT process_id, award_id, lot, party_id, name, identifier, state, joined,"
                f" ended FROM commercial_tool_member WHERE {condition}"
                " ORDER BY process_id, position",
                params,
            )
            found.extend(MemberRow(*row) for row in cursor.fetchall())
    return found


def member_counts(store: Store, process_ids: Sequence[int]) -> dict[int, int]:
    """Per tool, its suppliers with an active award (each once, by identifier, else by party
    id, else by name)."""
    counts: dict[int, int] = {}
    with store.cursor() as cursor:
        for chunk in chunked(process_ids, 500):
            condition, params = among(store, "process_id", chunk)
            cursor.execute(
                "SELECT process_id, COUNT(DISTINCT COALESCE(identifier, party_id, name))"
                f" FROM commercial_tool_member WHERE {condition} AND state = 'active'"
                " GROUP BY process_id",
                params,
            )
            counts.update((int(pid), int(count)) for pid, count in cursor.fetchall())
    return counts


def call_off_counts(store: Store, ocids: Sequence[str]) -> dict[str, int]:
    """Per framework ocid, how many processes name it as their framework."""
    counts: dict[str, int] = {}
    with store.cursor() as cursor:
        for chunk in chunked(ocids, 500):
            condition, params = among(store, "related_ocid", chunk)
            cursor.execute(
                "SELECT related_ocid, COUNT(*) FROM process_link"
                f" WHERE {condition} AND relationship = %s GROUP BY related_ocid",
                [*params, CALL_OFF],
            )
            counts.update((ocid, int(count)) for ocid, count in cursor.fetchall())
    return counts


@dataclass(frozen=True, slots=True)
class CallOff:
    process_id: int
    ocid: str
    title: str | None
    buyer_id: str | None
    buyer_name: str | None
    published: str | None
    award_date: str | None
    lots: tuple[str, ...]  # the framework's lots it names
    awarded: dict[str, float]  # per currency ("" for none given)


def call_offs(store: Store, framework: str) -> list[CallOff]:
    """Every process naming ``framework`` as its own, the most recently changed first."""
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT l.process_id, s.ocid, s.title, s.buyer_id, s.buyer_name, s.published,"
            " s.award_date, l.related_lots, l.awarded FROM process_link l"
            " JOIN process_search s ON s.id = l.process_id"
            " WHERE l.related_ocid = %s AND l.relationship = %s ORDER BY l.process_id DESC",
            [framework, CALL_OFF],
        )
        return [
            CallOff(
                process_id=row[0],
                ocid=row[1],
                title=row[2],
                buyer_id=row[3],
                buyer_name=row[4],
                published=row[5],
                award_date=row[6],
                lots=tuple(row[7].split("\n")) if row[7] else (),
                awarded=orjson.loads(row[8]),
            )
            for row in cursor.fetchall()
        ]


def frameworks_named(store: Store, ocid: str) -> list[str]:
    """The frameworks a process names as its own (it is a call-off under them)."""
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT l.related_ocid FROM process_link l JOIN process_search s"
            " ON s.id = l.process_id WHERE s.ocid = %s AND l.relationship = %s"
            " ORDER BY l.position",
            [ocid, CALL_OFF],
        )
        return [row[0] for row in cursor.fetchall()]


def lineage(store: Store, process_id: int, ocid: str) -> list[tuple[str, str, str]]:
    """A tool's lineage links, as (direction, relationship, other ocid): "names" for those it
    names (its prior, its parent...), "named by" for processes naming it so."""
    kinds = list(LINEAGE)
    with store.cursor() as cursor:
        condition, params = among(store, "relationship", kinds)
        cursor.execute(
            "SELECT relationship, related_ocid FROM process_link"
            f" WHERE process_id = %s AND {condition} ORDER BY position",
            [process_id, *params],
        )
        found = [("names", relationship, other) for relationship, other in cursor.fetchall()]
        condition, params = among(store, "l.relationship", kinds)
        cursor.execute(
            "SELECT l.relationship, s.ocid FROM process_link l JOIN process_search s"
            f" ON s.id = l.process_id WHERE l.related_ocid = %s AND {condition}"
            " ORDER BY s.ocid, l.relationship",
            [ocid, *params],
        )
        found += [("named by", relationship, other) for relationship, other in cursor.fetchall()]
    return found


def titles(store: Store, ocids: Sequence[str]) -> dict[str, tuple[str | None, str | None]]:
    """Per ocid held, its title and, if it is a tool, its kind."""
    found: dict[str, tuple[str | None, str | None]] = {}
    with store.cursor() as cursor:
        for chunk in chunked(ocids, 500):
            condition, params = among(store, "s.ocid", chunk)
            cursor.execute(
                "SELECT s.ocid, s.title, t.kind FROM process_search s"
                f" LEFT JOIN commercial_tool t ON t.process_id = s.id WHERE {condition}",
                params,
            )
            found.update((ocid, (title, kind)) for ocid, title, kind in cursor.fetchall())
    return found


def suppliers(
    store: Store, process_ids: Sequence[int]
) -> dict[int, list[tuple[str | None, str | None]]]:
    """Per process, the (name, identifier) of its parties with the supplier role, in order."""
    found: dict[int, list[tuple[str | None, str | None]]] = {}
    with store.cursor() as cursor:
        for chunk in chunked(process_ids, 500):
            condition, params = among(store, "process_id", chunk)
            cursor.execute(
                "SELECT process_id, name, identifier FROM process_party"
                f" WHERE {condition} AND ' ' || roles || ' ' LIKE %s"
                " ORDER BY process_id, position",
                [*params, "% supplier %"],
            )
            for process_id, name, identifier in cursor.fetchall():
                found.setdefault(int(process_id), []).append((name, identifier))
    return found


def exists(store: Store, ocid: str) -> bool:
    """Whether a process of this ocid is in the search (compiled)."""
    with store.cursor() as cursor:
        cursor.execute("SELECT 1 FROM process_search WHERE ocid = %s", [ocid])
        return cursor.fetchone() is not None


def memberships(store: Store, identifier: str) -> int:
    """How many tools the organisation was awarded onto (in any state)."""
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(DISTINCT process_id) FROM commercial_tool_member WHERE identifier = %s",
            [identifier],
        )
        return int(cursor.fetchone()[0])
