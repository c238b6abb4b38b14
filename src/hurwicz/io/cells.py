"""Splitting a large text file into cells with array operations (the bulk readers of CSV rankings
and PrefLib files).

The bytes are split at separator characters (``,`` and line ends, say); each cell becomes one
key — its bytes read as little-endian 64-bit words, folded into one when the cell is longer than
8 bytes — and equal cells get one number. Only the distinct cells are decoded (a few dozen
names or numbers, where a file holds millions of cells), so the readers validate each distinct
text once in Python and everything else stays in numpy.

Keys are exact for cells of up to 8 bytes (a cell holds no NUL byte, so the zero padding cannot
be confused with content); for longer cells every cell is compared word by word with the first
cell of its key, so a collision of folded keys costs time, never a wrong answer.

Example:
    >>> cells = split_cells(b"b,a\\nb,c\\n", 0, b",\\n")
    >>> cells.codes.tolist(), cells.texts, cells.separators.tolist()
    ([1, 0, 1, 2], ['a', 'b', 'c'], [44, 10, 44, 10])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

#: Longest cell split in bulk (bytes of UTF-8); readers read files with longer cells line by
#: line.
MAX_CELL = 64
#: (1 << 8k) − 1: the low k bytes of a little-endian word
_LOW_BYTES = np.array([(1 << (8 * k)) - 1 for k in range(9)], dtype=np.uint64)
#: Odd multipliers: they fold the words of a long cell into one key, and hash keys into a
#: table (:func:`find_keys`).
_ODD = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9,
                 0xD6E8FEB86659FD93, 0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53,
                 0x94D049BB133111EB, 0xBF58476D1CE4E5B9], dtype=np.uint64)


@dataclass
class Cells:
    """The cells of a text: which separator ends each, its number among the distinct cells
    (``codes``), the distinct cells' texts (by number), the index of the first cell of each,
    and each cell's size in bytes."""

    separators: np.ndarray
    codes: np.ndarray
    texts: list[str]
    first: np.ndarray
    sizes: np.ndarray


#: Bytes of text split at a time: the arrays of one piece stay small (no fresh memory for
#: each step, and in cache), only each cell's code, separator and size cover the whole text.
_PIECE = 1 << 20
#: Zero bytes after a piece: every word read from a cell start stays inside.
_PAD = bytes(MAX_CELL + 8)


def split_cells(raw: bytes, offset: int, separators: bytes) -> Cells | None:
    """The cells of ``raw[offset:]`` (which must end with a separator), or ``None`` when the
    text holds a NUL byte or a cell longer than :data:`MAX_CELL` bytes. Texts are decoded as
    UTF-8 (the caller has decoded the whole text already, so they decode).

    The text is split piece by piece (about :data:`_PIECE` bytes, ending at a separator);
    a cell's key depends on its bytes alone (exact up to 8 bytes, folded beyond), and every
    cell is compared with the first cell of its key (size and words).

    Example:
        >>> split_cells(b"x,y", 0, b",\\n") is None  # no separator at the end
        True
    """
    if not raw.endswith(tuple(bytes([c]) for c in separators)) or raw.find(b"\0", offset) >= 0:
        return None
    seps = list(separators)
    reuse_freed_memory()
    keys = _Keys()
    codes: list[np.ndarray] = []
    kinds: list[np.ndarray] = []
    sizes: list[np.ndarray] = []
    base = 0  # cells before the piece
    start = offset
    while start < len(raw):
        stop = len(raw)
        if stop - start > _PIECE:  # end the piece after its last separator
            stop = max(raw.rfind(bytes([c]), start, start + _PIECE) for c in seps) + 1
            if stop <= start:
                return None  # a cell longer than a piece
        piece = raw[start:stop] + _PAD
        chars = np.frombuffer(piece, dtype=np.uint8, count=stop - start)
        is_end = chars == seps[0]
        for sep in seps[1:]:
            is_end |= chars == sep
        ends = np.flatnonzero(is_end)
        starts = np.empty_like(ends)
        starts[0] = 0
        np.add(ends[:-1], 1, out=starts[1:])
        size = ends - starts
        if int(size.max()) > MAX_CELL:
            return None
        code = keys.number(piece, starts, size, base)
        if code is None:  # two different cells share a key
            return _split_by_text(raw, offset, separators)
        codes.append(code)
        kinds.append(chars[ends])
        sizes.append(size.astype(np.uint8))
        base += len(ends)
        start = stop
    return Cells(np.concatenate(kinds), np.concatenate(codes), keys.texts,
                 np.asarray(keys.first, dtype=np.int64), np.concatenate(sizes))


def reuse_freed_memory() -> None:
    """Take one large block and give it back, once: glibc's ``malloc`` then keeps blocks of up
    to that size on its heap for reuse instead of mapping fresh (zeroed, page-faulted) memory
    for every array of a piece and unmapping it after. Other allocators ignore it; an array
    that is never written costs no memory.

    Example:
        >>> reuse_freed_memory()
    """
    global _REUSING
    if not _REUSING:
        _REUSING = True
        block = np.empty(_REUSE_BYTES, dtype=np.uint8)
        del block


#: Size of the block :func:`reuse_freed_memory` takes (below glibc's 32 MiB ceiling for
#: the threshold it adjusts).
_REUSE_BYTES = 24 << 20
_REUSING = False


