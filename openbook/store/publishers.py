"""Publishers: organisations, accounts and their roles, API keys (stored as hashes), the ocids the
platform mints, and what the publish API reads of the log (openbook.publishing)."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from itertools import zip_longest

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q

from openbook.store import models
from openbook.store.database import Store, among, chunked, placeholders


class AlreadyExists(Exception):
    """A row with this unique identity is already stored; the message says which."""


@dataclass(frozen=True, slots=True)
class Organisation:
    id: int
    name: str
    scheme: str
    identifier: str
    party_id: str
    created_time: str

    @property
    def org_id(self) -> str:
        """Its identifier as OCDS writes one in a party id: ``SCHEME-ID``, such as GB-GOR-PB425."""
        return f"{self.scheme}-{self.identifier}"


@dataclass(frozen=True, slots=True)
class Key:
    """An API key as stored: never the secret, only its hash."""

    key_id: str
    organisation: Organisation
    name: str
    role: str
    secret_hash: str
    created_time: str
    created_by: str
    revoked_time: str | None
    last_used_time: str | None


@dataclass(frozen=True, slots=True)
class Account:
    username: str
    email: str
    roles: tuple[tuple[str, int | None], ...]  # (role, organisation id or None)


def _organisation(row: models.Organisation) -> Organisation:
    return Organisation(
        id=row.pk,
        name=row.name,
        scheme=row.scheme,
        identifier=row.identifier,
        party_id=row.party_id,
        created_time=row.created_time,
    )


def add_organisation(
    store: Store, name: str, scheme: str, identifier: str, *, party_id: str, now: str
) -> Organisation:
    """Register an organisation. Its identifier is one organisation's; so is its party id, and
    it may not be another's identifier (``SCHEME-ID``), nor its identifier another's party id:
    the publish API tells whose a release is by them (openbook.publishing.scope)."""
    objects = models.Organisation.objects.using(store.alias)
    try:
        with store.atomic() as cursor:
            if store.vendor == "postgresql":  # SQLite's write transactions are serial already
                cursor.execute("LOCK TABLE organisation IN SHARE ROW EXCLUSIVE MODE")
            taken = objects.filter(
                Q(scheme=scheme, identifier=identifier)
                | Q(party_id__in={party_id, f"{scheme}-{identifier}"})
                | Q(identifier__in={code for _, code in _as_identifiers([party_id])})
            )
            for row in taken.order_by("id"):
                clash = _clash(_organisation(row), scheme, identifier, party_id)
                if clash:
                    raise AlreadyExists(clash)
            row = objects.create(
                name=name, scheme=scheme, identifier=identifier, party_id=party_id, created_time=now
            )
    except IntegrityError:  # registered at the same moment by another command
        raise AlreadyExists(
            f"an organisation with the identifier {scheme}-{identifier} or the party id "
            f"{party_id} is already registered"
        ) from None
    return _organisation(row)


def _clash(other: Organisation, scheme: str, identifier: str, party_id: str) -> str | None:
    org_id = f"{scheme}-{identifier}"
    named = f"organisation {other.id} ({other.name})"
    if (other.scheme, other.identifier) == (scheme, identifier):
        return f"an organisation with the identifier {org_id} is already registered: {named}"
    if other.party_id == party_id:
        return f"the party id {party_id} is already that of {named}"
    if other.org_id == party_id:
        return f"the party id {party_id} is the identifier of {named}"
    if other.party_id == org_id:
        return f"the identifier {org_id} is the party id of {named}"
    return None


def _as_identifiers(texts: Collection[str]) -> set[tuple[str, str]]:
    """Each text that could be an identifier written ``SCHEME-ID`` read as one (scheme, id):
    the scheme, an org-id.guide list code, is two parts (GB-GOR), as ``Organisation.org_id``
    writes it."""
    split = (text.split("-", 2) for text in texts)
    return {(f"{parts[0]}-{parts[1]}", parts[2]) for parts in split if len(parts) == 3}


def organisations(store: Store) -> list[Organisation]:
    rows = models.Organisation.objects.using(store.alias).order_by("id")
    return [_organisation(row) for row in rows]


def organisation(store: Store, organisation_id: int) -> Organisation | None:
    row = models.Organisation.objects.using(store.alias).filter(pk=organisation_id).first()
    return _organisation(row) if row is not None else None


def organisation_by_identifier(store: Store, scheme: str, identifier: str) -> Organisation | None:
    row = (
        models.Organisation.objects.using(store.alias)
        .filter(scheme=scheme, identifier=identifier)
        .first()
    )
    return _organisation(row) if row is not None else None


def add_account(
    store: Store,
    username: str,
    role: str,
    *,
    organisation_id: int | None,
    email: str,
    now: str,
) -> Account:
    """Create the account if it does not exist (with no usable password: signing in comes with
    the web pages), and give it the role."""
    with transaction.atomic(using=store.alias):
        user, created = User.objects.db_manager(store.alias).get_or_create(
            username=username, defaults={"email": email}
        )
        if created:
            user.set_unusable_password()
            user.save(using=store.alias)
        models.Membership.objects.using(store.alias).get_or_create(
            user=user, organisation_id=organisation_id, role=role, defaults={"created_time": now}
        )
    found = account(store, username)
    assert found is not None
    return found


def account(store: Store, username: str) -> Account | None:
    user = User.objects.db_manager(store.alias).filter(username=username).first()
    if user is None:
        return None
    memberships = models.Membership.objects.using(store.alias).filter(user=user).order_by("id")
    return Account(
        username=user.username,
        email=user.email,
        roles=tuple((row.role, row.organisation_id) for row in memberships),
    )


def remove_role(store: Store, username: str, role: str, organisation_id: int | None) -> bool:
    """Take a role from an account; False if it did not hold it."""
    removed, _ = (
        models.Membership.objects.using(store.alias)
        .filter(user__username=username, role=role, organisation_id=organisation_id)
        .delete()
    )
    return bool(removed)


def holds(
    store: Store, username: str, role: str, organisation_id: int | None
) -> tuple[str, bool] | None:
    """An account's password hash and whether it still holds the role; None if there is no such
    account. One query: a signed-in session asks it on every page."""
    member = models.Membership.objects.using(store.alias).filter(
        user_id=OuterRef("pk"), role=role, organisation_id=organisation_id
    )
    row = (
        User.objects.db_manager(store.alias)
        .filter(username=username)
        .annotate(member=Exists(member))
        .values_list("password", "member")
        .first()
    )
    return (row[0], bool(row[1])) if row is not None else None


def set_password(store: Store, username: str, hashed: str) -> bool:
    """Store an account's password hash; False if there is no such account."""
    return bool(
        User.objects.db_manager(store.alias).filter(username=username).update(password=hashed)
    )


