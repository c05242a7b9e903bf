"""Supplier sign-ups (``supplier_signup``, openbook.supplier_signup): the one-time links sent to
email addresses that asked to register a supplier, each kept as its token's SHA-256."""

from dataclasses import dataclass

from openbook.store.database import Store

_COLUMNS = "id, email, created_time, used_time"


@dataclass(frozen=True, slots=True)
class Signup:
    id: int
    email: str
    created_time: str
    used_time: str | None


def add(store: Store, email: str, token_hash: str | None, created_time: str) -> int:
    """A request from ``email``; ``token_hash`` None when no link was sent (the address has an
    account already): it counts for the hourly limit all the same."""
    with store.atomic() as cursor:
        cursor.execute(
            "INSERT INTO supplier_signup (email, token_hash, created_time) VALUES (%s, %s, %s)",
            [email, token_hash, created_time],
        )
        cursor.execute(
            "SELECT id FROM supplier_signup WHERE email = %s AND created_time = %s"
            " ORDER BY id DESC",
            [email, created_time],
        )
        return int(cursor.fetchone()[0])


def requests_since(store: Store, email: str, since: str) -> int:
    """How many requests the address made from ``since`` (a log time) on."""
    with store.atomic() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM supplier_signup WHERE email = %s AND created_time >= %s",
            [email, since],
        )
        return int(cursor.fetchone()[0])


def by_token_hash(store: Store, token_hash: str) -> Signup | None:
    with store.atomic() as cursor:
        cursor.execute(
            f"SELECT {_COLUMNS} FROM supplier_signup WHERE token_hash = %s", [token_hash]
        )
        row = cursor.fetchone()
    return Signup(*row) if row is not None else None


def get(store: Store, signup_id: int) -> Signup | None:
    with store.atomic() as cursor:
        cursor.execute(f"SELECT {_COLUMNS} FROM supplier_signup WHERE id = %s", [signup_id])
        row = cursor.fetchone()
    return Signup(*row) if row is not None else None


def use(store: Store, signup_id: int, token_hash: str, used_time: str) -> bool:
    """Mark the link used, once: False if it was used already (by another request too)."""
    with store.atomic() as cursor:
        cursor.execute(
            "UPDATE supplier_signup SET used_time = %s"
            " WHERE id = %s AND token_hash = %s AND used_time IS NULL",
            [used_time, signup_id, token_hash],
        )
        return cursor.rowcount == 1


def remove(store: Store, signup_id: int) -> None:
    with store.atomic() as cursor:
        cursor.execute("DELETE FROM supplier_signup WHERE id = %s", [signup_id])


def remove_before(store: Store, before: str) -> int:
    """Delete the requests made before ``before`` (a log time), addresses and all."""
    with store.atomic() as cursor:
        cursor.execute("DELETE FROM supplier_signup WHERE created_time < %s", [before])
        return cursor.rowcount
