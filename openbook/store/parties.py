"""Organisations as the parties of processes mention them (``process_party``, written with the
process search by openbook.store.search): one organisation is every mention of one identifier."""

from dataclasses import dataclass, replace

from openbook.store.database import Store

# Name keys of parties without identifiers considered for candidates, at most.
CANDIDATE_POOL = 2000


@dataclass(frozen=True, slots=True)
class NameSeen:
    name: str
    processes: int
    first_published: str | None
    last_published: str | None


@dataclass(frozen=True, slots=True)
class ProcessMention:
    process_id: int  # process_search.id: the paging key
    ocid: str
    title: str | None
    published: str | None
    roles: tuple[str, ...]
    awarded_amount: float | None
    awarded_currency: str | None


def names(store: Store, identifier: str) -> list[NameSeen]:
    """The names an identifier is given, the most used first, with when each was published."""
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT p.name, COUNT(DISTINCT p.process_id), MIN(s.published), MAX(s.published)"
            " FROM process_party p JOIN process_search s ON s.id = p.process_id"
            " WHERE p.identifier = %s AND p.name IS NOT NULL"
            " GROUP BY p.name ORDER BY COUNT(DISTINCT p.process_id) DESC, p.name LIMIT 100",
            [identifier],
        )
        return [NameSeen(*row) for row in cursor.fetchall()]


def role_counts(store: Store, identifier: str) -> dict[str, int]:
    """Per role, the processes in which the identifier's organisation has it."""
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT roles, COUNT(DISTINCT process_id) FROM process_party"
            " WHERE identifier = %s GROUP BY roles",
            [identifier],
        )
        counts: dict[str, int] = {}
        for roles, count in cursor.fetchall():
            for role in roles.split() or ["(none)"]:
                counts[role] = counts.get(role, 0) + count
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def process_count(store: Store, identifier: str) -> int:
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(DISTINCT process_id) FROM process_party WHERE identifier = %s",
            [identifier],
        )
        return int(cursor.fetchone()[0])


def awarded(store: Store, identifier: str) -> list[tuple[str | None, float, int]]:
    """Per currency, the value of the awards naming the organisation, and in how many
    processes."""
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT awarded_currency, SUM(awarded_amount), COUNT(DISTINCT process_id)"
            " FROM process_party WHERE identifier = %s AND awarded_amount IS NOT NULL"
            " GROUP BY awarded_currency ORDER BY SUM(awarded_amount) DESC",
            [identifier],
        )
        return [(currency, float(total), int(count)) for currency, total, count in cursor]


def processes(
    store: Store, identifier: str, before: int | None, limit: int
) -> list[ProcessMention]:
    """The processes that mention the organisation, the most recently changed first (by the
    search row's id, the log seq of its last release), from ``before`` (excluded)."""
    condition = "identifier = %s"
    parameters: list[object] = [identifier]
    if before is not None:
        condition += " AND process_id < %s"
        parameters.append(before)
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT p.process_id, s.ocid, s.title, s.published, p.roles, p.awarded_amount,"
            " p.awarded_currency FROM process_party p JOIN process_search s ON s.id = p.process_id"
            " WHERE p.identifier = %s AND p.process_id IN (SELECT DISTINCT process_id"
            f" FROM process_party WHERE {condition} ORDER BY process_id DESC LIMIT %s)"
            " ORDER BY p.process_id DESC, p.position",
            [identifier, *parameters, limit],
        )
        found: dict[int, ProcessMention] = {}
        for row in cursor.fetchall():
            seen = found.get(row[0])
            roles = tuple(sorted({*row[4].split(), *(seen.roles if seen else ())}))
            if seen is None:
                found[row[0]] = ProcessMention(
                    row[0], row[1], row[2], row[3], roles, row[5], row[6]
                )
            else:  # the organisation is several parties of the process
                found[row[0]] = replace(seen, roles=roles)
    return list(found.values())


def unidentified_names(store: Store, first_words: list[str]) -> list[tuple[str, str, int]]:
    """Name keys of parties without an identifier that begin with one of these words, each
    with a name as written and how many mentions: the pool candidates are drawn from. Read
    without an index (a prefix of a text key is not one on every collation); at most
    CANDIDATE_POOL."""
    if not first_words:
        return []
    tests = " OR ".join(["name_key = %s OR substr(name_key, 1, %s) = %s"] * len(first_words))
    parameters: list = []
    for word in first_words:
        parameters += [word, len(word) + 1, word + " "]
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT name_key, MIN(name), COUNT(*) FROM process_party"
            f" WHERE identifier IS NULL AND ({tests}) GROUP BY name_key"
            " ORDER BY COUNT(*) DESC, name_key LIMIT %s",
            [*parameters, CANDIDATE_POOL],
        )
        return [(key, name, int(count)) for key, name, count in cursor.fetchall()]


def suppliers_of(store: Store, ocid: str) -> list[tuple[str | None, str | None]]:
    """(name, identifier) of the parties of a process with the supplier role, in order."""
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT p.name, p.identifier FROM process_party p"
            " JOIN process_search s ON s.id = p.process_id"
            " WHERE s.ocid = %s AND p.roles LIKE %s ORDER BY p.position",
            [ocid, "%supplier%"],
        )
        return [(name, identifier) for name, identifier in cursor.fetchall()]


# The organisation pages (docs/pages.md): an organisation's processes in one role, its awards
# by year, and organisations found by the start of a name.


