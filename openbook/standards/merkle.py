"""The Merkle tree head of a log (RFC 9162, section 2.1.1): pure functions, no I/O.

The tree head over leaves ``D[0:n]`` is ``MTH``: SHA-256 of the empty string for no leaves, the
leaf hash itself for one, and otherwise ``SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))`` with
``k`` the largest power of two smaller than ``n``. The log's leaf hashes are
``SHA-256(0x00 || leaf data)`` (openbook.standards.log), so the functions here take leaf hashes,
never leaf data.

Written for streams: the tree of ``n`` leaves is the perfect subtrees of the sizes of the binary
digits of ``n``, left to right, largest first, joined from the right. ``TreeHead`` keeps one
hash per binary digit, so a log of any size is hashed in O(log n) memory and one pass.
"""

import hashlib
from collections.abc import Iterable

EMPTY_ROOT = hashlib.sha256(b"").digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """An interior node (RFC 9162 section 2.1.1: the 0x01 prefix keeps nodes and leaves apart)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


class TreeHead:
    """The tree head of the leaves added so far, computed as they stream in."""

    def __init__(self) -> None:
        self.size = 0
        # Roots of perfect subtrees, largest first; their sizes are the binary digits of size.
        self._stack: list[bytes] = []

    def add(self, leaf_hash: bytes) -> None:
        """Add the next leaf, by its leaf hash (32 bytes)."""
        if len(leaf_hash) != 32:
            raise ValueError(f"a leaf hash is 32 bytes, not {len(leaf_hash)}")
        self._stack.append(leaf_hash)
        self.size += 1
        # Each trailing 1 bit that the increment turned into 0 is two equal subtrees to join.
        carries = self.size
        while carries & 1 == 0:
            right = self._stack.pop()
            self._stack[-1] = node_hash(self._stack[-1], right)
            carries >>= 1

    def add_hex(self, leaf_hash: str) -> None:
        self.add(bytes.fromhex(leaf_hash))

    def root(self) -> bytes:
        """MTH of the leaves so far (does not end the stream: more leaves may follow)."""
        if not self._stack:
            return EMPTY_ROOT
        root = self._stack[-1]
        for subtree in reversed(self._stack[:-1]):
            root = node_hash(subtree, root)
        return root


def tree_head(leaf_hashes: Iterable[bytes]) -> tuple[int, bytes]:
    """The size and root hash of the tree of these leaf hashes."""
    head = TreeHead()
    for leaf_hash in leaf_hashes:
        head.add(leaf_hash)
    return head.size, head.root()
