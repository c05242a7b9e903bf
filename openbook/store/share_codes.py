"""Share codes: a supplier's grants to buyers to read its private information
(openbook.suppliers). Only the SHA-256 of a code's secret is kept."""

from dataclasses import dataclass

from openbook.store import models
from openbook.store.database import Store


@dataclass(frozen=True, slots=True)
class ShareCode:
    code_id: str
    supplier: str
    buyer_id: int
    secret_hash: str
    created_time: str
    expires: str
    revoked_time: str | None


def _code(row: models.ShareCode) -> ShareCode:
    return ShareCode(
        code_id=row.code_id,
        supplier=row.supplier,
        buyer_id=row.buyer_id,
        secret_hash=row.secret_hash,
        created_time=row.created_time,
        expires=row.expires,
        revoked_time=row.revoked_time,
    )


def add(store: Store, code: ShareCode) -> None:
    models.ShareCode.objects.using(store.alias).create(
        code_id=code.code_id,
        supplier=code.supplier,
        buyer_id=code.buyer_id,
        secret_hash=code.secret_hash,
        created_time=code.created_time,
        expires=code.expires,
        revoked_time=code.revoked_time,
    )


def get(store: Store, code_id: str) -> ShareCode | None:
    row = models.ShareCode.objects.using(store.alias).filter(code_id=code_id).first()
    return _code(row) if row is not None else None


def of_supplier(store: Store, supplier: str) -> list[ShareCode]:
    rows = models.ShareCode.objects.using(store.alias).filter(supplier=supplier)
    return [_code(row) for row in rows.order_by("created_time", "code_id")]


def revoke(store: Store, code_id: str, now: str) -> bool:
    """False if it was revoked already."""
    changed = (
        models.ShareCode.objects.using(store.alias)
        .filter(code_id=code_id, revoked_time__isnull=True)
        .update(revoked_time=now)
    )
    return changed == 1