@dataclass(frozen=True, slots=True)
class RoleMention:
    """A process in which the organisation has a role, with what the search row says of it."""

    process_id: int  # process_search.id: the paging key
    ocid: str
    title: str | None
    published: str | None
    buyer_id: str | None
    buyer_name: str | None
    value_amount: float | None
    value_currency: str | None
    stage: str | None
    status: str | None
    award_date: str | None
    awarded_amount: float | None  # the awards naming the organisation among their suppliers
    awarded_currency: str | None


def processes_as(
    store: Store, identifier: str, role: str, before: int | None, limit: int
) -> list[RoleMention]:
    """The processes in which the organisation has ``role``, the most recently changed first,
    from ``before`` (excluded): read through the identifier's index, at most ``limit``."""
    condition = "identifier = %s AND ' ' || roles || ' ' LIKE %s"
    parameters: list[object] = [identifier, f"% {role} %"]
    if before is not None:
        condition += " AND process_id < %s"
        parameters.append(before)
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT s.id, s.ocid, s.title, s.published, s.buyer_id, s.buyer_name,"
            " s.value_amount, s.value_currency, s.stage, s.status, s.award_date,"
            " MAX(p.awarded_amount), MAX(p.awarded_currency)"
            " FROM process_search s JOIN process_party p"
            " ON p.process_id = s.id AND p.identifier = %s"
            " WHERE s.id IN (SELECT DISTINCT process_id FROM process_party"
            f" WHERE {condition} ORDER BY process_id DESC LIMIT %s)"
            " GROUP BY s.id, s.ocid, s.title, s.published, s.buyer_id, s.buyer_name,"
            " s.value_amount, s.value_currency, s.stage, s.status, s.award_date"
            " ORDER BY s.id DESC",
            [identifier, *parameters, limit],
        )
        return [RoleMention(*row) for row in cursor.fetchall()]


def awarded_by_year(store: Store, identifier: str) -> list[tuple[str, str | None, float, int]]:
    """(year, currency, value, processes) of the awards naming the organisation as a supplier,
    by the year of the process's award date (its publication's where it gives none), the
    earliest year first."""
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT substr(COALESCE(s.award_date, s.published), 1, 4) AS year,"
            " p.awarded_currency, SUM(p.awarded_amount), COUNT(DISTINCT p.process_id)"
            " FROM process_party p JOIN process_search s ON s.id = p.process_id"
            " WHERE p.identifier = %s AND p.awarded_amount IS NOT NULL"
            " AND COALESCE(s.award_date, s.published) IS NOT NULL"
            " GROUP BY substr(COALESCE(s.award_date, s.published), 1, 4), p.awarded_currency"
            " ORDER BY year, p.awarded_currency",
            [identifier],
        )
        return [(year, currency, float(total), int(n)) for year, currency, total, n in cursor]


@dataclass(frozen=True, slots=True)
class NamedOrganisation:
    name_key: str
    identifier: str
    name: str  # a name it is given under this key, as written
    roles: tuple[str, ...]  # the roles of the mentions read


# Mentions read for a page of organisations found by name, at most: the scan stays bounded
# however common the start of the name (a page may then hold fewer, with a next).
NAME_SCAN = 2000


def named_starting(
    store: Store, prefix: str, after: tuple[str, str] | None, limit: int
) -> tuple[list[NamedOrganisation], tuple[str, str] | None]:
    """Organisations (by identifier) given a name whose key begins with ``prefix``, in (name
    key, identifier) order from after ``after``, and the (name key, identifier) to continue
    from; None when there are no more. Read as a range of the name key's index (name keys
    are lower-case letters, digits and spaces), the prefix then checked exactly."""
    conditions = [
        "name_key >= %s",
        "name_key < %s",
        "substr(name_key, 1, %s) = %s",
        "identifier IS NOT NULL",
    ]
    parameters: list[object] = [prefix, prefix + "\uffff", len(prefix), prefix]
    if after is not None:
        conditions.append("(name_key > %s OR (name_key = %s AND identifier > %s))")
        parameters += [after[0], after[0], after[1]]
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT name_key, identifier, name, roles FROM process_party"
            f" WHERE {' AND '.join(conditions)} ORDER BY name_key, identifier LIMIT %s",
            [*parameters, NAME_SCAN],
        )
        rows = cursor.fetchall()
    found: dict[tuple[str, str], NamedOrganisation] = {}
    for key, identifier, name, roles in rows:
        seen = found.get((key, identifier))
        if seen is None:
            found[(key, identifier)] = NamedOrganisation(
                key, identifier, name or "", tuple(sorted(set(roles.split())))
            )
        else:
            merged = tuple(sorted({*seen.roles, *roles.split()}))
            found[(key, identifier)] = replace(seen, roles=merged)
    listed = list(found.values())
    if len(listed) > limit:
        listed = listed[:limit]
    elif len(rows) < NAME_SCAN or not listed:
        return listed, None
    last = listed[-1]
    return listed, (last.name_key, last.identifier)


def newest_with_role(store: Store, role: str) -> str | None:
    """The identifier of an organisation with ``role`` in the most recently changed process
    that gives one: read backwards through the primary key, a few rows at most in practice."""
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT identifier FROM process_party WHERE identifier IS NOT NULL"
            " AND ' ' || roles || ' ' LIKE %s ORDER BY process_id DESC, position LIMIT 1",
            [f"% {role} %"],
        )
        row = cursor.fetchone()
    return row[0] if row else None
