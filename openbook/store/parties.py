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
