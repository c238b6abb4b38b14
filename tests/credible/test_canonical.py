"""Cryptographic hygiene (issue #14, section 4): RFC 8785 canonical JSON, full-hash round ids,
domain-separated signatures — and a verifier in another language (JavaScript, run by Node.js
when it is installed) reproducing the canonical bytes, hashes and signatures.

Known answers: RFC 8785 (JSON Canonicalization Scheme), §3.2.2 (the example with numbers,
strings and literals), §3.2.3 (sorting by UTF-16 code units) and Appendix B (IEEE 754 doubles
and their ECMAScript serialisation); RFC 8032 §7.1 test 1 (the Ed25519 key pair).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import struct
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hurwicz.core.errors import InputError
from hurwicz.credible.canonical import (
    canonical_bytes,
    canonical_text,
    commitment,
    format_number,
    loads,
)
from hurwicz.credible.keys import (
    SIGNATURE_KINDS,
    load_private,
    public_hex,
    sign,
    signing_bytes,
    verify,
)
from hurwicz.credible.receipts import receipt_problems, sign_receipt, sign_tree_head
from hurwicz.credible.rules import make_rules, round_id, rules_hash
from hurwicz.credible.state import signed_commit

# RFC 8785 Appendix B: IEEE 754 bit patterns and the JSON text ECMAScript writes for them
RFC8785_NUMBERS = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]
RFC8032_SECRET = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
RFC8032_PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"


def double(bits: str) -> float:
    return struct.unpack(">d", bytes.fromhex(bits))[0]


@pytest.mark.parametrize(("bits", "text"), RFC8785_NUMBERS)
def test_numbers_as_ecmascript_writes_them(bits, text):
    assert format_number(double(bits)) == text
    assert canonical_text([double(bits)]) == f"[{text}]"


@pytest.mark.parametrize("bits", ["7fffffffffffffff", "7ff0000000000000", "fff0000000000000"])
def test_nan_and_infinities_are_refused_never_null(bits):
    with pytest.raises(InputError, match="not a JSON number"):
        canonical_bytes({"x": [1, double(bits)]})
    with pytest.raises(InputError, match="not JSON"):
        loads('{"x": %s}' % ("NaN" if bits.startswith("7fff") else "Infinity"))


def test_rfc8785_examples():
    text = (r'{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],'
            r'"string":"\u20ac$\u000F\u000aA\u0027\u0042\u0022\u005c\\\"\/",'
            r'"literals":[null,true,false]}')
    assert canonical_bytes(loads(text)) == (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}').encode()
    keys = {"\u20ac": 0, "\r": 0, "\ufb33": 0, "1": 0, "\U0001f600": 0, "\u0080": 0,
            "\u00f6": 0}
    # UTF-16 code units: the emoji (surrogates D83D DE00) sorts before U+FB33
    assert list(loads(canonical_text(keys))) == ["\r", "1", "\u0080", "\u00f6", "\u20ac",
                                                 "\U0001f600", "\ufb33"]


def test_what_has_no_canonical_form_is_refused_with_its_place():
    cases = [({"a": [1, 2**60 + 1]}, "a[1]"), ({"a": {"\ud800": 1}}, "a"),
             ({"a": {"b": "x\udfff"}}, "a.b"), ({1: 2}, "document"),
             ({"a": set()}, "a")]
    for document, where in cases:
        with pytest.raises(InputError) as err:
            canonical_bytes(document)
        assert err.value.field == where, (document, err.value)
    deep: list = []
    for _ in range(400):
        deep = [deep]
    with pytest.raises(InputError, match="nested deeper"):
        canonical_bytes({"x": deep})
    assert canonical_bytes(2**60) == b"1152921504606847000"  # exactly a double: as JS writes it


def test_round_ids_are_the_whole_sha256_of_the_rules():
    spec = {"mechanism": "auction.second_price", "commit_deadline": "2026-01-01T00:01:00Z",
            "reveal_deadline": "2026-01-01T00:02:00Z"}
    one = make_rules({**spec, "params": {"reserve": 1}}, "ab" * 32, "2026-01-01T00:00:00Z")
    hundred = make_rules({**spec, "params": {"reserve": 100}}, "ab" * 32,
                         "2026-01-01T00:00:00Z")
    for rules in (one, hundred):
        rid = round_id(rules)
        assert rid == "r" + hashlib.sha256(canonical_bytes(rules)).hexdigest()
        assert len(rid) == 65 and rid[1:] == rules_hash(rules)
    assert round_id(one) != round_id(hundred)


def test_signatures_are_bound_to_their_kind_and_protocol():
    key = load_private(RFC8032_SECRET)
    assert public_hex(key) == RFC8032_PUBLIC
    document = {"round": "r1", "size": 1, "root": "00" * 32, "time": "t"}
    assert signing_bytes("tree_head", document) == (
        b'hurwicz/1 tree_head\n{"root":"' + b"0" * 64 + b'","round":"r1","size":1,"time":"t"}')
    for kind in SIGNATURE_KINDS:
        signature = sign(key, kind, document)
        assert [other for other in SIGNATURE_KINDS
                if verify(RFC8032_PUBLIC, other, document, signature)] == [kind]
        # no signature is over the bare document (what version 0 signed)
        assert key.sign(canonical_bytes(document)).hex() != signature
    # a tree head's signature cannot pass for a receipt of the same fields, nor a commit's
    # signature for a reveal
    head = sign_tree_head(key, "r1", 1, "00" * 32, "t")
    receipt = sign_receipt(key, "r1", 0, "11" * 32, head)
    assert receipt_problems(receipt, RFC8032_PUBLIC) == []
    forged = {**receipt, "signature": head["signature"]}
    assert receipt_problems(forged, RFC8032_PUBLIC) == ["receipt is not signed by the operator"]
    body, _ = signed_commit(key, "r1", "alice", 10)
    payload = {k: v for k, v in body.items() if k != "signature"}
    assert verify(RFC8032_PUBLIC, "commit", payload, body["signature"])
    assert not verify(RFC8032_PUBLIC, "reveal", {**payload, "kind": "reveal"}, body["signature"])


def test_commitments_frame_their_parts():
    # the same concatenation split differently gives another commitment
    assert commitment("r1", "ab", "c") != commitment("r1", "a", "bc")
    framed = b"".join(len(p).to_bytes(8, "big") + p for p in (b"r1", b'"ab"', b"c"))
    assert commitment("r1", "ab", "c") == hashlib.sha256(framed).hexdigest()


# --- a verifier in JavaScript ---------------------------------------------------------------
NODE = shutil.which("node") or shutil.which("nodejs")

# RFC 8785 in a dozen lines: JSON.stringify writes numbers and strings as JCS wants them, and
# Array.prototype.sort compares strings by UTF-16 code units.
JS_VERIFIER = r"""
const crypto = require("crypto");
function jcs(v) {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return "[" + v.map(jcs).join(",") + "]";
  return "{" + Object.keys(v).sort().map(k => JSON.stringify(k) + ":" + jcs(v[k])).join(",")
    + "}";
}
const sha256 = b => crypto.createHash("sha256").update(b).digest("hex");
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = {hashes: input.documents.map(d => sha256(Buffer.from(jcs(d), "utf8")))};
const key = crypto.createPublicKey({key: Buffer.concat([
  Buffer.from("302a300506032b6570032100", "hex"), Buffer.from(input.public, "hex")]),
  format: "der", type: "spki"});