def password_hash(store: Store, username: str) -> str | None:
    """An account's stored password hash ("!..." when it has no usable password); None if there
    is no such account."""
    user = User.objects.db_manager(store.alias).filter(username=username).first()
    return user.password if user is not None else None


def accounts(store: Store) -> list[Account]:
    users = User.objects.db_manager(store.alias).order_by("username")
    return [found for user in users if (found := account(store, user.username)) is not None]


def add_key(store: Store, key: Key) -> None:
    with transaction.atomic(using=store.alias):
        models.ApiKey.objects.using(store.alias).create(
            key_id=key.key_id,
            organisation_id=key.organisation.id,
            name=key.name,
            role=key.role,
            secret_hash=key.secret_hash,
            created_time=key.created_time,
            created_by=key.created_by,
        )


def _key(row: models.ApiKey, organisation: Organisation) -> Key:
    return Key(
        key_id=row.key_id,
        organisation=organisation,
        name=row.name,
        role=row.role,
        secret_hash=row.secret_hash,
        created_time=row.created_time,
        created_by=row.created_by,
        revoked_time=row.revoked_time,
        last_used_time=row.last_used_time,
    )


# The organisation's columns as Organisation takes them, for the raw queries of every publish
# request (a Django query costs five times the CPU of the same SQL through a cursor: 0.53 ms
# against 0.11 for the key's).
_ORGANISATION = "o.id, o.name, o.scheme, o.identifier, o.party_id, o.created_time"


def key(store: Store, key_id: str) -> Key | None:
    """The key with this id, with its organisation (one query, on every publish request)."""
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT k.key_id, k.name, k.role, k.secret_hash, k.created_time, k.created_by,"
            f" k.revoked_time, k.last_used_time, {_ORGANISATION}"
            " FROM api_key k JOIN organisation o ON o.id = k.organisation_id WHERE k.key_id = %s",
            [key_id],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    key_id, name, role, secret_hash, created, created_by, revoked, last_used = row[:8]
    return Key(
        key_id=key_id,
        organisation=Organisation(*row[8:]),
        name=name,
        role=role,
        secret_hash=secret_hash,
        created_time=created,
        created_by=created_by,
        revoked_time=revoked,
        last_used_time=last_used,
    )


