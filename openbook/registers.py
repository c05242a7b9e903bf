"""Recording and reading the registers people enter: the central debarment list, complaints and
legal challenges (openbook.standards.registers; docs/registers.md).

Recording a version of an entry (``record``) checks it field by field, then against what the
platform knows (the supplier a debarment names, the process and lot a complaint is about, whose
that process is), and, holding the log's lock, appends it as the entry's next statement and
writes the entry's row, with the audit event, in one transaction. A change names the version it
changes (``replaces``); if another change came first it is refused, never silently overwritten.
Sending an entry exactly as it stands records nothing (idempotent).
"""

import hashlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import orjson

from openbook.publishing import scope
from openbook.publishing.answers import Problem, Refused
from openbook.publishing.publishers import ADMINISTRATOR, SUPPLIER, Actor
from openbook.standards import identifiers
from openbook.standards.canonical import canonical_json
from openbook.standards.log import format_log_time
from openbook.standards.registers import (
    Register,
    by_code,
    describe,
    entry_id,
    fields,
    statement_body,
    suppliers,
)
from openbook.standards.registers.debarment import REGISTER as DEBARMENT
from openbook.standards.registers.suppliers import REGISTER as SUPPLIERS
from openbook.store import audit, log, parties, publishers, records
from openbook.store import registers as stored
from openbook.store.database import Store
from openbook.store.publishers import Organisation
from openbook.store.search import REGISTER as OCDS

REGISTERS = by_code()
MAX_LIMIT = 500


class UnknownRegister(Exception):
    pass


class UnknownEntry(Exception):
    pass


class InvalidFilter(Exception):
    """A filter that cannot match anything as written; the message says why."""


@dataclass(frozen=True, slots=True)
class Recorded:
    entry: stored.Entry
    outcome: str  # "created", "updated" or "unchanged"


def register(code: str) -> Register:
    if code not in REGISTERS:
        raise UnknownRegister(
            f"there is no register {code[:40]!r}; the registers are: {', '.join(REGISTERS)}"
        )
    return REGISTERS[code]


def record(
    store: Store,
    code: str,
    sent: object,
    *,
    organisation: Organisation,
    role: str,
    actor: Actor,
    entry_id_: str | None = None,
    replaces: int | None = None,
    new_id: str | None = None,
    now: datetime | None = None,
) -> Recorded:
    """Record a new entry (``entry_id_`` None; numbered in order, or ``new_id``) or a new
    version of one, which must name the version it ``replaces``. Raises ``Refused`` with every
    problem, having stored nothing."""
    kept = register(code)
    _check_role(kept, role, organisation, entry_id_)
    entry, problems = fields.read(sent, kept.fields)
    if not problems:
        problems = kept.rules(entry)
    found = [Problem(p.path, p.code, p.message, "error", True) for p in problems]
    if not found:
        found = _known(store, kept, entry, organisation, role)
    if found:
        raise Refused(
            422,
            "invalid",
            f"nothing was recorded: {len(found)} problem{'s' if len(found) > 1 else ''} must be "
            "put right first (each has a pointer into what was sent, and a message)",
            found,
        )
    with store.atomic():
        log.lock(store)
        return _append(
            store,
            kept,
            entry,
            organisation=organisation,
            role=role,
            actor=actor,
            entry_id_=entry_id_,
            replaces=replaces,
            new_id=new_id,
            now=now,
        )


