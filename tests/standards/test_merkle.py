"""The log's tree head and proofs (RFC 9162 sections 2.1.1, 2.1.3, 2.1.4), against the published
vectors and against the definitions written out as plainly as possible."""

import hashlib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openbook.standards import merkle
from openbook.standards.merkle import EMPTY_ROOT, TreeHead, tree_head
from tests.standards.test_log_format import PAGE


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


# Proofs (RFC 9162 sections 2.1.3 and 2.1.4): generated from stored-like subtree hashes, against
# the RFC's recursive definitions written out plainly, and verified by the RFC's algorithms.


def reference_path(m: int, leaves: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]) exactly as RFC 9162 section 2.1.3.1 defines it."""
    n = len(leaves)
    if n == 1:
        return []
    k = merkle.split_point(n)
    if m < k:
        return [*reference_path(m, leaves[:k]), reference_root(leaves[k:])]
    return [*reference_path(m - k, leaves[k:]), reference_root(leaves[:k])]


def reference_subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b) exactly as RFC 9162 section 2.1.4.1 defines it."""
    n = len(leaves)
    if m == n:
        return [] if whole else [reference_root(leaves)]
    k = merkle.split_point(n)
    if m <= k:
        return [*reference_subproof(m, leaves[:k], whole), reference_root(leaves[k:])]
    return [*reference_subproof(m - k, leaves[k:], False), reference_root(leaves[:k])]


def reference_proof(m: int, leaves: list[bytes]) -> list[bytes]:
    return [] if m in (0, len(leaves)) else reference_subproof(m, leaves, True)


def perfect_only(leaves: list[bytes]):
    """A subtree function that, like the store's, answers only perfect aligned subtrees."""

    def subtree(start: int, end: int) -> bytes:
        size = end - start
        assert size & (size - 1) == 0 and start % size == 0, (start, end)
        return reference_root(leaves[start:end])

    return subtree


def tree_of(size: int) -> list[bytes]:
    return [leaf(i.to_bytes(4, "big")) for i in range(size)]


@pytest.mark.parametrize("size", range(1, 65))
def test_every_proof_up_to_64_leaves_is_the_rfc_definition_and_verifies(size):
    leaves = tree_of(size)
    subtree, root = perfect_only(leaves), reference_root(leaves)
    for m in range(size):
        proof = merkle.inclusion_proof(m, size, subtree)
        assert proof == reference_path(m, leaves), (m, size)
        assert merkle.verify_inclusion(leaves[m], m, size, proof, root)
    for m in range(size + 1):
        first = reference_root(leaves[:m])
        proof = merkle.consistency_proof(m, size, subtree)
        assert proof == reference_proof(m, leaves), (m, size)
        assert merkle.verify_consistency(m, size, first, root, proof)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 300).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1))))
def test_inclusion_for_sizes_up_to_300(case):
    size, m = case
    leaves = tree_of(size)
    root = reference_root(leaves)
    proof = merkle.inclusion_proof(m, size, perfect_only(leaves))
    assert proof == reference_path(m, leaves)
    assert merkle.verify_inclusion(leaves[m], m, size, proof, root)
    # Any other leaf, index, size, root or path fails.
    other = leaf(b"other")
    assert not merkle.verify_inclusion(other, m, size, proof, root)
    assert not merkle.verify_inclusion(leaves[m], m, size, proof, other)
    assert not merkle.verify_inclusion(leaves[m], m, size, [*proof, other], root)
    if proof:
        assert not merkle.verify_inclusion(leaves[m], m, size, proof[:-1], root)
        changed = [other, *proof[1:]]
        assert not merkle.verify_inclusion(leaves[m], m, size, changed, root)
    if size > 1:
        assert not merkle.verify_inclusion(leaves[m], (m + 1) % size, size, proof, root)
    assert not merkle.verify_inclusion(leaves[m], size, size, proof, root)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 300).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))))
