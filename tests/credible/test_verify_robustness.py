"""`verify` on malformed and tampered transcripts (issue #14, §4): it never raises, whatever the
document — each result is a list of violations or a one-line format error — and violations are
grouped under their root cause.

The mutation test applies 1,000 seeded random mutations (10,000 were run once: see
docs/credible.md) (deleting, duplicating and reordering
entries, changing types, truncating strings, deep nesting, huge numbers, NaN, removed keys,
swapped hex digits in signatures and hashes, non-objects, ...) to a valid transcript and its
receipts; half the cases go through the JSON text and the strict reader, as ``hurwicz verify``
does. Set ``HURWICZ_VERIFY_MUTATIONS`` to run more (e.g. 10000).
"""

from __future__ import annotations

import copy
import json
import math
import os
import random
import time
import traceback
from typing import Any

import pytest

from hurwicz.core.errors import HurwiczError
from hurwicz.credible.canonical import canonical_bytes, loads
from hurwicz.credible.keys import generate_key, public_hex
from hurwicz.credible.merkle import MerkleLog
from hurwicz.credible.receipts import entry_leaf, sign_tree_head
from hurwicz.credible.service import RoundService
from hurwicz.credible.state import RoundState, signed_commit, signed_reveal
from hurwicz.credible.store import open_store
from hurwicz.credible.verify import VerifyReport, verify_transcript

from .conftest import Clock

MUTATIONS = int(os.environ.get("HURWICZ_VERIFY_MUTATIONS", "1000"))
SPEC = {"mechanism": "auction.second_price", "commit_deadline": "+60s",
        "reveal_deadline": "+120s"}


def build_round(bids: dict[str, float], operator=None):
    """A closed round: the transcript, every receipt by name, the service and the keys."""
    clock = Clock()
    operator = operator or generate_key()
    service = RoundService(open_store(":memory:"), operator, clock)
    rid = service.create_round(SPEC)["round"]
    keys = {name: generate_key() for name in bids}
    salts, receipts = {}, {name: [] for name in bids}
    for name, bid in bids.items():
        body, salts[name] = signed_commit(keys[name], rid, name, bid)
        receipts[name].append(service.submit(rid, body)["receipt"])
        clock.advance(0.1)
    clock.advance(60)
    for name, bid in bids.items():
        receipts[name].append(service.submit(rid, signed_reveal(keys[name], rid, bid,
                                                                salts[name]))["receipt"])
        clock.advance(0.1)
    clock.advance(60)
    service.close(rid)
    return service.transcript(rid), receipts, service, keys


@pytest.fixture(scope="module")
def small_round():
    transcript, receipts, _, _ = build_round({"alice": 10.0, "bob": 8.0, "carol": 7.0})
    return transcript, [receipts["alice"][0], receipts["bob"][1], receipts["carol"][1]]


# --- the mutations -----------------------------------------------------------------------------
def _paths(node: Any, path: tuple = ()) -> list[tuple]:
    out = [path]
    if len(path) >= 100:  # deeper parts (of a nesting mutation) are not mutated again
        return out
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*path, i))
    return out


def _get(node: Any, path: tuple) -> Any:
    for step in path:
        node = node[step]
    return node


def _set(root: dict, path: tuple, value: Any) -> None:
    _get(root, path[:-1])[path[-1]] = value


def _nested(depth: int, leaf: Any, rng: random.Random) -> Any:
    for _ in range(depth):
        leaf = [leaf] if rng.random() < 0.5 else {"k": leaf}
    return leaf


def _odd_value(rng: random.Random, old: Any) -> Any:
    choices = [
        None, True, False, 0, -1, 1, 2**53 + 1, -(2**63), 10**30, 10**400, 1e308, 5e-324,
        -0.0, math.nan, math.inf, -math.inf, 0.1, "", "x", "\ud800", "\x00\n\u2028", "é" * 500,
        "0" * 64, "zz" * 32, [], {}, [1, 2], {"kind": "commit"}, "2026-11-22T12:00:00Z",
        "not a time", "ff" * 64, 3.5, "r" + "0" * 24,
    ]
    if isinstance(old, str) and old:
        choices += [old[: rng.randrange(len(old))], old + old, old.upper(), old[::-1]]
    if isinstance(old, int | float) and not isinstance(old, bool):
        choices += [old + 1, old * (10**20 if isinstance(old, int) else 1e20), -old, str(old)]
    return rng.choice(choices)


