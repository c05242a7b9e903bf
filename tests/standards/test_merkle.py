"""The log's tree head (RFC 9162 section 2.1.1), against the published vectors and against the
definition written out as plainly as possible."""

import hashlib

import pytest

from openbook.standards.merkle import EMPTY_ROOT, TreeHead, tree_head


def leaf(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def reference_root(leaf_hashes: list[bytes]) -> bytes:
    """MTH exactly as RFC 9162 section 2.1.1 defines it, recursively."""
    n = len(leaf_hashes)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaf_hashes[0]
    k = 1
    while k * 2 < n:
        k *= 2
    left, right = reference_root(leaf_hashes[:k]), reference_root(leaf_hashes[k:])
    return hashlib.sha256(b"\x01" + left + right).digest()


# The reference vectors of RFC 6962 (whose tree hashing RFC 9162 keeps unchanged), from the
# certificate-transparency project's merkle tree tests: eight leaves' data, and the root of
# each prefix of them.
VECTOR_LEAVES = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
]
VECTOR_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def test_the_empty_tree_is_the_hash_of_nothing():
    assert tree_head([]) == (0, hashlib.sha256(b"").digest())
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


@pytest.mark.parametrize("size", range(1, 9))
def test_published_vectors(size):
    hashes = [leaf(bytes.fromhex(data)) for data in VECTOR_LEAVES[:size]]
    assert tree_head(hashes) == (size, bytes.fromhex(VECTOR_ROOTS[size - 1]))


def test_every_size_up_to_70_matches_the_definition():
    hashes = [leaf(i.to_bytes(2, "big")) for i in range(70)]
    head = TreeHead()
    assert head.root() == reference_root([])
    for size in range(1, 71):
        head.add(hashes[size - 1])
        # root() can be asked at any point without ending the stream.
        assert head.root() == reference_root(hashes[:size]), size
        assert head.size == size


def test_memory_is_one_hash_per_binary_digit():
    head = TreeHead()
    for i in range(1000):
        head.add(leaf(i.to_bytes(2, "big")))
        assert len(head._stack) == bin(head.size).count("1")


def test_hex_leaf_hashes_as_stored():
    hashes = [leaf(bytes([i])) for i in range(5)]
    head = TreeHead()
    for value in hashes:
        head.add_hex(value.hex())
    assert head.root() == reference_root(hashes)


def test_a_leaf_hash_is_32_bytes():
    with pytest.raises(ValueError, match="32 bytes"):
        TreeHead().add(b"short")