def _append(
    store: Store,
    kept: Register,
    entry: dict,
    *,
    organisation: Organisation,
    role: str,
    actor: Actor,
    entry_id_: str | None,
    replaces: int | None,
    new_id: str | None,
    now: datetime | None,
) -> Recorded:
    """Under the log's lock: number, append and write."""
    if entry_id_ is None:
        current = None
        key, version = new_id or entry_id(kept, stored.count(store, kept.code) + 1), 1
    else:
        current = stored.get(store, kept.code, entry_id_)
        if current is None:
            raise UnknownEntry(f"the {kept.title.lower()} has no entry {entry_id_[:40]!r}")
        _check_owner(store, kept, current, organisation, role)
        if replaces != current.version:
            raise Refused(
                409,
                "version-changed",
                f"{entry_id_} is at version {current.version} (recorded {current.updated_time}), "
                f"not {replaces}: read it again, and send your change with If-Match: "
                f'"{current.version}"',
            )
        if kept is SUPPLIERS and role == SUPPLIER:
            if "selfDeclared" not in entry and "selfDeclared" in current.entry:
                # The administrators' field: a supplier's change left without it keeps it.
                entry["selfDeclared"] = list(current.entry["selfDeclared"])
            _check_identifiers_kept(current, entry)
        same = {name: value for name, value in current.entry.items() if name != "private"}
        if same == _public(kept, entry) and _private_unchanged(store, current, entry):
            return Recorded(current, "unchanged")
        key, version = entry_id_, current.version + 1
    disputed: dict[str, list[str]] = {}
    if kept is SUPPLIERS:
        disputed = _check_identifiers_free(store, key, entry, current)
    time = format_log_time(now or datetime.now(UTC))
    recorded_by = {
        "organisation": {"id": organisation.org_id, "name": organisation.name},
        "role": role,
    }
    logged_entry = _public(kept, entry)
    if kept is SUPPLIERS:
        # The log keeps a salted hash of the private part: provable later, never disclosed.
        salt = secrets.token_hex(16)
        private = suppliers.private(entry)
        logged_entry["private"] = {"sha256": _commitment(salt, private)}
        stored.save_private(store, key, version, salt, private)
    body = canonical_json(statement_body(kept, key, version, logged_entry, recorded_by))
    appended = log.append(
        store,
        kept.code,
        [
            log.Statement(
                record_key=key,
                statement_id=str(version),
                statement_date=time,
                body=body,
                body_hash=hashlib.sha256(body).hexdigest(),
                problems=[],
                source=f"{kept.code} {actor.who}",
            )
        ],
        organisation.name,
        now,
        compiled=False,
        locked=True,
    )
    seq = appended.entries[0][1]
    logged = publishers.stored_entries(store, kept.code, [(key, str(version))])[(key, str(version))]
    indexed = kept.indexed(entry)
    named = (key, *indexed.organisations) if kept is SUPPLIERS else indexed.organisations
    if indexed.ocid is not None:  # the process's buyer is named by it too
        named = tuple(dict.fromkeys([*named, *_buyer_identifiers(store, indexed.ocid)]))
    row = stored.Entry(
        register=kept.code,
        entry_id=key,
        version=version,
        seq=seq,
        created_time=current.created_time if current else logged.log_time,
        updated_time=logged.log_time,
        organisation_id=organisation.id,
        entry=logged_entry,
        organisations=named,
        ocid=indexed.ocid,
        status=indexed.status,
        start_date=indexed.start,
        end_date=indexed.end,
    )
    stored.save(store, row)  # under the lock, version - 1 is the newest: it cannot fail
    audit.record(
        store,
        actor=actor.who,
        action=f"register.{kept.code}",
        subject=key,
        organisation_id=organisation.id,
        address=actor.address,
        detail={"created": [seq], "version": version},
        now=now,
    )
    for identifier, others in disputed.items():  # put to the administrators
        audit.record(
            store,
            actor=actor.who,
            action=DISPUTED,
            subject=identifier,
            organisation_id=organisation.id,
            address=actor.address,
            detail={
                "claimedBy": key,
                "claim": suppliers.claim(entry, identifier),
                "alsoClaimedBy": others,
            },
            now=now,
        )
    return Recorded(row, "created" if version == 1 else "updated")


def _check_role(
    kept: Register, role: str, organisation: Organisation, entry_id_: str | None
) -> None:
    if kept is DEBARMENT and role != ADMINISTRATOR:
        raise Refused(
            403,
            "role-required",
            "the debarment list is kept by platform administrators: this needs an "
            "administrator key",
        )
    if kept is SUPPLIERS and role != ADMINISTRATOR:
        if role != SUPPLIER or entry_id_ is None:
            raise Refused(
                403,
                "role-required",
                "suppliers are registered by platform administrators, and then keep their own "
                "entry with their supplier key",
            )
        if organisation.party_id != entry_id_:
            raise Refused(
                403,
                "other-supplier",
                f"this key is {organisation.party_id}'s: a supplier changes only its own entry",
            )


