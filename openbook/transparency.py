"""The verifiable log (use cases): signed tree heads, inclusion and consistency proofs, signed
entry timestamps, signing keys, and ``openbook verify`` (docs/log-format.md).

The log's Merkle tree is RFC 9162's over the entries' leaf hashes. Heads are signed as C2SP
checkpoints by an Ed25519 key kept in a file (openbook.signing_keys), whose public part the
database records. Proofs are made from the subtree hashes the store keeps at heights 8, 16,
24... (openbook.store.tree), extended each time a head is signed, so neither signing nor a proof
ever hashes the whole log again: a proof reads at most 255 leaf hashes and, per stored height,
at most 255 stored nodes.
"""

import base64
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from openbook import config, signing_keys
from openbook.standards import checkpoint, merkle, note
from openbook.standards.log import format_log_time
from openbook.store import tree
from openbook.store.database import Store

TILE = 8  # stored nodes are at heights that are multiples of this: blocks of 256
NODES_PER_WRITE = 64  # nodes of one height computed and written per transaction
# A head is signed again, over the same entries, once the last one is this old: a monitor then
# sees that the log is alive and has not forked, even when nothing is published.
REFRESH = timedelta(hours=24)


class TransparencyError(Exception):
    """The log cannot answer as asked; the message says why."""


class NoTreeHead(TransparencyError):
    """No tree head has been signed yet."""


class NoSuchEntry(TransparencyError):
    """No entry has this sequence number."""


class ForkRefused(TransparencyError):
    """A head over the log as stored would not be consistent with the latest signed head, so it
    is not signed: "A log MUST not sign any checkpoint which is inconsistent with any checkpoint
    it previously signed" (C2SP tlog-checkpoint, "Signatures")."""


class KeyMismatch(TransparencyError):
    """The key file is not the log's current key, or the log has none yet: nothing is signed with
    it, and no key is made or recorded (only `openbook log sign`, the first time, and
    `openbook log rotate-key` do that)."""


class DamagedTree(TransparencyError):
    """The stored tree cannot give a proof: entries below a signed head are missing."""


class BadProofRequest(TransparencyError):
    """A proof asked for with sizes or a sequence that do not fit the log."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


def sign_tree_head(store: Store, *, now: datetime | None = None, create_key: bool = False) -> dict:
    """Sign a tree head over the whole log as it is now, and return it.

    Idempotent: when nothing was appended since the latest head, that head is returned, unless
    it is older than REFRESH or was signed by a key since retired. Incremental: the stored
    subtrees are extended over the new entries only. Never signs a fork: the new head must be
    proved consistent with the latest signed one (ForkRefused otherwise). ``create_key`` is for
    `openbook log sign`: the log's first key is made if the key directory has none."""
    moment = format_log_time(now or datetime.now(UTC))
    key = signer_key(store, create=create_key, moment=moment)
    size, last_log_time = tree.log_end(store)
    latest = tree.latest_head(store)
    if latest is not None and latest.tree_size > size and tree.log_end(store)[0] < latest.tree_size:
        # Not another signer that saw more: the log lost entries a head was signed over.
        raise TransparencyError(
            f"the log has {size:,} entries, but a head was signed over {latest.tree_size:,}: "
            "entries were deleted around the application; `openbook verify` names them"
        )
    if latest is not None and not _due(latest, size, key.key_id, moment):
        return _head(latest)
    try:
        extend_subtrees(store, size)
        subtrees = StoredSubtrees(store)
        root = merkle.range_hash(subtrees, 0, size)
        if latest is not None:
            _refuse_fork(store, subtrees, latest, size, root)
        with tree.head_lock(store):
            checked = latest
            latest = tree.latest_head(store)
            if latest is not None and not _due(latest, size, key.key_id, moment):
                return _head(latest)  # another signer was quicker
            if latest is not None and (checked is None or latest.id != checked.id):
                _refuse_fork(store, subtrees, latest, size, root)  # one signed in between
            # A head's time is never before the entries it covers, nor before the head before.
            time = max(moment, last_log_time or moment, latest.head_time if latest else moment)
            head = checkpoint.Checkpoint(config.log_origin(), size, root, time)
            signed = checkpoint.signed_tree_head(head, key.private)
            row = tree.add_head(
                store,
                tree_size=size,
                root_hash=root.hex(),
                head_time=time,
                key_id=key.key_id,
                checkpoint=signed,
            )
    except tree.DamagedLog as error:
        raise TransparencyError(
            f"no head can be signed: {error}; `openbook verify` says what else differs"
        ) from None
    return _head(row)


