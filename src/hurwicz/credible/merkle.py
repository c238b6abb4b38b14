"""RFC 6962 Merkle trees (Certificate Transparency): leaf hash SHA-256(0x00 ‖ d), node hash
SHA-256(0x01 ‖ left ‖ right), split at the largest power of two below n; inclusion and
consistency proofs and their verification (RFC 9162 §2.1.3–2.1.4).

Example:
    >>> leaves = [b"a", b"b", b"c"]
    >>> root = merkle_root(leaves)
    >>> verify_inclusion(leaf_hash(b"c"), 2, 3, inclusion_proof(leaves, 2), root)
    True
    >>> verify_consistency(1, 3, merkle_root(leaves[:1]), root, consistency_proof(leaves, 1))
    True
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 ‖ data).

    Example:
        >>> leaf_hash(b"").hex()[:8]
        '6e340b9c'
    """
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right).

    Example:
        >>> len(node_hash(b"x" * 32, b"y" * 32))
        32
    """
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """The Merkle tree hash MTH of the leaves (SHA-256 of nothing for an empty tree).

    Example:
        >>> merkle_root([]).hex()[:8]
        'e3b0c442'
    """
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaf_hash(leaves[0])
    k = _split(n)
    return node_hash(merkle_root(leaves[:k]), merkle_root(leaves[k:]))


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The audit path PATH(index, D[n]).

    Example:
        >>> len(inclusion_proof([b"a", b"b", b"c", b"d"], 0))
        2
    """
    n = len(leaves)
    if not 0 <= index < n:
        raise IndexError(f"leaf {index} is not in a tree of {n}")
    if n == 1:
        return []
    k = _split(n)
    if index < k:
        return [*inclusion_proof(leaves[:k], index), merkle_root(leaves[k:])]
    return [*inclusion_proof(leaves[k:], index - k), merkle_root(leaves[:k])]


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes],
                     root: bytes) -> bool:
    """Check that ``leaf`` (a leaf hash) is at ``index`` in the tree of ``size`` with ``root``.

    Example:
        >>> verify_inclusion(leaf_hash(b"a"), 0, 1, [], leaf_hash(b"a"))
        True
    """
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
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


def _subproof(m: int, leaves: Sequence[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [merkle_root(leaves)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, leaves[:k], complete), merkle_root(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], False), merkle_root(leaves[:k])]


def consistency_proof(leaves: Sequence[bytes], old_size: int) -> list[bytes]:
    """PROOF(m, D[n]): shows the tree of the first ``old_size`` leaves is a prefix.

    Example:
        >>> consistency_proof([b"a", b"b"], 2)
        []
    """
    if not 0 < old_size <= len(leaves):
        raise IndexError(f"old size {old_size} must be in 1..{len(leaves)}")
    return _subproof(old_size, leaves, True)


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes,
                       proof: Sequence[bytes]) -> bool:
    """Check that the tree of ``old_size`` with ``old_root`` is a prefix of the tree of
    ``new_size`` with ``new_root``.

    Example:
        >>> verify_consistency(2, 2, b"r", b"r", [])
        True
    """
    if old_size < 1 or old_size > new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is a subtree
        path = [old_root, *path]
    if not path:
        return False
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
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
    return fr == old_root and sr == new_root and sn == 0


class MerkleLog:
    """An append-only RFC 6962 tree kept as its frontier (the roots of its perfect subtrees),
    so that appending and reading the root cost O(log n). ``roots[k]`` is the root after the
    first ``k`` leaves (kept for signed tree heads of earlier sizes).

    Example:
        >>> log = MerkleLog()
        >>> for leaf in [b"a", b"b", b"c"]:
        ...     _ = log.append(leaf_hash(leaf))
        >>> log.root() == merkle_root([b"a", b"b", b"c"]), log.size
        (True, 3)
    """

    def __init__(self) -> None:
        self.leaves: list[bytes] = []
        self._frontier: list[tuple[int, bytes]] = []  # (height, hash), heights decreasing
        self.roots: list[bytes] = [hashlib.sha256(b"").digest()]

    @property
    def size(self) -> int:
        """Number of leaves appended."""
        return len(self.leaves)

    def append(self, hashed_leaf: bytes) -> bytes:
        """Append a leaf *hash* (see :func:`leaf_hash`) and return the new root.

        Example:
            >>> MerkleLog().append(leaf_hash(b"a")) == merkle_root([b"a"])
            True
        """
        self.leaves.append(hashed_leaf)
        height, node = 0, hashed_leaf
        while self._frontier and self._frontier[-1][0] == height:
            _, left = self._frontier.pop()
            node = node_hash(left, node)
            height += 1
        self._frontier.append((height, node))
        root = self._frontier[-1][1]
        for _, left in reversed(self._frontier[:-1]):
            root = node_hash(left, root)
        self.roots.append(root)
        return root

    def root(self, size: int | None = None) -> bytes:
        """The root of the first ``size`` leaves (default: all).

        Example:
            >>> MerkleLog().root().hex()[:8]
            'e3b0c442'
        """
        return self.roots[self.size if size is None else size]


def root_of_hashes(hashes: Sequence[bytes]) -> bytes:
    """The Merkle root of already hashed leaves.

    Example:
        >>> root_of_hashes([leaf_hash(b"a"), leaf_hash(b"b")]) == merkle_root([b"a", b"b"])
        True
    """
    log = MerkleLog()
    for h in hashes:
        log.append(h)
    return log.root()