def _swap_hex(text: str, rng: random.Random) -> str:
    if len(text) < 2:
        return text + "0"
    i = rng.randrange(len(text) - 1)
    swapped = text[:i] + text[i + 1] + text[i] + text[i + 2:]
    if swapped == text:  # equal neighbours: change one digit instead
        swapped = text[:i] + ("0" if text[i] != "0" else "1") + text[i + 1:]
    return swapped


def mutate(bundle: dict, rng: random.Random) -> str:
    """Apply one random mutation to ``bundle`` in place; returns its name."""
    paths = [p for p in _paths(bundle) if p]  # never the bundle itself
    if not paths:
        return "none"
    entry_paths = [p for p in paths if len(p) >= 2 and p[:2] == ("transcript", "entries")]
    path = rng.choice(entry_paths if entry_paths and rng.random() < 0.7 else paths)
    node = _get(bundle, path)
    parent = _get(bundle, path[:-1])
    op = rng.choice(["delete", "duplicate", "reorder", "type", "truncate", "nest", "number",
                     "hex", "nan", "non_object", "rename", "copy_from", "shuffle"])
    if op == "delete":
        if isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent.pop(path[-1])
    elif op == "duplicate" and isinstance(parent, list):
        parent.insert(path[-1], copy.deepcopy(node))
    elif op == "reorder" and isinstance(parent, list) and len(parent) > 1:
        j = rng.randrange(len(parent))
        parent[path[-1]], parent[j] = parent[j], parent[path[-1]]
    elif op == "shuffle" and isinstance(node, list):
        rng.shuffle(node)
    elif op == "truncate" and isinstance(node, str):
        _set(bundle, path, node[: rng.randrange(len(node) + 1)])
    elif op == "nest":
        _set(bundle, path, _nested(rng.choice([2, 40, 70, 300]), node, rng))
    elif op == "number":
        _set(bundle, path, rng.choice([10**400, 2**53 + 1, 1e300 * 1e10, -0.0, 1e21, 1e-7,
                                       123456789012345678901234567890, 2**64]))
    elif op == "hex" and isinstance(node, str):
        _set(bundle, path, _swap_hex(node, rng))
    elif op == "nan":
        _set(bundle, path, rng.choice([math.nan, math.inf, -math.inf]))
    elif op == "non_object":
        _set(bundle, path, rng.choice([[], "entry", 7, None, [node]]))
    elif op == "rename" and isinstance(parent, dict):
        parent[str(path[-1]) + rng.choice(["_", "X", " "])] = parent.pop(path[-1])
    elif op == "copy_from":
        try:
            _set(bundle, path, copy.deepcopy(_get(bundle, rng.choice(paths))))
        except RecursionError:  # a part nested too deeply to copy (here, in the test)
            return "none"
    else:
        _set(bundle, path, _odd_value(rng, node))
    return op


def _entries_changed(original: dict, transcript: Any) -> bool:
    """Whether the mutation changed what the operator signed (the canonical entries)."""
    if not isinstance(transcript, dict) or not isinstance(transcript.get("entries"), list):
        return True
    try:
        return canonical_bytes(transcript["entries"]) != canonical_bytes(original["entries"])
    except HurwiczError:
        return True


def _check(report: Any) -> None:
    assert isinstance(report, VerifyReport)
    for violation in report.all_violations():
        text = str(violation)
        assert "\n" not in text, text
        assert "internal error" not in text, text
    json.dumps(report.to_dict(), allow_nan=False)
    report.lines()