def _refuse_fork(
    store: Store, subtrees: "StoredSubtrees", latest: tree.HeadRow, size: int, root: bytes
) -> None:
    """Raise ForkRefused unless the tree of ``size`` entries with this root is proved, by a
    consistency proof from the stored tree (RFC 9162 section 2.1.4), to extend the root the
    latest head signed: the stored subtrees and leaf hashes a new head is built from may have
    been changed since (a proof, not only the root at the old size, because a changed stored
    node can leave that root as it was and change the new one)."""
    signed = _signed_root(store, latest)
    old = latest.tree_size
    proof = merkle.consistency_proof(old, size, subtrees)
    if merkle.verify_consistency(old, size, signed, root, proof):
        return
    now = merkle.range_hash(subtrees, 0, old)
    found = (
        f"the stored tree now gives root {now.hex()} at {old:,} entries"
        if now != signed
        else "the stored tree still gives that root, but its larger tree does not extend it"
    )
    raise ForkRefused(
        f"refusing to sign a tree head over {size:,} entries with root {root.hex()}: it is not "
        f"consistent with the latest signed head (head {latest.id}, {old:,} entries, root "
        f"{signed.hex()}, signed {latest.head_time}); {found}. Entries or stored subtree hashes "
        "were changed after that head was signed, and signing would fork the log: "
        "`openbook verify` says which"
    )


def _signed_root(store: Store, head: tree.HeadRow) -> bytes:
    """The root a stored head signed, read from its checkpoint verified with the recorded key
    (not from the root_hash column, which could be changed to match a fork)."""
    name, public = _keys(store).get(head.key_id, ("", b""))
    try:
        signed, _ = checkpoint.verify_tree_head(
            head.checkpoint, name, {head.key_id: (name, public)}
        )
    except note.NoteError as error:
        raise ForkRefused(
            f"refusing to sign: the latest signed head (head {head.id}, {head.tree_size:,} "
            f"entries) does not verify with the key it names ({head.key_id}): {error}; "
            "`openbook verify` says what else differs"
        ) from None
    if signed.size != head.tree_size:
        raise ForkRefused(
            f"refusing to sign: the latest signed head (head {head.id}) is stored as "
            f"{head.tree_size:,} entries but signed {signed.size:,}; `openbook verify` says "
            "what else differs"
        )
    return signed.root


def _due(latest: tree.HeadRow, size: int, key_id: str, moment: str) -> bool:
    if latest.tree_size > size:
        return False
    if latest.tree_size < size or latest.key_id != key_id:
        return True
    signed = datetime.fromisoformat(latest.head_time)
    return datetime.fromisoformat(moment) - signed >= REFRESH


def latest_tree_head(store: Store) -> dict | None:
    """The latest signed tree head, as the API serves it; None before the first."""
    latest = tree.latest_head(store)
    return _head(latest) if latest else None


def inclusion_proof(store: Store, seq: int, tree_size: int) -> dict:
    """The proof that entry ``seq`` is in the tree of the first ``tree_size`` entries
    (RFC 9162 section 2.1.3), for any size up to the latest signed head's."""
    _check_size(store, "tree_size", tree_size)
    if not 0 <= seq < tree_size:
        raise BadProofRequest(
            "sequence", f"{seq} is not an entry of a tree of {tree_size} (sequence < tree_size)"
        )
    subtrees = StoredSubtrees(store)
    with _damaged():
        leaf = tree.leaf_hashes(store, seq, seq + 1)[0]
        proof = merkle.inclusion_proof(seq, tree_size, subtrees)
        root = merkle.range_hash(subtrees, 0, tree_size)
    return {
        "sequence": seq,
        "treeSize": tree_size,
        "leafHash": leaf.hex(),
        "rootHash": root.hex(),
        "auditPath": [value.hex() for value in proof],
    }


