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
    first ``k`` leaves (kept for signed tree heads of earlier sizes). Every perfect subtree's
    hash is kept too (about 2n hashes in all), so that inclusion and consistency proofs for
    any earlier size are read off the stored nodes with O(log n) hashing, never by rehashing
    the log.

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
        # _levels[h][i]: the hash of the perfect subtree over leaves [i * 2**h, (i + 1) * 2**h)
        self._levels: list[list[bytes]] = [self.leaves]

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
            if height == len(self._levels):
                self._levels.append([])
            self._levels[height].append(node)
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

    def subtree_hash(self, start: int, end: int) -> bytes:
        """MTH of the leaves ``[start, end)`` from the stored nodes: a perfect, aligned range is
        one lookup; any other range is split as RFC 6962 splits it.

        Example:
            >>> log = MerkleLog()
            >>> for leaf in [b"a", b"b", b"c"]:
            ...     _ = log.append(leaf_hash(leaf))
            >>> log.subtree_hash(1, 3) == merkle_root([b"b", b"c"])
            True
        """
        n = end - start
        if not 0 <= start < end <= self.size:
            raise IndexError(f"range [{start}, {end}) is not inside a log of {self.size}")
        height = n.bit_length() - 1
        if n == 1 << height and start % n == 0:
            return self._levels[height][start >> height]
        k = _split(n)
        return node_hash(self.subtree_hash(start, start + k), self.subtree_hash(start + k, end))

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """PATH(index, D[size]) (RFC 6962 §2.1.1) for the first ``size`` leaves (default: all),
        in O(log n) hashes.

        Example:
            >>> log = MerkleLog()
            >>> for leaf in [b"a", b"b", b"c", b"d", b"e"]:
            ...     _ = log.append(leaf_hash(leaf))
            >>> log.inclusion_proof(1, 4) == inclusion_proof([b"a", b"b", b"c", b"d"], 1)
            True
        """
        size = self.size if size is None else size
        if not 0 <= index < size <= self.size:
            raise IndexError(f"leaf {index} is not in a tree of {size} (log of {self.size})")
        path, start, end = [], 0, size
        while end - start > 1:
            k = _split(end - start)
            if index < start + k:
                path.append(self.subtree_hash(start + k, end))
                end = start + k
            else:
                path.append(self.subtree_hash(start, start + k))
                start += k
        return path[::-1]

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """PROOF(old_size, D[new_size]) (RFC 6962 §2.1.2) in O(log n) hashes.

        Example:
            >>> log = MerkleLog()
            >>> for leaf in [b"a", b"b", b"c"]:
            ...     _ = log.append(leaf_hash(leaf))
            >>> log.consistency_proof(1) == consistency_proof([b"a", b"b", b"c"], 1)
            True
        """
        new_size = self.size if new_size is None else new_size
        if not 0 < old_size <= new_size <= self.size:
            raise IndexError(f"need 0 < old size {old_size} <= new size {new_size} <= "
                             f"{self.size}")
        path, start, end, m, complete = [], 0, new_size, old_size, True
        while m != end - start:
            k = _split(end - start)
            if m <= k:
                path.append(self.subtree_hash(start + k, end))
                end = start + k
            else:
                path.append(self.subtree_hash(start, start + k))
                start, m, complete = start + k, m - k, False
        if not complete:
            path.append(self.subtree_hash(start, end))
        return path[::-1]


def root_of_hashes(hashes: Sequence[bytes]) -> bytes:
    """The Merkle root of already hashed leaves.

    Example:
        >>> root_of_hashes([leaf_hash(b"a"), leaf_hash(b"b")]) == merkle_root([b"a", b"b"])
        True
    """
    return HashedTree(hashes).root()


class HashedTree:
    """A fixed RFC 6962 tree over leaf hashes, built level by level in one pass (about n node
    hashes): the root of any prefix is then read off in O(log n) — what a verifier needs to
    check a transcript's signed head and the earlier heads in every receipt.

    Example:
        >>> tree = HashedTree([leaf_hash(x) for x in [b"a", b"b", b"c"]])
        >>> tree.root() == merkle_root([b"a", b"b", b"c"])
        True
        >>> tree.root(2) == merkle_root([b"a", b"b"])
        True
    """

    def __init__(self, hashes: Sequence[bytes]) -> None:
        self.leaves = list(hashes)
        sha256 = hashlib.sha256
        # _levels[h][i]: the perfect subtree over leaves [i * 2**h, (i + 1) * 2**h)
        self._levels = [self.leaves]
        level = self.leaves
        while len(level) > 1:
            level = [sha256(b"\x01" + left + right).digest()
                     for left, right in zip(level[0::2], level[1::2])]
            self._levels.append(level)

    @property
    def size(self) -> int:
        """Number of leaves."""
        return len(self.leaves)

    def root(self, size: int | None = None) -> bytes:
        """MTH of the first ``size`` leaves (default: all): the perfect subtrees of the binary
        decomposition of ``size``, folded from the right as RFC 6962 splits.

        Example:
            >>> HashedTree([]).root().hex()[:8]
            'e3b0c442'
        """
        size = self.size if size is None else size
        if not 0 <= size <= self.size:
            raise IndexError(f"size {size} is not in 0..{self.size}")
        if size == 0:
            return hashlib.sha256(b"").digest()
        nodes, start = [], 0
        for height in range(size.bit_length() - 1, -1, -1):
            if size >> height & 1:
                nodes.append(self._levels[height][start >> height])
                start += 1 << height
        root = nodes[-1]
        for left in reversed(nodes[:-1]):
            root = node_hash(left, root)
        return root
