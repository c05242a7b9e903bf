"""The private keys that sign the log's tree heads: files in one directory
(``OPENBOOK_SIGNING_KEY_DIR``), never in the database or in any log (docs/operators.md).

``current.key`` is the key that signs; a rotation keeps the one it replaces as
``retired/<key id>.key`` (never used again; the operator decides when to destroy it). Key files
are Ed25519 private keys, PEM (PKCS #8, as ``openssl genpkey -algorithm ed25519`` writes them)
or the raw 32-byte seed; openbook writes PEM, mode 0600, in a directory it makes 0700. As ssh
does with a private key, a key file is refused unless it is mode 0600 or 0400 and belongs to the
user openbook runs as, in a directory that no one else may write (where someone could put their
own key in its place).
"""

import fcntl
import os
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from openbook import config
from openbook.standards import note

CURRENT = "current.key"
RETIRED = "retired"
MAX_KEY_FILE_BYTES = 16 * 1024
PRIVATE_MODES = (0o600, 0o400)


class SigningKeyError(Exception):
    """A key file is missing, unreadable, not a key, or too open; the message says which."""


class MissingKey(SigningKeyError):
    """The key directory holds no current key (and none was to be made)."""


@dataclass(frozen=True, slots=True)
class SigningKey:
    private: Ed25519PrivateKey
    public: bytes  # 32 bytes
    key_id: str  # hex SHA-256 of the public key
    path: Path


_loaded: dict[tuple, SigningKey] = {}


def current(directory: Path | None = None, *, create: bool = True) -> SigningKey:
    """The key that signs now; with ``create``, a new one if the directory has none yet.
    Read once per process and file version (the publish API signs with it on every call)."""
    directory = directory or config.signing_key_dir()
    path = directory / CURRENT
    if not path.exists():
        if not create:
            raise MissingKey(f"there is no signing key at {path}")
        with _locked(directory):
            if not path.exists():
                _write_new(path)
    return load(path)


def rotate(directory: Path | None = None) -> tuple[SigningKey, SigningKey | None]:
    """Make a new current key, keeping the old one under ``retired/``: (new key, old key)."""
    directory = directory or config.signing_key_dir()
    path = directory / CURRENT
    with _locked(directory):
        old = load(path) if path.exists() else None
        if old is not None:
            retired = directory / RETIRED
            retired.mkdir(mode=0o700, exist_ok=True)
            kept = retired / f"{old.key_id}.key"
            if not kept.exists():
                os.link(path, kept)
        _write_new(path, replace=True)
        _sync(directory)
    return load(path), old


def retired(directory: Path | None = None) -> list[SigningKey]:
    """The retired keys still kept in the directory."""
    folder = (directory or config.signing_key_dir()) / RETIRED
    return [load(path) for path in sorted(folder.glob("*.key"))] if folder.is_dir() else []


def pinned(paths: Iterable[Path]) -> dict[str, bytes]:
    """The public keys ``openbook verify --key`` trusts, by key id: those of a key directory
    (its current and retired keys), of a private key file, or of a file of public keys
    (openbook.standards.note.load_public_keys)."""
    keys: dict[str, bytes] = {}
    for path in paths:
        if path.is_dir():
            current_key = path / CURRENT
            found = [key.public for key in retired(path)]
            if current_key.exists():
                found.append(load(current_key).public)
            if not found:
                raise SigningKeyError(f"the key directory {path} holds no key")
        else:
            try:
                data = path.read_bytes()[: MAX_KEY_FILE_BYTES + 1]
            except OSError as error:
                raise SigningKeyError(f"cannot read the key {path}: {error.strerror}") from None
            if b"PRIVATE KEY" in data or len(data) == 32:
                found = [load(path).public]
            else:
                try:
                    found = note.load_public_keys(data.decode())
                except (UnicodeDecodeError, note.PublicKeyError) as error:
                    raise SigningKeyError(f"the key file {path}: {error}") from None
        keys.update((note.key_id(public), public) for public in found)
    return keys


def load(path: Path) -> SigningKey:
    """A key file, checked: a regular file, private to its owner (and group), a real key."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as error:
        raise SigningKeyError(f"cannot open the signing key {path}: {error.strerror}") from None
    with os.fdopen(fd, "rb") as file:
        status = os.fstat(file.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise SigningKeyError(f"the signing key {path} is not a regular file")
        _check_private(path, status)
        version = (str(path), status.st_ino, status.st_mtime_ns, status.st_size)
        if version in _loaded:
            return _loaded[version]
        data = file.read(MAX_KEY_FILE_BYTES + 1)
    if len(data) > MAX_KEY_FILE_BYTES:
        raise SigningKeyError(f"the signing key {path} is too large to be a key")
    try:
        private = note.load_private_key(data)
    except note.PrivateKeyError as error:
        raise SigningKeyError(
            f"the signing key {path} is not an Ed25519 private key: {error}"
        ) from None
    public = note.public_bytes(private)
    key = SigningKey(private, public, note.key_id(public), path)
    _loaded.clear()  # one version of one file is what a process signs with
    _loaded[version] = key
    return key


def _check_private(path: Path, status: os.stat_result) -> None:
    """ssh's checks of a private key file (sshkey_perm_ok, secure_path): only its owner, the
    user we run as, may read it, and only that user or root may write its directory."""
    mode = stat.S_IMODE(status.st_mode)
    if mode not in PRIVATE_MODES:
        raise SigningKeyError(
            f"the signing key {path} has mode {mode:04o}, so others may read or change it: "
            "make it private with chmod 600 (or 400)"
        )
    user = os.geteuid()
    if status.st_uid != user:
        raise SigningKeyError(
            f"the signing key {path} belongs to user {status.st_uid}, not to the user openbook "
            f"runs as ({user}): chown it, or run openbook as its owner"
        )
    directory = path.parent.stat()
    if directory.st_uid not in (user, 0) or directory.st_mode & 0o022:
        raise SigningKeyError(
            f"the directory of the signing key, {path.parent}, may be written by others (owner "
            f"{directory.st_uid}, mode {stat.S_IMODE(directory.st_mode):04o}), who could put "
            "their own key in its place: chmod 700 it, owned by the user openbook runs as"
        )


def _write_new(path: Path, replace: bool = False) -> None:
    directory = path.parent
    if not directory.exists():
        directory.mkdir(mode=0o700, parents=True)
        directory.chmod(0o700)  # mkdir's mode is cut by the umask
    temporary = directory / f".{path.name}.{os.getpid()}.new"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(note.private_key_pem(Ed25519PrivateKey.generate()))
            file.flush()
            os.fsync(file.fileno())
        if replace:
            temporary.replace(path)  # atomic: signers see the old key or the new one
        else:
            os.link(temporary, path)  # never overwrites a key another process just made
    except FileExistsError:
        pass
    finally:
        temporary.unlink(missing_ok=True)
    _sync(directory)


def _sync(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """One process at a time makes or rotates keys in a directory."""
    if not directory.exists():
        directory.mkdir(mode=0o700, parents=True)
        directory.chmod(0o700)
    fd = os.open(directory / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