def consistency_proof(store: Store, first: int, second: int) -> dict:
    """The proof that the tree of the first ``first`` entries is a prefix of the tree of the
    first ``second`` (RFC 9162 section 2.1.4), for sizes up to the latest signed head's."""
    _check_size(store, "second", second)
    if not 0 <= first <= second:
        raise BadProofRequest("first", f"{first} is more than second ({second})")
    subtrees = StoredSubtrees(store)
    with _damaged():
        proof = merkle.consistency_proof(first, second, subtrees)
        roots = merkle.range_hash(subtrees, 0, first), merkle.range_hash(subtrees, 0, second)
    return {
        "first": first,
        "second": second,
        "firstRootHash": roots[0].hex(),
        "secondRootHash": roots[1].hex(),
        "consistencyPath": [value.hex() for value in proof],
    }


@contextmanager
def _damaged() -> Iterator[None]:
    try:
        yield
    except tree.DamagedLog as error:
        raise DamagedTree(
            f"the log's stored tree is damaged ({error}), so no proof can be made: its operator "
            "should run `openbook verify`, which says what differs"
        ) from None


def overdue(store: Store, now: datetime | None = None) -> str | None:
    """Why the latest signed head is overdue, or None if it is not: an entry not in it has waited
    more than twice the maximum merge delay, so a promise of its entry timestamp is broken or
    about to be (`openbook log sign` is not running, or failing). None before the first head."""
    latest = tree.latest_head(store)
    if latest is None:
        return None
    waiting = tree.entry_hash(store, latest.tree_size)
    if waiting is None:
        return None
    limit = timedelta(seconds=2 * config.max_merge_delay())
    since = datetime.fromisoformat(waiting[1])
    if (now or datetime.now(UTC)) - since <= limit:
        return None
    return (
        f"the latest signed tree head ({latest.tree_size:,} entries, {latest.head_time}) does not "
        f"include entry {latest.tree_size}, accepted at {waiting[1]}, more than twice the "
        f"maximum merge delay ({config.max_merge_delay()} seconds) ago: is `openbook log sign` "
        "running?"
    )


def entry_timestamp(store: Store, seq: int) -> dict:
    """A signed entry timestamp for entry ``seq``: the log's promise, signed by its current key,
    that the entry (its leaf hash, accepted at its log time) will be in a signed tree head within
    the maximum merge delay (``OPENBOOK_MAX_MERGE_DELAY``)."""
    found = entry_timestamps(store, [seq])
    if seq not in found:
        raise NoSuchEntry(f"the log has no entry {seq}")
    return found[seq]


def entry_timestamps(
    store: Store, seqs: Sequence[int], known: Mapping[int, tuple[str, str]] | None = None
) -> dict[int, dict]:
    """The signed entry timestamps of these entries (those in the log), by seq: the key is read
    once, and the entries in one query (the publish API answers every release with one), or
    taken from ``known`` (leaf hash and log time by seq, as just read from the log)."""
    known = known or {}
    found = {seq: known[seq] for seq in seqs if seq in known}
    found.update(tree.entry_hashes(store, [seq for seq in seqs if seq not in known]))
    if not found:
        return {}
    key = _stamping_key(store)
    origin, delay = config.log_origin(), config.max_merge_delay()
    stamps = {}
    for seq, (leaf_hash, log_time) in sorted(found.items()):
        promise = checkpoint.EntryTimestamp(origin, seq, bytes.fromhex(leaf_hash), log_time, delay)
        signed = checkpoint.signed_entry_timestamp(promise, key.private)
        stamps[seq] = {
            "seq": seq,
            "leaf_hash": leaf_hash,
            "log_time": log_time,
            "max_merge_delay": promise.max_merge_delay,
            "key_id": key.key_id,
            "signature": _raw_signature(signed),
            "signed_note": signed,
        }
    return stamps