def test_consistency_for_sizes_up_to_300(case):
    second, first = case
    leaves = tree_of(second)
    old, new = reference_root(leaves[:first]), reference_root(leaves)
    proof = merkle.consistency_proof(first, second, perfect_only(leaves))
    assert proof == reference_proof(first, leaves)
    assert merkle.verify_consistency(first, second, old, new, proof)
    other = leaf(b"other")
    if 0 < first < second:
        assert not merkle.verify_consistency(first, second, other, new, proof)
        assert not merkle.verify_consistency(first, second, old, other, proof)
        assert not merkle.verify_consistency(first, second, old, new, proof[:-1])
        assert not merkle.verify_consistency(first, second, old, new, [*proof, other])
        assert not merkle.verify_consistency(first, second, old, new, [other, *proof[1:]])
        # A tree that rewrote an entry below first is not consistent with the old head.
        forked = [*leaves[: first - 1], other, *leaves[first:]]
        assert not merkle.verify_consistency(
            first, second, old, reference_root(forked), reference_proof(first, forked)
        )
    assert not merkle.verify_consistency(second + 1, second, new, new, [])


def test_the_cases_the_rfc_leaves_out():
    leaves = tree_of(5)
    root = reference_root(leaves)
    assert merkle.verify_consistency(0, 5, EMPTY_ROOT, root, [])
    assert not merkle.verify_consistency(0, 5, root, root, [])  # an empty tree has its own root
    assert not merkle.verify_consistency(0, 5, EMPTY_ROOT, root, [root])
    assert merkle.verify_consistency(5, 5, root, root, [])
    assert not merkle.verify_consistency(5, 5, root, EMPTY_ROOT, [])
    assert not merkle.verify_consistency(5, 5, root, root, [root])
    assert not merkle.verify_inclusion(leaves[0], 0, 0, [], EMPTY_ROOT)
    assert not merkle.verify_inclusion(b"short", 0, 1, [], b"short")  # hashes are 32 bytes
    with pytest.raises(ValueError, match="not in a tree"):
        merkle.inclusion_ranges(5, 5)
    with pytest.raises(ValueError, match="no consistency proof"):
        merkle.consistency_ranges(6, 5)


def test_range_hash_joins_perfect_subtrees_only():
    leaves = tree_of(300)
    subtree = perfect_only(leaves)
    for size in range(301):
        assert merkle.range_hash(subtree, 0, size) == reference_root(leaves[:size])
    assert merkle.range_hash(subtree, 256, 300) == reference_root(leaves[256:300])
    with pytest.raises(ValueError, match="power of two"):
        merkle.perfect_root(leaves[:3])


def _vector_hashes(label: str) -> list[bytes]:
    match = re.search(rf"- {re.escape(label)}: `([^`]+)`", PAGE)
    assert match, f"docs/log-format.md has no vector '{label}'"
    return [bytes.fromhex(value.strip()) for value in match.group(1).split(",")]


def test_the_tree_vectors_in_log_format_md():
    rows = re.findall(
        r"^\| (\d) \| (?:\(empty\)|`([0-9a-f]*)`) \| `([0-9a-f]{64})` \| `([0-9a-f]{64})` \|$",
        PAGE,
        re.MULTILINE,
    )
    assert len(rows) == 8
    leaves = []
    for number, data, leaf_hash, root in rows:
        leaves.append(leaf(bytes.fromhex(data)))
        assert leaves[-1].hex() == leaf_hash
        assert tree_head(leaves) == (int(number), bytes.fromhex(root))
        assert root == VECTOR_ROOTS[int(number) - 1]
    subtree = perfect_only(leaves)
    for m, n in ((0, 8), (5, 8), (2, 7)):
        proof = _vector_hashes(f"inclusion of leaf {m} in the tree of {n}")
        assert merkle.inclusion_proof(m, n, subtree) == proof
        assert merkle.verify_inclusion(leaves[m], m, n, proof, reference_root(leaves[:n]))
    for m, n in ((6, 8), (3, 7), (4, 7)):
        proof = _vector_hashes(f"consistency of the tree of {m} with the tree of {n}")
        assert merkle.consistency_proof(m, n, subtree) == proof
        old, new = reference_root(leaves[:m]), reference_root(leaves[:n])
        assert merkle.verify_consistency(m, n, old, new, proof)
