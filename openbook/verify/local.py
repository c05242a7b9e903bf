"""A verifier's own copy of a log's tree, built from leaf hashes it recomputed: the root at any
size, and the hash of any subtree, so that it can be compared with what a log serves.

Memory stays small whatever the log: the leaf hashes go to a temporary file (32 bytes each), and
only the nodes over each block of 256 leaves are kept in memory.
"""

import tempfile

from openbook.standards import merkle

BLOCK = 256


class LocalTree:
    def __init__(self) -> None:
        self.head = merkle.TreeHead()
        self.blocks: list[bytes] = []  # the node over each complete block of 256 leaves
        self._block: list[bytes] = []
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())

    @property
    def size(self) -> int:
        return self.head.size

    def add(self, leaf_hash: bytes) -> None:
        self.head.add(leaf_hash)
        self._file.write(leaf_hash)
        self._block.append(leaf_hash)
        if len(self._block) == BLOCK:
            self.blocks.append(merkle.perfect_root(self._block))
            self._block = []

    def root(self, size: int | None = None) -> bytes:
        """The root of the tree of the first ``size`` leaves (default: all)."""
        if size is None or size == self.size:
            return self.head.root()
        return merkle.range_hash(self.subtree, 0, size)

    def leaves(self, start: int, stop: int) -> list[bytes]:
        self._file.flush()
        self._file.seek(start * 32)
        data = self._file.read((stop - start) * 32)
        self._file.seek(0, 2)
        return [data[i : i + 32] for i in range(0, len(data), 32)]

    def subtree(self, start: int, end: int) -> bytes:
        """MTH of a perfect, aligned subtree (merkle.Subtree)."""
        if end - start >= BLOCK:
            return merkle.perfect_root(self.blocks[start // BLOCK : end // BLOCK])
        return merkle.perfect_root(self.leaves(start, end))

    def close(self) -> None:
        self._file.close()
