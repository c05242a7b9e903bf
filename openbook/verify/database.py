"""``openbook verify --database``: the local database against its own signed tree heads.

Every entry's leaf hash is recomputed from its stored fields, and its body's SHA-256 from the
stored body (a redacted body is NULL and verifies by the hash the entry keeps, but only where a
signed redaction statement names it: openbook.verify.redactions); the tree is
rebuilt from the recomputed leaves, and its root at the size of every signed head compared with
the root that head signed. The heads' signatures are checked with the recorded public keys.

Where the database lets us, a problem is pinned to one entry and one field: a body that is not
its entry's, a field that no longer gives the stored leaf hash, an OCDS entry whose record key,
id or date is not its release's, a missing entry. Someone who rewrote an entry together with its
stored leaf hash is caught by the signed heads and located to a block of 256 entries by the
stored subtree hashes; comparing with a snapshot or a mirror (``openbook verify URL --against``)
locates the very entry.
"""

import hashlib
import itertools

import orjson

from openbook import transparency
from openbook.standards import checkpoint, merkle, note
from openbook.standards.log import Entry
from openbook.store import tree
from openbook.store.database import Store
from openbook.verify.local import BLOCK, LocalTree
from openbook.verify.redactions import RedactionCheck
from openbook.verify.report import Report

PROGRESS_EVERY = 10_000
CONSISTENCY_CHECKS = 20  # pairs of heads checked against the stored tree when roots differ
OCDS_FIELDS = (("recordKey", "record_key", "ocid"), ("statementId", "statement_id", "id"))


def database(store: Store, progress=None, pinned: dict[str, bytes] | None = None) -> Report:
    """With ``pinned`` (public keys by key id, from ``--key``), heads and redactions are trusted
    only if signed by one of them, not by any key the database itself records."""
    report = Report(f"the local database ({store.vendor})")
    keys = {row.key_id: row for row in tree.signing_keys(store)}
    heads = _signed_heads(store, keys, report, pinned)
    local = LocalTree()
    trusted = keys if pinned is None else {k: v for k, v in keys.items() if _pinned(v, pinned)}
    redactions = RedactionCheck(trusted)
    try:
        _entries(store, local, heads, report, progress, redactions=redactions)
        _stored_nodes(store, local, report)
        _head_pairs(store, heads, report)
    finally:
        local.close()
    orphans = tree.bodies_without_entries(store)
    for seq in orphans:
        report.problem(
            f"entry {seq}",
            "a body is stored for this entry, but the entry itself is gone (deleted)",
            seq=seq,
            field="entry",
            expected="an entry",
            found="none",
        )
    report.fact(
        f"{len(keys)} signing key{'s' if len(keys) != 1 else ''}: "
        + ", ".join(
            f"{kid[:16]}... ({'retired' if k.retired_time else 'current'})"
            for kid, k in keys.items()
        )
    )
    return report


class _Head:
    def __init__(self, row: tree.HeadRow, root: bytes | None) -> None:
        self.row = row
        self.root = root  # the signed root; None if the head does not verify
        self.matches: bool | None = None  # whether the recomputed tree has this root


def _pinned(key: tree.KeyRow, pinned: dict[str, bytes]) -> bool:
    # By the public key the database holds, not its key_id column, which could be another's.
    return note.key_id(bytes.fromhex(key.public_key)) in pinned