def run_mutations(transcript: dict, receipts: list, count: int, seed: int) -> dict[str, Any]:
    """Verify ``count`` mutated copies; return statistics and the failures (with seeds)."""
    failures: list[str] = []
    undetected: list[str] = []
    roots: list[int] = []
    rng = random.Random(seed)
    for case in range(count):
        case_rng = random.Random(rng.getrandbits(64))
        bundle = copy.deepcopy({"transcript": transcript, "receipts": receipts})
        ops = [mutate(bundle, case_rng) for _ in range(case_rng.choice([1, 1, 1, 2, 3]))]
        mutated_t, mutated_r = bundle.get("transcript"), bundle.get("receipts", [])
        try:
            if case % 2:  # through the JSON text, as `hurwicz verify FILE` reads it
                try:
                    text = json.dumps({"t": mutated_t, "r": mutated_r})
                except (ValueError, RecursionError):
                    text = None  # not JSON text at all (a huge integer, deep nesting)
                if text is not None:
                    try:
                        parsed = loads(text)
                    except HurwiczError as err:  # a one-line format error
                        assert "\n" not in str(err)
                        continue
                    mutated_t, mutated_r = parsed["t"], parsed["r"]
            report = verify_transcript(mutated_t, mutated_r if isinstance(mutated_r, list)
                                       else [mutated_r])
            _check(report)
            if report.ok and _entries_changed(transcript, mutated_t):
                undetected.append(f"case {case} (seed {seed}): {ops}")
            roots.append(len(report.violations))
        except Exception:
            failures.append(f"case {case} (seed {seed}), mutations {ops}:\n"
                            + traceback.format_exc(limit=6))
    return {"failures": failures, "undetected": undetected, "roots": roots}


def test_random_mutations_never_crash_verify(small_round):
    transcript, receipts = small_round
    assert verify_transcript(transcript, receipts).ok
    start = time.perf_counter()
    result = run_mutations(transcript, receipts, MUTATIONS, seed=14)
    seconds = time.perf_counter() - start
    assert not result["failures"], (f"{len(result['failures'])} tracebacks; first:\n"
                                    + result["failures"][0])
    # any change to the signed entries is found: the signed Merkle root commits to them
    assert not result["undetected"], result["undetected"][:5]
    roots = sorted(result["roots"])
    # grouping: a mutation (a few at most) leaves a few root causes, never a cascade
    assert roots[-1] <= 6, roots[-10:]
    print(f"{MUTATIONS} mutations in {seconds:.1f} s; root causes per report: median "
          f"{roots[len(roots) // 2]}, max {roots[-1]}")


# --- grouping under root causes -----------------------------------------------------------------
@pytest.fixture(scope="module")
def big_round():
    """A round of 100 bidders: 202 entries."""
    bids = {f"p{i:03d}": float(10 + i % 37) for i in range(100)}
    transcript, receipts, service, keys = build_round(bids)
    return transcript, receipts, service, keys


def _resign(operator, transcript):
    log = MerkleLog()
    for entry in transcript["entries"]:
        log.append(entry_leaf(entry))
    head = transcript["tree_head"]
    transcript["tree_head"] = sign_tree_head(operator, head["round"], log.size, log.root().hex(),
                                             head["time"])
    return transcript


def test_one_altered_commit_is_one_root_with_its_consequences(big_round):
    transcript, receipts, _, _ = big_round
    t = copy.deepcopy(transcript)
    t["entries"][5]["commitment"] = "ab" * 32  # p004's commitment: its signature breaks
    every = [r for rs in receipts.values() for r in rs]
    report = verify_transcript(t, every)
    assert len(report.violations) == 1, report.lines()
    root = report.violations[0]
    assert root.kind == "signature" and "#5" in root.where
    kinds = [c.kind for c in root.consequences]
    # p004's reveal has no commitment any more, the outcome differs, the root differs, and the
    # receipts of entries from #5 on no longer match
    assert kinds[:2] == ["participant", "outcome"] and "merkle" in kinds
    assert {"fork", "censorship"} <= set(kinds)


def test_altered_rules_are_one_root_not_two_hundred_lines(big_round):
    transcript, receipts, _, _ = big_round
    t = copy.deepcopy(transcript)
    t["entries"][0]["rules"]["mechanism"]["params"]["reserve"] = 100.0
    report = verify_transcript(t, [r for rs in receipts.values() for r in rs])
    assert len(report.violations) == 1, report.lines()[:5]
    root = report.violations[0]
    assert root.kind == "tampering" and "rules were altered" in root.message
    assert len(root.consequences) > 200  # every entry's round, the head, every receipt
    assert len(report.lines()) == 7  # printed: the root and 5 consequences, then a count