def keys(store: Store, organisation_id: int) -> list[Key]:
    found = organisation(store, organisation_id)
    if found is None:
        return []
    rows = models.ApiKey.objects.using(store.alias).filter(organisation_id=organisation_id)
    return [_key(row, found) for row in rows.order_by("created_time", "key_id")]


def revoke_key(store: Store, key_id: str, now: str) -> bool:
    """Revoke the key; False if it was revoked already (its revocation time stays the first)."""
    with transaction.atomic(using=store.alias):
        changed = (
            models.ApiKey.objects.using(store.alias)
            .filter(key_id=key_id, revoked_time__isnull=True)
            .update(revoked_time=now)
        )
    return bool(changed)


def touch_key(store: Store, key_id: str, now: str) -> None:
    """Record that the key was used (callers do this at most once a minute per key)."""
    models.ApiKey.objects.using(store.alias).filter(key_id=key_id).update(last_used_time=now)


def mint_ocid(store: Store, ocid: str, organisation_id: int, now: str) -> bool:
    """Record a newly minted ocid; False if that ocid was minted before (the caller draws again)."""
    try:
        with transaction.atomic(using=store.alias):
            models.MintedOcid.objects.using(store.alias).create(
                ocid=ocid, organisation_id=organisation_id, minted_time=now
            )
    except IntegrityError:
        return False
    return True


def scope_facts(
    store: Store,
    ocids: Sequence[str],
    ids: Collection[str],
    identifiers: Collection[tuple[str, str]],
) -> tuple[dict[str, int], list[Organisation]]:
    """What the publish API's scope check reads, in one query for a request (a query per 500
    values of each kind): the organisation each of these ocids was minted for (those minted
    here only), and the organisations whose party id or identifier (``SCHEME-ID``) is one of
    ``ids``, or whose identifier is one of ``identifiers`` (scheme, id)."""
    pairs = set(identifiers) | _as_identifiers(ids)
    texts = sorted(set(ids))
    codes = sorted({code for _, code in pairs})
    minted: dict[str, int] = {}
    found: dict[int, Organisation] = {}
    with store.cursor() as cursor:
        for wanted, named, coded in zip_longest(
            chunked(sorted(set(ocids)), 500), chunked(texts, 500), chunked(codes, 500)
        ):
            parts, parameters = [], []
            if wanted:
                condition, values = among(store, "ocid", wanted)
                parts.append(
                    "SELECT 'minted', organisation_id, ocid, NULL, NULL, NULL, NULL"
                    f" FROM minted_ocid WHERE {condition}"
                )
                parameters += values
            organisation_by = []
            for column, among_these in (("party_id", named), ("identifier", coded)):
                if among_these:
                    condition, values = among(store, f"o.{column}", among_these)
                    organisation_by.append(condition)
                    parameters += values
            if organisation_by:
                parts.append(
                    f"SELECT 'organisation', {_ORGANISATION} FROM organisation o"
                    f" WHERE {' OR '.join(organisation_by)}"
                )
            if not parts:
                continue
            cursor.execute(" UNION ALL ".join(parts), parameters)
            for kind, *row in cursor.fetchall():
                if kind == "minted":
                    minted[row[1]] = row[0]
                    continue
                organisation = Organisation(*row)
                # By party id, or by identifier when its scheme is one asked for too.
                if organisation.party_id in ids or (
                    (organisation.scheme, organisation.identifier) in pairs
                ):
                    found[organisation.id] = organisation
    return minted, [found[key] for key in sorted(found)]


@dataclass(frozen=True, slots=True)
class LoggedEntry:
    """An entry of a record's history as the publish API reads it (``process_log``)."""

    register: str
    statement_id: str
    seq: int
    body_hash: str
    log_time: str
    leaf_hash: str
    has_body: bool  # whether its body is stored: read for the ``body_register``'s entries only
    body: str | None  # JSON text; None once redacted, and for other registers' entries
    package_hash: str | None  # the package it came in, if any (``body_register``'s entries)