def _signed_heads(
    store: Store, keys: dict[str, tree.KeyRow], report: Report, pinned: dict[str, bytes] | None
) -> list[_Head]:
    heads = []
    for row in tree.heads(store):
        subject = f"tree head {row.id} (size {row.tree_size:,}, {row.head_time})"
        key = keys.get(row.key_id)
        if key is None:
            report.problem(subject, f"it names key {row.key_id}, which the database does not hold")
            heads.append(_Head(row, None))
            continue
        if pinned is not None and not _pinned(key, pinned):
            report.problem(
                subject,
                "it is signed by a key that is not among the pinned keys (--key): the database "
                "records it, but it is not one you trust",
                field="keyId",
                expected=f"one of {', '.join(sorted(pinned))}",
                found=note.key_id(bytes.fromhex(key.public_key)),
            )
            heads.append(_Head(row, None))
            continue
        try:
            signed, _ = checkpoint.verify_tree_head(
                row.checkpoint, key.name, {key.key_id: (key.name, bytes.fromhex(key.public_key))}
            )
        except note.NoteError as error:
            report.problem(subject, f"its signed checkpoint does not verify: {error}")
            heads.append(_Head(row, None))
            continue
        for name, stored, in_signed in (
            ("tree_size", row.tree_size, signed.size),
            ("root_hash", row.root_hash, signed.root.hex()),
            ("head_time", row.head_time, signed.time),
        ):
            if stored != in_signed:
                report.problem(
                    subject,
                    "the stored column is not what the signed checkpoint says",
                    field=name,
                    expected=in_signed,
                    found=stored,
                )
        if key.retired_time is not None and signed.time and signed.time > key.retired_time:
            report.problem(
                subject,
                f"signed by key {key.key_id[:16]}... after it was retired ({key.retired_time})",
            )
        heads.append(_Head(row, signed.root))
    heads.sort(key=lambda head: (head.row.tree_size, head.row.id))
    noun = "head" if len(heads) == 1 else "heads"
    against = "the recorded keys" if pinned is None else f"the {len(pinned)} pinned key(s)"
    report.fact(f"{len(heads):,} signed tree {noun}: signatures checked with {against}")
    return heads


def _entries(
    store, local: LocalTree, heads: list[_Head], report: Report, progress, *, redactions
) -> None:
    waiting = [head for head in heads if head.root is not None]
    index = 0
    previous_time = ""
    gap = None
    for row in tree.audit_entries(store):
        if row.seq != local.size and gap is None:
            gap = local.size
            for seq in range(local.size, min(row.seq, local.size + 100)):
                report.problem(
                    f"entry {seq}",
                    "the entry is missing (deleted): the log's numbers have a gap",
                    seq=seq,
                    field="entry",
                    expected="an entry",
                    found="none",
                )
        _entry(row, report)
        redactions.observe(row)
        if gap is not None:
            continue  # past a gap no tree can be recomputed; the heads beyond it are reported
        if row.log_time < previous_time:
            report.problem(
                _subject(row),
                "its log time is before the previous entry's; log time never goes backwards",
                seq=row.seq,
                field="logTime",
                expected=f"at or after {previous_time}",
                found=row.log_time,
            )
        previous_time = row.log_time
        local.add(bytes.fromhex(_recomputed(row)))
        while index < len(waiting) and waiting[index].row.tree_size <= local.size:
            _compare_root(waiting[index], local, report)
            index += 1
        if progress is not None and local.size % PROGRESS_EVERY == 0:
            progress.advance(PROGRESS_EVERY)
    while index < len(waiting) and waiting[index].row.tree_size == 0:
        _compare_root(waiting[index], local, report)
        index += 1
    for head in waiting[index:]:
        missing = local.size if gap is None else gap
        head.matches = False
        report.problem(
            f"tree head {head.row.id} (size {head.row.tree_size:,}, {head.row.head_time})",
            f"it was signed over {head.row.tree_size:,} entries, but entry {missing} and "
            "those after it cannot be read: entries were deleted",
            seq=missing,
            field="entries",
            expected=f"{head.row.tree_size:,}",
            found=f"{missing:,} in order",
        )
    redacted = redactions.report(report)
    report.fact(
        f"{local.size:,} entries: every leaf hash recomputed from the entry's fields, every body's "
        f"SHA-256 from the stored body ({redacted:,} redacted: checked by their kept hash, each "
        "by a redaction statement signed with the log's key)"
    )
    matched = sum(1 for head in heads if head.matches)
    report.fact(
        f"{matched:,} of {len(heads):,} signed heads have the root recomputed from the entries "
        "(so each is consistent with the one before it: both are trees of the same entries)"
    )


def _recomputed(row: tree.AuditRow) -> str:
    return Entry(
        row.seq,
        row.register,
        row.record_key,
        row.statement_id,
        row.statement_date,
        row.log_time,
        row.publisher,
        row.body_hash,
    ).leaf_hash()


def _subject(row: tree.AuditRow) -> str:
    return f"entry {row.seq} ({row.register} {row.record_key} statement {row.statement_id!r})"