def test_removed_entries_are_one_root(big_round):
    transcript, receipts, _, _ = big_round
    t = copy.deepcopy(transcript)
    del t["entries"][3:6]  # three commits vanish; their reveals are orphaned
    report = verify_transcript(t, [r for rs in receipts.values() for r in rs])
    assert [v.kind for v in report.violations] == ["tree_head"], report.lines()
    assert "entries were removed" in report.violations[0].message


def test_a_rewritten_history_is_one_root_per_receipt_holder(big_round):
    transcript, receipts, service, _ = big_round
    t = copy.deepcopy(transcript)
    del t["entries"][150]  # a reveal, dropped by the operator, who recloses and re-signs
    state = RoundState(t["entries"][0]["rules"])
    for entry in t["entries"][:-1]:
        state.apply(entry)
    t["entries"][-1] = state.close_entry(t["entries"][-1]["received"])
    _resign(service.key, t)
    assert verify_transcript(t).ok
    every = [r for rs in receipts.values() for r in rs]
    report = verify_transcript(t, every)
    assert len(report.violations) == 1, report.lines()[:5]
    assert report.violations[0].kind == "censorship"
    assert "#150" in report.violations[0].message
    assert len(report.violations[0].consequences) > 40  # every later receipt shows the fork


def test_independent_tamperings_are_separate_roots(big_round):
    transcript, _, _, _ = big_round
    t = copy.deepcopy(transcript)
    t["entries"][10]["name"] = "mallory"  # a commit
    t["entries"][120]["salt"] = "00"  # a reveal of someone else
    report = verify_transcript(t)
    assert [v.kind for v in report.violations] == ["signature", "signature"]


def test_operator_key_swapped_is_one_root(big_round):
    transcript, receipts, _, _ = big_round
    t = copy.deepcopy(transcript)
    t["operator"] = public_hex(generate_key())
    report = verify_transcript(t, receipts["p000"])
    assert len(report.violations) == 1 and report.violations[0].kind == "rules", report.lines()
    assert {c.kind for c in report.violations[0].consequences} == {"tree_head", "receipt"}


def test_a_transcript_from_before_full_round_ids_is_a_format_error(small_round):
    transcript, _ = small_round
    old = {**transcript, "round": "r" + "0123456789ab" * 2}
    report = verify_transcript(old)
    assert [v.kind for v in report.violations] == ["format"]
    assert "96-bit" in report.violations[0].message


@pytest.mark.parametrize("document", [None, [], "x", 3, {"format": "hurwicz-transcript/1"},
                                      {"format": "hurwicz-transcript/1", "entries": [1],
                                       "operator": "ab" * 32, "tree_head": {}}])
def test_documents_that_are_no_transcript_are_format_or_entry_violations(document):
    report = verify_transcript(document, receipts=[None, 3, {}])
    assert not report.ok
    _check(report)


def test_verify_cli_reports_a_bad_file_in_one_line(tmp_path, capsys):
    from hurwicz.cli import main

    path = tmp_path / "t.json"
    for text in ['{"entries": [NaN]}', '{"a": 1, "a": 2}', "[" * 5000, '{"x": 1e999}', "{"]:
        path.write_text(text)
        with pytest.raises(SystemExit) as exit_:
            main(["verify", str(path)])
        captured = capsys.readouterr()
        assert exit_.value.code == 2, (text[:20], captured)
        assert len(captured.err.strip().splitlines()) == 1, captured.err
    path.write_bytes(b"\xff\xfe{}")  # not UTF-8
    for args in (["verify", str(path)], ["verify", str(tmp_path)],  # a directory
                 ["verify", str(path), "--receipt", str(tmp_path)]):
        with pytest.raises(SystemExit) as exit_:
            main(args)
        captured = capsys.readouterr()
        assert exit_.value.code == 2 and captured.err.startswith("error: "), captured
        assert len(captured.err.strip().splitlines()) == 1, captured.err