def _check_identifiers_kept(current: stored.Entry, entry: dict) -> None:
    """A supplier's identifiers are checked by administrators when it registers: a supplier
    key cannot add one (it could claim another company's, and block its registration) nor drop
    one (the one it was debarred under, say), nor say which are verified (``selfDeclared``)."""
    before = sorted(current.entry.get("identifiers") or [])
    after = sorted(entry.get("identifiers") or [])
    claimed = sorted(suppliers.self_declared(current.entry))
    if before != after or claimed != sorted(suppliers.self_declared(entry)):
        raise Refused(
            403,
            "identifiers-locked",
            "a supplier's identifiers are checked by the platform's administrators: send "
            f"identifiers as they stand ({', '.join(before) or 'none'}) and selfDeclared as it "
            f"stands ({', '.join(claimed) or 'none'}), and ask the administrators to add, "
            "verify or remove one",
        )


def _public(kept: Register, entry: dict) -> dict:
    return suppliers.public(entry) if kept is SUPPLIERS else dict(entry)


def _private_unchanged(store: Store, current: stored.Entry, entry: dict) -> bool:
    if current.register != SUPPLIERS.code:
        return True
    kept = stored.private(store, current.entry_id, current.version)
    return kept is not None and kept[1] == suppliers.private(entry)


def _commitment(salt: str, private: dict) -> str:
    return hashlib.sha256(canonical_json({"salt": salt, "private": private})).hexdigest()


# a supplier's claim to an identifier another supplier claims without proof.
DISPUTED = "supplier.identifier-disputed"


def _check_identifiers_free(
    store: Store, key: str, entry: dict, current: stored.Entry | None
) -> dict[str, list[str]]:
    """A supplier registers once: none of its identifiers may be another supplier's. An
    identifier another supplier only declared itself (unverified: docs/suppliers.md) does not
    block, since anyone can claim any number: both claims stand, and the clash is returned, as
    each identifier newly given with the suppliers already claiming it, to be put to the
    administrators."""
    given = entry.get("identifiers") or []
    new = set(given) - set(current.entry.get("identifiers") or [] if current else [])
    disputed: dict[str, list[str]] = {}
    for holder in stored.naming(store, SUPPLIERS.code, given):
        if holder.entry_id == key:
            continue
        taken = sorted(set(given) & set(holder.organisations))
        claimed = suppliers.self_declared(holder.entry)
        if all(identifier in claimed for identifier in taken):
            for identifier in sorted(set(taken) & new):
                disputed.setdefault(identifier, []).append(holder.entry_id)
            continue
        taken = [identifier for identifier in taken if identifier not in claimed]
        raise Refused(
            409,
            "identifier-held",
            f"{', '.join(taken)} is registered to supplier {holder.entry_id} "
            f"({holder.entry.get('legalName')}): a supplier registers once. If that entry is "
            "this supplier's, keep it up to date with its supplier key; if the identifier is "
            "wrong there, ask the platform's administrators to correct it",
        )
    return disputed


def _known(
    store: Store, kept: Register, entry: dict, organisation: Organisation, role: str
) -> list[Problem]:
    """What the entry names must be known to the platform."""
    if kept is SUPPLIERS:
        return []
    if kept is DEBARMENT:
        supplier = entry["supplier"]["identifier"]
        if parties.process_count(store, supplier) == 0 and not _registered(store, supplier):
            return [
                Problem(
                    "/supplier/identifier",
                    "unknown-supplier",
                    f"no process names {supplier} and no organisation is registered with it: "
                    "check the identifier (the supplier's own, such as its Companies House "
                    "number), or register the supplier first",
                    "error",
                    True,
                )
            ]
        return []
    ocid = entry["ocid"]
    found = records.get(store, OCDS, ocid)
    if found is None or found.compiled is None:
        return [
            Problem(
                "/ocid",
                "unknown-ocid",
                f"no process {ocid} is published here: check the ocid (it is on the process's "
                "notices), and publish the process first if it is yours",
                "error",
                True,
            )
        ]
    compiled = orjson.loads(found.compiled)
    if role != ADMINISTRATOR and not _buyer_is(compiled, organisation):
        raise Refused(
            403,
            "other-organisation",
            f"{ocid} is not {organisation.name}'s process: a contracting authority records "
            "complaints and challenges about its own processes (administrators, about any)",
        )
    problems = []
    lot = entry.get("lot")
    if lot is not None:
        tender = compiled.get("tender")
        given = tender.get("lots") if isinstance(tender, dict) else None
        lots = [str(each.get("id")) for each in given or () if isinstance(each, dict)]
        if lot not in lots:
            known = f"its lots are {', '.join(lots[:20])}" if lots else "it has no lots"
            problems.append(
                Problem("/lot", "unknown-lot", f"{ocid} has no lot {lot!r}: {known}", "error", True)
            )
    return problems