def _entry(row: tree.AuditRow, report: Report) -> None:
    subject = _subject(row)
    recomputed = _recomputed(row)
    if recomputed != row.leaf_hash:
        report.problem(
            subject,
            "its fields no longer give its stored leaf hash: one of register, recordKey, "
            "statementId, statementDate, logTime, publisher and bodySha256 was changed after it "
            "was logged (a field its release contradicts is named below)",
            seq=row.seq,
            field="leafHash",
            expected=row.leaf_hash,
            found=f"{recomputed} (recomputed from the fields now stored)",
        )
    if not row.has_body_row:
        report.problem(
            subject,
            "its body is gone: the body row was deleted (a redaction keeps the row, emptied)",
            seq=row.seq,
            field="body",
            expected=f"a body with SHA-256 {row.body_hash}",
            found="no body row",
        )
        return
    if row.body is None:
        return
    data = row.body.encode()
    digest = hashlib.sha256(data).hexdigest()
    if digest != row.body_hash:
        report.problem(
            subject,
            "the stored body is not the one logged: its SHA-256 is not the entry's bodySha256",
            seq=row.seq,
            field="body",
            expected=row.body_hash,
            found=digest,
        )
    if row.register == "ocds":
        _ocds_identity(row, data, subject, report)


def _ocds_identity(row: tree.AuditRow, data: bytes, subject: str, report: Report) -> None:
    # An OCDS entry's identity is its release's: an entry rewritten with its leaf hash still
    # contradicts its body here.
    try:
        release = orjson.loads(data)
    except orjson.JSONDecodeError:
        report.problem(subject, "its stored body is not JSON", seq=row.seq, field="body")
        return
    if not isinstance(release, dict):
        return
    pairs = [(name, getattr(row, column), release.get(key)) for name, column, key in OCDS_FIELDS]
    pairs.append(("statementDate", row.statement_date, release.get("date")))
    for name, stored, in_body in pairs:
        if isinstance(in_body, str) and stored != in_body:
            report.problem(
                subject,
                f"the entry's {name} is not its release's",
                seq=row.seq,
                field=name,
                expected=f"{in_body} (from the release)",
                found=stored,
            )


def _compare_root(head: _Head, local: LocalTree, report: Report) -> None:
    size = head.row.tree_size
    root = local.root(size)
    head.matches = root == head.root
    if not head.matches:
        report.problem(
            f"tree head {head.row.id} (size {size:,}, {head.row.head_time})",
            f"the entries now stored do not give the root it signed: one of the first {size:,} "
            "entries differs from what was signed",
            field="rootHash",
            expected=head.row.root_hash,
            found=root.hex(),
        )


def _stored_nodes(store: Store, local: LocalTree, report: Report) -> None:
    """Locate a rewrite to blocks of 256 entries: the subtree hashes stored when heads were
    signed, against the recomputed ones."""
    stored = tree.stored_nodes(store, transparency.TILE)
    differing = 0
    for position, value in enumerate(stored[: len(local.blocks)]):
        if value != local.blocks[position]:
            differing += 1
            first = position * BLOCK
            report.problem(
                f"entries {first} to {first + BLOCK - 1}",
                "their leaf hashes, recomputed, are not those hashed when a head was signed: "
                "one of these entries was rewritten",
                field=f"tree node (height 8, position {position})",
                expected=value.hex(),
                found=local.blocks[position].hex(),
            )
    report.fact(
        f"{min(len(stored), len(local.blocks)):,} stored subtree hashes (blocks of 256 entries) "
        f"against the recomputed ones ({differing:,} differ)"
    )


def _head_pairs(store: Store, heads: list[_Head], report: Report) -> None:
    """Where a head's root differs, whether the tree the store serves proofs from still proves
    it consistent with the head before it (the proofs the API gives)."""
    checked = 0
    subtrees = transparency.StoredSubtrees(store)
    for before, after in itertools.pairwise(heads):
        if checked >= CONSISTENCY_CHECKS:
            break
        if before.root is None or after.root is None or (before.matches and after.matches):
            continue
        first, second = before.row.tree_size, after.row.tree_size
        checked += 1
        try:
            proof = merkle.consistency_proof(first, second, subtrees)
        except tree.DamagedLog as error:
            report.problem(f"tree heads {before.row.id} and {after.row.id}", str(error))
            continue
        if not merkle.verify_consistency(first, second, before.root, after.root, proof):
            report.problem(
                f"tree heads {before.row.id} (size {first:,}) and {after.row.id} (size {second:,})",
                "the stored tree no longer proves them consistent: the proofs this platform "
                "serves between them fail",
            )