def verify_entry_timestamp(store: Store, signed: str) -> checkpoint.EntryTimestamp:
    """The promise of a signed entry timestamp, checked against this log's keys."""
    return checkpoint.verify_entry_timestamp(signed, config.log_origin(), _keys(store))[0]


def rotate_key(store: Store, *, now: datetime | None = None) -> dict:
    """Make a new signing key current, retire the old one (its public part stays, so the heads
    it signed still verify), and sign a head with the new key at once."""
    moment = format_log_time(now or datetime.now(UTC))
    new, old = signing_keys.rotate()
    if old is not None:
        tree.retire_key(store, old.key_id, moment)
    # The one place a key replaces the log's current key (which add_key retires).
    tree.add_key(
        store, tree.KeyRow(new.key_id, new.public.hex(), config.log_origin(), moment, None)
    )
    head = sign_tree_head(store, now=now)
    return {"keyId": new.key_id, "retiredKeyId": old.key_id if old else None, "treeHead": head}


def snapshot_head(store: Store, size: int, *, create_key: bool = False) -> dict:
    """For a snapshot of the first ``size`` entries: the latest signed head (signed now if none
    covers them yet), the proof that the snapshot's tree is a prefix of it, and the public key
    that signed it (docs/downloads.md). ``create_key`` as for ``sign_tree_head``: for the
    operator's own commands (``openbook export``), never for requests."""
    latest = tree.latest_head(store)
    head = _head(latest) if latest is not None else None
    if head is None or head["treeSize"] < size:
        head = sign_tree_head(store, create_key=create_key)
    proof = consistency_proof(store, size, head["treeSize"])
    key = next(k for k in public_keys(store) if k["keyId"] == head["keyId"])
    return {
        **head,
        "consistencyProof": {
            "first": size,
            "second": head["treeSize"],
            "consistencyPath": proof["consistencyPath"],
        },
        "key": {name: key[name] for name in ("keyId", "algorithm", "publicKey", "name")},
    }


def public_keys(store: Store) -> list[dict]:
    """Every key that has signed for this log, current and retired, oldest first."""
    return [_public_key(row) for row in tree.signing_keys(store)]


def keys_by_id(store: Store) -> checkpoint.Keys:
    return _keys(store)


def signing_key(store: Store) -> signing_keys.SigningKey:
    """The key that signs for the log now, for requests (entry timestamps, redactions): the key
    file, which must be the key the database holds as current. Read-only: never makes a key nor
    records one, so a server pointed at the wrong key directory refuses (KeyMismatch,
    signing_keys.SigningKeyError) rather than replace the operator's key."""
    rows = tree.signing_keys(store)
    _refuse_no_key(rows)
    key = _key_file(rows, create=False)
    _check_current(key, rows)
    return key


def _refuse_no_key(rows: list[tree.KeyRow]) -> None:
    if not rows:
        raise KeyMismatch(
            "the log has no signing key yet: the first `openbook log sign` makes it "
            "(docs/operators.md)"
        )


# How long the publish API keeps signing entry timestamps with the key it last found
# to be the database's current one before it reads the database's keys again. A rotation on
# this machine replaces the key file, which is seen at once (``_stamping_key``); this bounds how
# long a key retired from another machine, whose file here is unchanged, still stamps entries.
KEY_CHECK_SECONDS = 5.0
# (the database, origin and key directory's version checked), the key file checked
# (kept here, so that no other object takes its id), and when.
_stamping: tuple[tuple, signing_keys.SigningKey, float] | None = None