def _buyer_identifiers(store: Store, ocid: str) -> list[str]:
    """The identifiers of the process's buyer: its party's, and its id where that is one."""
    found = records.get(store, OCDS, ocid)
    if found is None or found.compiled is None:
        return []
    buyer = scope.buyer_of(orjson.loads(found.compiled))
    if buyer is None:
        return []
    given = [f"{scheme}-{id_}" for scheme, id_ in sorted(buyer.identifiers)]
    given += sorted(buyer.ids)
    named = []
    for text in given:
        checked = identifiers.check_party_id(text)
        if checked.identifier is not None:
            named.append(str(checked.identifier))
    return named


def _buyer_is(compiled: dict, organisation: Organisation) -> bool:
    buyer = scope.buyer_of(compiled)
    return buyer is not None and scope.names(buyer, organisation)


def _registered(store: Store, identifier: str) -> bool:
    """Whether a supplier or a publisher is registered with the identifier."""
    if stored.naming(store, SUPPLIERS.code, [identifier]):
        return True
    checked = identifiers.check_party_id(identifier)
    found = checked.identifier
    return found is not None and (
        publishers.organisation_by_identifier(store, found.scheme, found.id) is not None
    )


def _check_owner(
    store: Store, kept: Register, current: stored.Entry, organisation: Organisation, role: str
) -> None:
    """An authority changes only its own processes' entries (a supplier only its own entry:
    ``_check_role``)."""
    if role == ADMINISTRATOR or current.ocid is None:
        return
    found = records.get(store, OCDS, current.ocid)
    if (
        found is None
        or found.compiled is None
        or not _buyer_is(orjson.loads(found.compiled), organisation)
    ):
        raise Refused(
            403,
            "other-organisation",
            f"{current.entry_id} is about {current.ocid}, which is not {organisation.name}'s "
            "process",
        )


# Reading


def entries(
    store: Store,
    code: str,
    *,
    organisation: str | None = None,
    ocid: str | None = None,
    status: str | None = None,
    in_force_on: str | None = None,
    before: str | None = None,
    limit: int = 100,
) -> list[stored.Entry]:
    """A page of a register, the newest entry first. Raises ``InvalidFilter``."""
    kept = register(code)
    if organisation is not None:
        checked = identifiers.check_party_id(organisation)
        if checked.identifier is None:
            raise InvalidFilter(f"organisation: {checked.message}")
        organisation = str(checked.identifier)
    if status is not None and status not in kept.statuses:
        raise InvalidFilter(
            f"status: {status[:40]!r} is not a status of this register; it is one of: "
            f"{', '.join(kept.statuses)}"
        )
    filters = stored.Filters(organisation, ocid, status, in_force_on)
    return stored.entries(store, kept.code, filters, before=before, limit=limit)


def entry(store: Store, code: str, key: str) -> stored.Entry:
    found = stored.get(store, register(code).code, key)
    if found is None:
        raise UnknownEntry(f"the {register(code).title.lower()} has no entry {key[:40]!r}")
    return found


def versions(store: Store, code: str, key: str) -> list[dict]:
    """Every version of an entry, the first first, as the log keeps them."""
    found = []
    for statement in log.record_statements(store, register(code).code, key):
        body = orjson.loads(statement.body) if statement.body is not None else None
        found.append(
            {
                "version": int(statement.entry.statement_id),
                "seq": statement.entry.seq,
                "logTime": statement.entry.log_time,
                "leafHash": statement.leaf_hash,
                "recordedBy": body["recordedBy"] if body else None,
                "entry": body["entry"] if body else None,  # None once redacted
            }
        )
    return found


def described(found: stored.Entry) -> dict:
    """An entry as the API and the bulk files give it."""
    return describe(
        found.register,
        found.entry_id,
        version=found.version,
        created=found.created_time,
        updated=found.updated_time,
        seq=found.seq,
        entry=found.entry,
        today=date.today().isoformat(),
    )


def bulk(store: Store, code: str) -> Iterator[dict]:
    """Every entry of a register as ``described``, in id order; streamed (for the bulk files)."""
    for found in stored.every(store, register(code).code):
        yield described(found)
