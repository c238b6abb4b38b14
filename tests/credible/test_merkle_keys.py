"""RFC 6962 Merkle trees, canonical JSON commitments and Ed25519 signatures.

Known answers: the Certificate Transparency reference test vectors (the 8 leaves '', 00, 10,
2021, 3031, 40414243, 5051…57, 6061…6f, whose tree roots for sizes 1, 2, 4 and 8 are listed in
the CT project's merkle tree tests for RFC 6962); the empty tree hash is SHA-256 of nothing.
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hurwicz.core.errors import InputError
from hurwicz.credible.canonical import canonical_bytes, commitment
from hurwicz.credible.keys import generate_key, load_private, private_hex, public_hex, sign, verify
from hurwicz.credible.merkle import (
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    merkle_root,
    verify_consistency,
    verify_inclusion,
)

CT_LEAVES = [bytes.fromhex(h) for h in [
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f"]]
CT_ROOTS = {
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}


def test_certificate_transparency_vectors() -> None:
    assert merkle_root([]) == hashlib.sha256(b"").digest()
    for size, root in CT_ROOTS.items():
        assert merkle_root(CT_LEAVES[:size]).hex() == root


leaf_lists = st.lists(st.binary(max_size=8), min_size=1, max_size=40, unique=True)


@settings(max_examples=60)
@given(leaf_lists, st.data())
def test_every_inclusion_proof_verifies_and_tampering_fails(leaves, data) -> None:
    root = merkle_root(leaves)
    n = len(leaves)
    i = data.draw(st.integers(0, n - 1))
    proof = inclusion_proof(leaves, i)
    assert verify_inclusion(leaf_hash(leaves[i]), i, n, proof, root)
    assert not verify_inclusion(leaf_hash(leaves[i] + b"!"), i, n, proof, root)
    if n > 1:
        j = (i + 1) % n
        if leaves[j] != leaves[i]:
            assert not verify_inclusion(leaf_hash(leaves[i]), j, n, proof, root)
        assert not verify_inclusion(leaf_hash(leaves[i]), i, n, proof, merkle_root(leaves[1:]))


@settings(max_examples=60)
@given(leaf_lists, st.data())
def test_every_consistency_proof_verifies_and_forks_fail(leaves, data) -> None:
    n = len(leaves)
    m = data.draw(st.integers(1, n))
    proof = consistency_proof(leaves, m)
    old, new = merkle_root(leaves[:m]), merkle_root(leaves)
    assert verify_consistency(m, n, old, new, proof)
    # a forked history (one old entry rewritten) is not consistent with the new root
    forked = list(leaves[:m])
    forked[data.draw(st.integers(0, m - 1))] += b"fork"
    assert not verify_consistency(m, n, merkle_root(forked), new, proof)


def test_canonical_encoding_and_commitments() -> None:
    assert canonical_bytes({"b": 2, "a": {"d": 1, "c": [1, 2]}}) == \
        b'{"a":{"c":[1,2],"d":1},"b":2}'
    assert canonical_bytes({"x": "é"}) == '{"x":"é"}'.encode()
    with pytest.raises(InputError):
        canonical_bytes({"x": object()})
    c = commitment("round-1", {"bid": 10}, "salt")
    assert c == commitment("round-1", {"bid": 10}, "salt")
    assert c != commitment("round-2", {"bid": 10}, "salt")
    assert c != commitment("round-1", {"bid": 11}, "salt")


def test_ed25519_signatures() -> None:
    key = generate_key()
    doc = {"round": "r1", "commitment": "ab" * 32}
    sig = sign(key, "commit", doc)
    assert verify(public_hex(key), "commit", doc, sig)
    assert not verify(public_hex(key), "commit", {**doc, "round": "r2"}, sig)
    assert not verify(public_hex(generate_key()), "commit", doc, sig)
    assert public_hex(load_private(private_hex(key))) == public_hex(key)
    with pytest.raises(InputError, match="key"):
        load_private("not-hex")