def _stamping_key(store: Store) -> signing_keys.SigningKey:
    """``signing_key``, for entry timestamps (on every publish request), without reading the
    database's keys again while nothing it checked can have changed: the same database and
    origin, the same key file (``signing_keys.load`` gives one object per version of the file,
    read by its inode, time and size on each call), the key directory unchanged (a retired key
    put back as the current one, a hard link to the same inode, changes the directory), and
    checked within KEY_CHECK_SECONDS (a retirement made from another machine)."""
    global _stamping  # noqa: PLW0603 (one process's memo)
    try:
        key = signing_keys.current(create=False)
        settings = store.connection.settings_dict
        checked = (
            (store.vendor, settings["NAME"], settings.get("HOST"), settings.get("PORT")),
            config.log_origin(),
            key.path.parent.stat().st_mtime_ns,
        )
    except (signing_keys.SigningKeyError, OSError):
        key, checked = None, None  # signing_key says why, as ever
    if key is None or checked is None:
        return signing_key(store)
    memo = _stamping
    if (
        memo is not None
        and memo[0] == checked
        and memo[1] is key
        and time.monotonic() - memo[2] < KEY_CHECK_SECONDS
    ):
        return key
    rows = tree.signing_keys(store)  # as signing_key checks it, the key file read once
    _refuse_no_key(rows)
    _check_current(key, rows)
    _stamping = (checked, key, time.monotonic())
    return key


def signer_key(
    store: Store, *, create: bool = False, moment: str | None = None
) -> signing_keys.SigningKey:
    """The key `openbook log sign` signs heads with. The log's first key is recorded from the
    key directory (made there first, with ``create``, if it has none); from then on the key file
    must be the key the database holds as current. Only a rotation (rotate_key) replaces it."""
    rows = tree.signing_keys(store)  # a read first: most signings write no key
    key = _key_file(rows, create=create and not rows)
    if not rows:
        moment = moment or format_log_time(datetime.now(UTC))
        first = tree.KeyRow(key.key_id, key.public.hex(), config.log_origin(), moment, None)
        if tree.add_first_key(store, first):
            return key
        rows = tree.signing_keys(store)  # another signer recorded the first key meanwhile
    _check_current(key, rows)
    return key


def verify(
    target: Store | Path | str,
    *,
    against: Store | Path | None = None,
    state: Path | None = None,
    progress=None,
    pinned: dict[str, bytes] | None = None,
):
    """Check a log for ``openbook verify``: a local database (a Store), a snapshot directory
    (a Path) or a remote openbook (its URL); see openbook.verify. With ``pinned`` (public keys
    by key id), heads must be signed by one of those keys, not by any the log lists. Returns
    the report."""
    from openbook.verify import database, remote, snapshot

    if isinstance(target, Store):
        return database(target, progress=progress, pinned=pinned)
    if isinstance(target, Path):
        return snapshot(target, progress=progress)
    return remote(target, against=against, state=state, progress=progress, pinned=pinned)


