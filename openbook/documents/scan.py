"""Scanning uploaded documents for malware with ClamAV, Debian's package (docs/documents.md).

Two ways, chosen by the operator:

- ``clamscan``, run for each document with a timeout (the default): it loads the signatures
  every time, which takes a fraction of a second with openbook's own signatures alone and some
  seconds with a full set from freshclam;
- a running ClamAV daemon, when ``OPENBOOK_CLAMD_SOCKET`` names its socket: the file is streamed
  to it (clamd's INSTREAM command), which keeps the signatures loaded once. For production.

The signatures are openbook's own (``signatures/openbook.ndb``: the EICAR test file, the
anti-virus industry's harmless test string, so that the scanner can be shown to work on a machine
without internet) and, with clamscan, every database freshclam keeps in
``OPENBOOK_CLAMAV_DATABASE`` (``/var/lib/clamav``). The operator runs freshclam; without it only
the test file is caught, and every scan says so in the server's log.

Nothing is accepted unscanned unless the operator says so (``OPENBOOK_DOCUMENT_SCANNER=none``,
for development only): a missing or failing scanner refuses the upload (``ScannerUnavailable``).
"""

from __future__ import annotations

import logging
import re
import shutil
import socket
import struct
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from openbook import config

logger = logging.getLogger(__name__)

SIGNATURES = Path(__file__).parent / "signatures" / "openbook.ndb"
# What freshclam writes, and the signature files an operator may add (ClamAV's manual,
# "Creating signatures for ClamAV").
_DATABASE_SUFFIXES = {
    ".cvd",
    ".cld",
    ".cud",
    ".ndb",
    ".hdb",
    ".hsb",
    ".mdb",
    ".msb",
    ".ldb",
    ".cdb",
    ".ndu",
    ".ldu",
}
_FOUND = re.compile(r": (.+) FOUND$")
_CHUNK = 1 << 16
_CLAMAV_MOST = 4000 * 2**20  # the most ClamAV's size limits take (clamd.conf(5))


@dataclass(frozen=True, slots=True)
class Verdict:
    clean: bool
    signature: str | None  # what was found, as ClamAV names it
    scanner: str  # what scanned it, as the metadata records it


class ScannerUnavailable(Exception):
    """The scanner is missing, misconfigured or failed: nothing can be accepted until it works.
    The message is for the publisher; the operator's log has the details."""


def scan(path: Path, max_bytes: int) -> Verdict | None:
    """Scan one file; None when scanning is turned off (``OPENBOOK_DOCUMENT_SCANNER=none``)."""
    if config.document_scanner() == "none":
        return None
    socket_path = config.clamd_socket()
    if socket_path:
        return _clamd(socket_path, path, config.document_scan_timeout())
    return _clamscan(path, max_bytes, config.document_scan_timeout())


def _clamscan(path: Path, max_bytes: int, timeout: int) -> Verdict:
    program = shutil.which("clamscan")
    if program is None:
        logger.error(
            "clamscan was not found on PATH: install ClamAV (apt-get install clamav), or set "
            "OPENBOOK_CLAMD_SOCKET; documents are refused until then"
        )
        raise ScannerUnavailable(
            "the platform cannot scan documents for malware just now (its scanner, ClamAV, is "
            "not installed), so it accepts none: the platform's operator has been told; try "
            "again later"
        )
    databases = ["--database", str(SIGNATURES)]
    system = config.clamav_database_dir()
    if _has_signatures(system):
        databases += ["--database", str(system)]
    else:
        logger.warning(
            "no ClamAV signatures in %s: only openbook's test signature is used; run freshclam",
            system,
        )
    # ClamAV skips, and passes, files and archive contents over its own limits (100 MB and
    # 400 MB by default): they are raised to the documents' own limit.
    command = [
        program,
        "--no-summary",
        "--stdout",
        f"--max-filesize={min(max_bytes + 1, _CLAMAV_MOST)}",
        f"--max-scansize={min(4 * max_bytes + 1, _CLAMAV_MOST)}",
        *databases,
        "--",
        str(path),
    ]
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        logger.error("clamscan took more than %s s on %s", timeout, path.name)
        raise ScannerUnavailable(
            f"the malware scan did not finish within {timeout} s, so the document was not "
            "accepted; try again later"
        ) from None
    except OSError as error:
        logger.error("clamscan could not be run: %s", error)
        raise ScannerUnavailable(_failed()) from None
    if result.returncode == 0:
        return Verdict(True, None, _clamscan_version(program))
    found = _FOUND.search(result.stdout.strip().splitlines()[-1]) if result.stdout.strip() else None
    if result.returncode == 1 and found:
        return Verdict(False, found.group(1), _clamscan_version(program))
    logger.error(
        "clamscan failed (exit %s): %s", result.returncode, (result.stderr or result.stdout)[-500:]
    )
    raise ScannerUnavailable(_failed())


def _failed() -> str:
    return (
        "the malware scanner failed, so the document was not accepted: the platform's operator "
        "has been told; try again later"
    )


def _has_signatures(directory: Path) -> bool:
    try:
        return any(path.suffix in _DATABASE_SUFFIXES for path in directory.iterdir())
    except OSError:
        return False


@lru_cache(maxsize=4)
def _clamscan_version(program: str) -> str:
    try:
        found = subprocess.run(
            [program, "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        found = ""
    return f"{found or 'ClamAV'} (clamscan)"


def _clamd(socket_path: str, path: Path, timeout: int) -> Verdict:
    """Stream the file to clamd (its INSTREAM command: chunks each after its length as four
    bytes in network order, then a zero length) and read its one-line answer."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(timeout)
            connection.connect(socket_path)
            connection.sendall(b"zINSTREAM\0")
            with path.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    connection.sendall(struct.pack(">I", len(chunk)) + chunk)
            connection.sendall(struct.pack(">I", 0))
            reply = _read_reply(connection)
            version = _clamd_version(socket_path, timeout)
    except (OSError, TimeoutError) as error:
        logger.error("the ClamAV daemon at %s could not scan: %s", socket_path, error)
        raise ScannerUnavailable(_failed()) from None
    if reply.endswith(" FOUND"):
        return Verdict(False, reply.removeprefix("stream: ").removesuffix(" FOUND"), version)
    if reply == "stream: OK":
        return Verdict(True, None, version)
    logger.error("the ClamAV daemon at %s answered %r", socket_path, reply[:300])
    raise ScannerUnavailable(_failed())


def _clamd_version(socket_path: str, timeout: int) -> str:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(timeout)
        connection.connect(socket_path)
        connection.sendall(b"zVERSION\0")
        return f"{_read_reply(connection)} (clamd)"


def _read_reply(connection: socket.socket) -> str:
    data = b""
    while not data.endswith(b"\0"):
        chunk = connection.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.rstrip(b"\0").decode("utf-8", "replace").strip()
