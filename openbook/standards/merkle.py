"""The Merkle tree head of a log (RFC 9162, section 2.1.1): pure functions, no I/O.

The tree head over leaves ``D[0:n]`` is ``MTH``: SHA-256 of the empty string for no leaves, the
leaf hash itself for one, and otherwise ``SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))`` with
``k`` the largest power of two smaller than ``n``. The log's leaf hashes are
``SHA-256(0x00 || leaf data)`` (openbook.standards.log), so the functions here take leaf hashes,
never leaf data.

Written for streams: the tree of ``n`` leaves is the perfect subtrees of the sizes of the binary
digits of ``n``, left to right, largest first, joined from the right. ``TreeHead`` keeps one
hash per binary digit, so a log of any size is hashed in O(log n) memory and one pass.

Proofs (RFC 9162 sections 2.1.3 and 2.1.4) are made from a function that gives the hash of a
*perfect* subtree, ``MTH(D[start:end])`` with ``end - start`` a power of two and ``start`` a
multiple of it: the store answers that from the subtree hashes it keeps, so a proof never reads
the whole log. Every other hash a proof needs is joined from perfect ones here.
"""

import hashlib
from collections.abc import Callable, Iterable, Sequence

# MTH(D[start:end]) of a perfect, aligned subtree: (start, end) -> 32 bytes.
Subtree = Callable[[int, int], bytes]

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


def perfect_root(hashes: Sequence[bytes]) -> bytes:
    """The root of a perfect subtree from its 2^k nodes at one height, left to right."""
    if not hashes or len(hashes) & (len(hashes) - 1):
        raise ValueError(f"a perfect subtree has a power of two of nodes, not {len(hashes)}")
    level = list(hashes)
    while len(level) > 1:
        level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def split_point(size: int) -> int:
    """k of RFC 9162 section 2.1.1: the largest power of two smaller than ``size`` (>= 2)."""
    return 1 << ((size - 1).bit_length() - 1)


def range_hash(subtree: Subtree, start: int, end: int) -> bytes:
    """``MTH(D[start:end])`` for a range of the tree's own split (``start`` a multiple of a power
    of two at least ``end - start``, as every node of RFC 9162's recursion is): its perfect
    subtrees, largest first, joined from the right."""
    if end <= start:
        return EMPTY_ROOT
    parts = []
    position, length = start, end - start
    for bit in reversed(range(length.bit_length())):
        if length >> bit & 1:
            parts.append(subtree(position, position + (1 << bit)))
            position += 1 << bit
    root = parts[-1]
    for part in reversed(parts[:-1]):
        root = node_hash(part, root)
    return root


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges ``[start, end)`` whose hashes make the inclusion proof of leaf ``index``
    in the tree of ``size`` leaves, in proof order (RFC 9162 section 2.1.3.1, PATH: the
    sibling nearest the leaf first)."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    ranges = []
    start, end = 0, size
    while end - start > 1:
        k = split_point(end - start)
        if index < start + k:
            ranges.append((start + k, end))  # PATH(m, D[0:k]) : MTH(D[k:n])
            end = start + k
        else:
            ranges.append((start, start + k))  # PATH(m - k, D[k:n]) : MTH(D[0:k])
            start += k
    return ranges[::-1]


def consistency_ranges(first: int, second: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes make the consistency proof from the tree of ``first``
    leaves to the tree of ``second``, in proof order (RFC 9162 section 2.1.4.1, SUBPROOF).
    Empty when ``first`` is 0 or equals ``second``: there is nothing to prove."""
    if not 0 <= first <= second:
        raise ValueError(f"no consistency proof from {first} leaves to {second}")
    if first in (0, second):
        return []
    ranges = []
    start, end, m, whole = 0, second, first, True
    while m != end - start:
        k = split_point(end - start)
        if m <= k:
            ranges.append((start + k, end))  # SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
            end = start + k
        else:
            ranges.append((start, start + k))  # SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
            start, m, whole = start + k, m - k, False
    if not whole:
        ranges.append((start, end))  # SUBPROOF(m, D[m], false) = {MTH(D[m])}
    return ranges[::-1]


def inclusion_proof(index: int, size: int, subtree: Subtree) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``size`` leaves (RFC 9162 2.1.3.1)."""
    return [range_hash(subtree, start, end) for start, end in inclusion_ranges(index, size)]


def consistency_proof(first: int, second: int, subtree: Subtree) -> list[bytes]:
    """The proof that the tree of ``first`` leaves is a prefix of the tree of ``second``
    (RFC 9162 2.1.4.1)."""
    return [range_hash(subtree, start, end) for start, end in consistency_ranges(first, second)]


def verify_inclusion(
    leaf_hash: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Whether ``proof`` shows the leaf at ``index`` in the tree of ``tree_size`` leaves with
    this root: RFC 9162 section 2.1.3.2, step by step."""
    if not 0 <= index < tree_size or not _hashes(leaf_hash, root, *proof):
        return False
    fn, sn, r = index, tree_size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    first_size: int,
    second_size: int,
    first_root: bytes,
    second_root: bytes,
    proof: Sequence[bytes],
) -> bool:
    """Whether ``proof`` shows the tree of ``first_size`` leaves (``first_root``) to be a prefix
    of the tree of ``second_size`` (``second_root``): RFC 9162 section 2.1.4.2, step by step.
    The cases the RFC leaves out are decided as its generation defines them: an empty first tree
    and equal sizes need an empty proof (and, for equal sizes, equal roots)."""
    if not 0 <= first_size <= second_size or not _hashes(first_root, second_root, *proof):
        return False
    if first_size == 0:
        return not proof and first_root == EMPTY_ROOT
    if first_size == second_size:
        return not proof and first_root == second_root
    if not proof:  # 1.
        return False
    path = list(proof)
    if first_size & (first_size - 1) == 0:  # 2. first is an exact power of 2
        path.insert(0, first_root)
    fn, sn = first_size - 1, second_size - 1  # 3.
    while fn & 1:  # 4.
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]  # 5.
    for c in path[1:]:  # 6.
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0  # 7.


def _hashes(*values: bytes) -> bool:
    return all(isinstance(value, bytes) and len(value) == 32 for value in values)
