"""What the log holds of the processes a contracts register names (openbook.lgtc): the ids of
each one's releases in log order, so that loading a register again appends only what changed."""

from collections.abc import Sequence

from openbook.store.database import Store, among, chunked


def release_ids(store: Store, register: str, ocids: Sequence[str]) -> dict[str, list[str]]:
    """The statement ids of each of these records, in log order (a query per 500 records);
    records the log does not hold are left out."""
    found: dict[str, list[str]] = {}
    with store.cursor() as cursor:
        for chunk in chunked(sorted(set(ocids)), 500):
            condition, params = among(store, "record_key", chunk)
            cursor.execute(
                "SELECT record_key, statement_id FROM log_entry"
                f" WHERE register = %s AND {condition} ORDER BY seq",
                [register, *params],
            )
            for ocid, statement_id in cursor.fetchall():
                found.setdefault(ocid, []).append(statement_id)
    return found