class StoredSubtrees:
    """``MTH`` of perfect, aligned subtrees (merkle.Subtree), from the stored nodes at heights
    8, 16, 24... and the leaf hashes below them: a node of height h is read as the 2^(h mod 8)
    nodes of the stored height below it (or leaves), so at most 255 hashes."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._known: dict[tuple[int, int], bytes] = {}

    def __call__(self, start: int, end: int) -> bytes:
        height = (end - start).bit_length() - 1
        return self.node(height, start >> height)

    def node(self, height: int, position: int) -> bytes:
        key = (height, position)
        if key not in self._known:
            if height and height % TILE == 0:
                stored = tree.nodes(self.store, height, position, position + 1)
                value = stored[0] if stored else self._below(height, position, height - TILE)
            else:
                value = self._below(height, position, height - height % TILE)
            self._known[key] = value
        return self._known[key]

    def _below(self, height: int, position: int, base: int) -> bytes:
        count = 1 << (height - base)
        first = position * count
        if base == 0:
            return merkle.perfect_root(tree.leaf_hashes(self.store, first, first + count))
        hashes = tree.nodes(self.store, base, first, first + count)
        if not hashes:  # not stored yet: from the height below that
            hashes = [self.node(base, p) for p in range(first, first + count)]
        return merkle.perfect_root(hashes)


def extend_subtrees(store: Store, size: int) -> None:
    """Store the nodes of every complete block of 256 leaves below ``size``, then of 256 such
    blocks, and so on, from where the stored ones end. Hashes only what is new."""
    height = TILE
    while size >> height:
        have, want = tree.node_count(store, height), size >> height
        for start in range(have, want, NODES_PER_WRITE):
            stop = min(want, start + NODES_PER_WRITE)
            if height == TILE:
                below = tree.leaf_hashes(store, start << TILE, stop << TILE)
            else:
                below = tree.nodes(store, height - TILE, start << TILE, stop << TILE)
            width = 1 << TILE
            tree.add_nodes(
                store,
                height,
                start,
                [merkle.perfect_root(below[i : i + width]) for i in range(0, len(below), width)],
            )
        height += TILE


def _check_size(store: Store, parameter: str, size: int) -> None:
    latest = tree.latest_head(store)
    if latest is None:
        raise NoTreeHead("no tree head has been signed yet")
    if size < 0:
        raise BadProofRequest(parameter, f"{size} is negative")
    if size > latest.tree_size:
        raise BadProofRequest(
            parameter,
            f"{size} is more than the size of the latest signed tree head ({latest.tree_size})",
        )


def _key_file(rows: list[tree.KeyRow], *, create: bool) -> signing_keys.SigningKey:
    try:
        return signing_keys.current(create=create)
    except signing_keys.MissingKey as error:
        current = [row.key_id for row in rows if row.retired_time is None]
        if not current:
            raise
        raise KeyMismatch(
            f"{error}, but the log's current key is {current[0]}: point "
            "OPENBOOK_SIGNING_KEY_DIR at the directory that holds it (a key is made only by the "
            "first `openbook log sign` and by `openbook log rotate-key`)"
        ) from None


def _check_current(key: signing_keys.SigningKey, rows: list[tree.KeyRow]) -> None:
    """Refuse a key file that is not the database's current key, with the log's origin."""
    recorded = next((row for row in rows if row.key_id == key.key_id), None)
    if recorded is None:
        current = next((row.key_id for row in rows if row.retired_time is None), "none")
        raise KeyMismatch(
            f"the signing key in {key.path} (key id {key.key_id}) is not this log's: its current "
            f"key is {current}. Point OPENBOOK_SIGNING_KEY_DIR at the directory that holds that "
            "key; to replace it, run `openbook log rotate-key`"
        )
    if recorded.retired_time is not None:
        raise KeyMismatch(
            f"the signing key in {key.path} (key id {key.key_id}) was retired on "
            f"{recorded.retired_time} and signs no more: make a new one with "
            "`openbook log rotate-key`"
        )
    origin = config.log_origin()
    if recorded.name != origin:
        raise KeyMismatch(
            f"the log's origin is now {origin!r} (OPENBOOK_LOG_ORIGIN), but the current key "
            f"signs as {recorded.name!r}: a log's heads keep one origin. Set it back, or "
            "start signing as the new origin with `openbook log rotate-key`"
        )


def _keys(store: Store) -> checkpoint.Keys:
    rows = tree.signing_keys(store)
    return {row.key_id: (row.name, bytes.fromhex(row.public_key)) for row in rows}


def _head(row: tree.HeadRow) -> dict:
    return {
        "treeSize": row.tree_size,
        "rootHash": row.root_hash,
        "timestamp": row.head_time,
        "keyId": row.key_id,
        "signature": _raw_signature(row.checkpoint),
        "checkpoint": row.checkpoint,
    }


def _raw_signature(signed: str) -> str:
    """The Ed25519 signature of a note we signed, base64: its signature line without the
    four-byte key hash."""
    _, signatures = note.parse(signed)
    return base64.b64encode(signatures[0].signature).decode()


def _public_key(row: tree.KeyRow) -> dict:
    public = bytes.fromhex(row.public_key)
    pem = (
        Ed25519PublicKey.from_public_bytes(public)
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return {
        "keyId": row.key_id,
        "algorithm": "Ed25519",
        "publicKey": base64.b64encode(public).decode(),
        "publicKeyPem": pem,
        "name": row.name,
        "verifierKey": note.verifier_key(row.name, public),
        "created": row.created_time,
        "retired": row.retired_time,
        "status": "retired" if row.retired_time else "current",
    }