def process_log(
    store: Store, registers: Sequence[str], body_register: str, record_keys: Sequence[str]
) -> dict[str, list[LoggedEntry]]:
    """Every entry of these records in these registers, in log order, with the body and
    package hash of those of ``body_register``: what ``latest_seqs``, ``records.bodies``,
    ``marks.corrections`` and ``stored_entries`` read apart, in one query (a query per 500
    records): each record's entries come from one snapshot of the log, so its newest entry is
    the newest of those read. The package hash by a lookup of each row's review, not a join
    (``records.bodies`` says why)."""
    found: dict[str, list[LoggedEntry]] = {key: [] for key in record_keys}
    with store.cursor() as cursor:
        for chunk in chunked(sorted(set(record_keys)), 500):
            condition, parameters = among(store, "e.record_key", chunk)
            cursor.execute(
                "SELECT e.record_key, e.register, e.statement_id, e.seq, e.body_hash,"
                " e.log_time, e.leaf_hash, b.seq IS NOT NULL, b.body,"
                " CASE WHEN e.register = %s THEN"
                " (SELECT r.package_hash FROM review r WHERE r.seq = e.seq) END"
                " FROM log_entry e LEFT JOIN log_body b ON b.seq = e.seq AND e.register = %s"
                f" WHERE e.register IN ({placeholders(registers)}) AND {condition}"
                " ORDER BY e.record_key, e.seq",
                [body_register, body_register, *registers, *parameters],
            )
            for (
                key,
                register,
                statement_id,
                seq,
                body_hash,
                log_time,
                leaf,
                has_body,
                *rest,
            ) in cursor.fetchall():
                found[key].append(
                    LoggedEntry(
                        register,
                        statement_id,
                        int(seq),
                        body_hash,
                        log_time,
                        leaf,
                        bool(has_body),
                        *rest,
                    )
                )
    return found


def latest_seqs(
    store: Store, registers: Sequence[str], record_keys: Sequence[str]
) -> dict[str, int]:
    """The seq of the newest entry of each of these records in these registers, for those
    that have one. As nothing is appended but after every entry there is, a record whose newest
    entry is the same at two moments was not added to between them."""
    found: dict[str, int] = {}
    with store.cursor() as cursor:
        for chunk in chunked(sorted(set(record_keys)), 500):
            condition, parameters = among(store, "record_key", chunk)
            cursor.execute(
                "SELECT record_key, MAX(seq) FROM log_entry"
                f" WHERE register IN ({placeholders(registers)}) AND {condition}"
                " GROUP BY record_key",
                [*registers, *parameters],
            )
            found.update((record_key, int(seq)) for record_key, seq in cursor.fetchall())
    return found


@dataclass(frozen=True, slots=True)
class StoredEntry:
    seq: int
    body_hash: str
    log_time: str
    leaf_hash: str


def stored_entries(
    store: Store, register: str, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], StoredEntry]:
    """The log entries of these (record key, statement id) pairs, those that exist."""
    wanted = set(keys)
    found: dict[tuple[str, str], StoredEntry] = {}
    record_keys = sorted({record_key for record_key, _ in wanted})
    with store.cursor() as cursor:
        for chunk in chunked(record_keys, 500):
            condition, parameters = among(store, "record_key", chunk)
            cursor.execute(
                "SELECT record_key, statement_id, seq, body_hash, log_time, leaf_hash"
                f" FROM log_entry WHERE register = %s AND {condition}",
                [register, *parameters],
            )
            for record_key, statement_id, seq, body_hash, log_time, leaf_hash in cursor:
                if (record_key, statement_id) in wanted:
                    found[(record_key, statement_id)] = StoredEntry(
                        int(seq), body_hash, log_time, leaf_hash
                    )
    return found


def review_counts(store: Store, ocids: Sequence[str]) -> dict[str, tuple[int, int]]:
    """Errors and warnings the review found in each process's releases, by ocid (for the
    publisher's dashboard: a page of processes at a time)."""
    found: dict[str, tuple[int, int]] = {}
    if not ocids:
        return found
    marks = ", ".join(["%s"] * len(ocids))
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT e.record_key, SUM(r.errors), SUM(r.warnings) FROM log_entry e"
            " JOIN review r ON r.seq = e.seq"
            f" WHERE e.register = 'ocds' AND e.record_key IN ({marks}) GROUP BY e.record_key",
            list(ocids),
        )
        for ocid, errors, warnings in cursor.fetchall():
            found[ocid] = (int(errors or 0), int(warnings or 0))
    return found