out.signatures = input.signed.map(([kind, doc, sig]) => crypto.verify(null,
  Buffer.concat([Buffer.from("hurwicz/1 " + kind + "\n", "ascii"), Buffer.from(jcs(doc), "utf8")]),
  key, Buffer.from(sig, "hex")));
out.leaf = sha256(Buffer.concat([Buffer.from([0]), Buffer.from(jcs(input.entry), "utf8")]));
out.round = "r" + sha256(Buffer.from(jcs(input.rules), "utf8"));
const framed = parts => Buffer.concat(parts.flatMap(p => {
  const n = Buffer.alloc(8); n.writeBigUInt64BE(BigInt(p.length)); return [n, p]; }));
out.commitments = input.documents.map(d => sha256(framed([Buffer.from(out.round, "utf8"),
  Buffer.from(jcs(d), "utf8"), Buffer.from(input.salt, "utf8")])));
console.log(JSON.stringify(out));
"""

json_values = st.recursive(
    st.none() | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(exclude_categories=["Cs"]), max_size=12),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(st.characters(exclude_categories=["Cs"]), max_size=6), inner,
                      max_size=4),
    max_leaves=12,
)


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
@settings(max_examples=5, deadline=None)
@given(st.lists(json_values, min_size=40, max_size=40))
def test_a_javascript_verifier_reproduces_hashes_and_signatures(documents):
    """Node.js (one process per example, 40 documents each) canonicalises random JSON documents
    to the same bytes, recomputes commitments to them, a leaf hash and a round id, and
    verifies domain-separated Ed25519 signatures."""
    key = load_private(RFC8032_SECRET)
    rules = make_rules({"mechanism": "auction.second_price", "commit_deadline": "+1m",
                        "reveal_deadline": "+2m", "title": "é€😀\u2028\x7f"},
                       RFC8032_PUBLIC, "2026-01-01T00:00:00Z")
    body, _ = signed_commit(key, round_id(rules), "alice", 10.5)
    entry = {**body, "received": "2026-01-01T00:00:30.000000Z"}
    payload = {k: v for k, v in body.items() if k != "signature"}
    head = sign_tree_head(key, round_id(rules), 2, "11" * 32, "2026-01-01T00:00:31.000000Z")
    head_body = {k: v for k, v in head.items() if k != "signature"}
    signed = [["commit", payload, body["signature"]], ["tree_head", head_body,
                                                        head["signature"]],
              ["reveal", payload, body["signature"]]]  # the wrong context: must fail
    for document in documents:
        signed.append(["receipt", {"x": document}, sign(key, "receipt", {"x": document})])
    salt = "s\u00e9l"
    given_ = json.dumps({"documents": documents, "public": RFC8032_PUBLIC, "signed": signed,
                         "entry": entry, "rules": rules, "salt": salt}, ensure_ascii=True)
    done = subprocess.run([NODE, "-e", JS_VERIFIER], input=given_, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["hashes"] == [hashlib.sha256(canonical_bytes(d)).hexdigest()
                                for d in documents]
    assert answer["signatures"] == [True, True, False] + [True] * len(documents)
    assert answer["leaf"] == hashlib.sha256(b"\x00" + canonical_bytes(entry)).hexdigest()
    assert answer["round"] == round_id(rules)
    assert answer["commitments"] == [commitment(round_id(rules), d, salt) for d in documents]