class _Keys:
    """The distinct cells met so far: their keys, sizes, words and texts, and a lookup table
    from key to number."""

    def __init__(self) -> None:
        self.keys = np.zeros(0, dtype=np.uint64)
        self.sizes = np.zeros(0, dtype=np.int64)
        self.words: list[np.ndarray] = []  # word j of each distinct cell (zero beyond it)
        self.texts: list[str] = []
        self.first: list[int] = []
        self._find: Any = None

    def number(self, piece: bytes, starts: np.ndarray, size: np.ndarray, base: int
               ) -> np.ndarray | None:
        """Each cell's number (new cells numbered in order of their keys), or ``None`` when
        two different cells have one key."""
        # every byte offset read as a little-endian 64-bit word (unaligned)
        at = np.ndarray((len(piece) - 7,), dtype="<u8", buffer=piece, strides=(1,))
        words = max(1, -(-int(size.max()) // 8))
        word = [at[starts] & _LOW_BYTES[np.minimum(size, 8)]]
        key = word[0]
        for j in range(1, words):  # no NUL byte: the zero padding of a word is no content
            word.append(at[starts + 8 * j] & _LOW_BYTES[np.clip(size - 8 * j, 0, 8)])
            key = np.where(size > 8 * j, key * _ODD[0] + word[j] * _ODD[j], key)
        for attempt in range(2):
            place = self._lookup(key)
            same = (self.keys[place] == key) & (self.sizes[place] == size) if len(
                self.keys) else np.zeros(len(key), dtype=bool)
            for j in range(1, words):
                if len(self.keys):
                    same &= self._word(j)[place] == word[j]
            if same.all():
                return place.astype(np.int32)
            if attempt:
                return None
            new = np.flatnonzero(~same)
            _, at_new = np.unique(key[new], return_index=True)
            cells = new[at_new]
            self._add(piece, starts[cells], size[cells], key[cells],
                      [w[cells] for w in word], base + cells)
        return None

    def _word(self, j: int) -> np.ndarray:
        return self.words[j] if j < len(self.words) else np.zeros(len(self.keys), np.uint64)

    def _add(self, piece: bytes, starts: np.ndarray, size: np.ndarray, key: np.ndarray,
             word: list[np.ndarray], first: np.ndarray) -> None:
        n = len(self.keys)
        self.keys = np.concatenate([self.keys, key])
        self.sizes = np.concatenate([self.sizes, size])
        width = max(len(self.words), len(word))
        self.words = [np.concatenate([self._word(j)[:n] if j < len(self.words) else
                                      np.zeros(n, np.uint64),
                                      word[j] if j < len(word) else
                                      np.zeros(len(key), np.uint64)])
                      for j in range(width)]
        self.texts += [piece[s:s + k].decode("utf-8")
                       for s, k in zip(starts.tolist(), size.tolist())]
        self.first += first.tolist()
        self._find = None

    def _lookup(self, key: np.ndarray) -> np.ndarray:
        if not len(self.keys):
            return np.zeros(len(key), dtype=np.int64)
        if self._find is None:
            self._find = _finder(self.keys)
        return self._find(key)


def _finder(known: np.ndarray) -> Any:
    """A function from keys to the index of an equal known key (some index if none is)."""
    if len(known) <= 1 << 16:
        bits = max(2, int(len(known) * 4 - 1).bit_length())
        shift = np.uint64(64 - bits)
        for multiplier in _ODD:
            slots = ((known * multiplier) >> shift).view(np.int64)
            if len(np.unique(slots)) == len(known):
                table = np.zeros(1 << bits, dtype=np.int64)
                table[slots] = np.arange(len(known))
                return lambda keys, m=multiplier, t=table: t[((keys * m) >> shift).view(
                    np.int64)]
    order = np.argsort(known)
    ordered = known[order]
    return lambda keys: order[np.minimum(np.searchsorted(ordered, keys), len(known) - 1)]


def _split_by_text(raw: bytes, offset: int, separators: bytes) -> Cells | None:
    """:func:`split_cells` numbering the cells' texts themselves (when two differ in a key);
    ``None`` for a cell longer than :data:`MAX_CELL` bytes (sizes are kept as bytes)."""
    chars = np.frombuffer(raw, dtype=np.uint8, offset=offset)
    is_end = np.isin(chars, np.frombuffer(separators, dtype=np.uint8))
    ends = np.flatnonzero(is_end)
    starts = np.concatenate([[0], ends[:-1] + 1])
    if int((ends - starts).max()) > MAX_CELL:  # the pieces not split yet were not checked
        return None
    texts = [raw[offset + s:offset + e].decode("utf-8")
             for s, e in zip(starts.tolist(), ends.tolist())]
    number: dict[str, int] = {}
    codes = np.fromiter((number.setdefault(t, len(number)) for t in texts), dtype=np.int64,
                        count=len(texts))
    _, firsts = np.unique(codes, return_index=True)  # codes 0..k−1: each one's first cell
    return Cells(chars[ends], codes, list(number), firsts,
                 (ends - starts).astype(np.uint8))


def find_keys(known: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """For each key, the index of an equal one among the distinct ``known`` keys (some index
    when none is equal: the caller compares): a multiplicative hash into a table where the
    known keys do not collide, else a binary search.

    Example:
        >>> find_keys(np.array([7, 3], dtype=np.uint64),
        ...           np.array([3, 7, 3], dtype=np.uint64)).tolist()
        [1, 0, 1]
    """
    if len(known) <= 1 << 16:
        bits = max(2, int(len(known) * 4 - 1).bit_length())
        shift = np.uint64(64 - bits)
        for multiplier in _ODD:
            slots = (known * multiplier) >> shift
            if len(np.unique(slots)) == len(known):
                table = np.zeros(1 << bits, dtype=np.int64)
                table[slots] = np.arange(len(known))
                return table[(keys * multiplier) >> shift]
    order = np.argsort(known)
    return order[np.minimum(np.searchsorted(known[order], keys), len(known) - 1)]
