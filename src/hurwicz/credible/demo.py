"""Demo handler for examples of kind ``credible``: a sealed-bid round run in process (with a
simulated clock), verified, then tampered with by a dishonest operator and verified again.

Example:
    >>> from rich.console import Console
    >>> import io
    >>> c = Console(file=io.StringIO(), width=120)
    >>> run_example({"mechanism": "auction.second_price", "bids": {"a": 5, "b": 3},
    ...              "drop": "b"}, c)
    >>> "censorship" in c.file.getvalue()
    True
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from rich.console import Console

from .keys import generate_key
from .merkle import MerkleLog
from .receipts import entry_leaf, sign_tree_head
from .service import RoundService
from .state import RoundState, signed_commit, signed_reveal
from .store import open_store
from .verify import verify_transcript


class _SimulatedClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now


def _drop_and_resign(service: RoundService, transcript: dict[str, Any], name: str) -> None:
    """What a dishonest operator would do: drop one reveal, recompute, re-sign the log, so that
    the transcript on its own obeys every rule."""
    entries = [e for e in transcript["entries"]
               if not (e["kind"] == "reveal" and transcript["names"].get(e["participant"]) == name)]
    state = RoundState(entries[0]["rules"])
    for entry in entries[:-1]:
        state.apply(entry)
    # with a reveal missing, the rules only allow closing at the reveal deadline: forge that too
    entries[-1] = state.close_entry(state.rules["schedule"]["reveal_deadline"])
    log = MerkleLog()
    for entry in entries:
        log.append(entry_leaf(entry))
    transcript["entries"] = entries
    transcript["tree_head"] = sign_tree_head(service.key, transcript["round"], log.size,
                                             log.root().hex(), entries[-1]["received"])


def run_example(example: dict[str, Any], console: Console) -> None:
    """Run, verify, tamper and verify again."""
    clock = _SimulatedClock()
    service = RoundService(open_store(":memory:"), generate_key(), clock)
    rid = service.create_round({"mechanism": example["mechanism"],
                                "params": example.get("params", {}),
                                "commit_deadline": "+60s", "reveal_deadline": "+120s"})["round"]
    keys = {name: generate_key() for name in example["bids"]}
    salts, receipts = {}, {name: [] for name in keys}
    for name, bid in example["bids"].items():
        body, salts[name] = signed_commit(keys[name], rid, name, bid)
        receipts[name].append(service.submit(rid, body)["receipt"])
    clock.now += timedelta(seconds=60)
    for name, bid in example["bids"].items():
        receipts[name].append(
            service.submit(rid, signed_reveal(keys[name], rid, bid, salts[name]))["receipt"])
    closed = service.close(rid)
    console.print(f"round {rid}: {len(keys)} sealed bids committed, revealed, closed; "
                  f"allocation {closed['outcome']['allocation']}, payments "
                  f"{closed['outcome']['payments']}", highlight=False)
    transcript = service.transcript(rid)
    every = [r for rs in receipts.values() for r in rs]
    report = verify_transcript(transcript, every)
    console.print(f"verify: {'OK' if report.ok else 'FAILED'} — {report.entries} entries, "
                  f"{report.receipts} receipts, outcome recomputed", highlight=False)
    victim = example.get("drop")
    if victim:
        transcript["names"] = {e["participant"]: e["name"] for e in transcript["entries"]
                               if e["kind"] == "commit"}
        _drop_and_resign(service, transcript, victim)
        alone = verify_transcript(transcript)
        with_receipts = verify_transcript(transcript, receipts[victim])
        console.print(f"the operator drops {victim}'s reveal and re-signs: verify without "
                      f"receipts says {'OK' if alone.ok else 'FAILED'}; with {victim}'s receipts:",
                      highlight=False)
        for line in with_receipts.lines():
            console.print(f"  {line}", highlight=False)
