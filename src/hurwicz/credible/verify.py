"""``hurwicz verify``: re-check a round's transcript offline, with participants' receipts.

Checks, each reported precisely as a :class:`Violation`:

* every entry obeys the published rules (replayed through :class:`RoundState`): participant
  signatures, eligibility, one commit per key, reveals that match their commitments, deadlines,
  times that never go backwards;
* the outcome in the close entry equals a recomputation by the named mechanism and version from
  the revealed reports only;
* the RFC 6962 root of the entries equals the operator's signed tree head;
* each receipt is signed by the operator, its tree head is a prefix of this transcript (else the
  history was forked), and its entry is in the log at its index (else: *censorship*, with the
  receipt as proof); a receipted reveal must be counted in the outcome.

Example:
    >>> report = verify_transcript({"format": "hurwicz-transcript/1"})
    >>> report.ok, report.violations[0].kind
    (False, 'format')
"""

from __future__ import annotations

import multiprocessing
import os
import re
from collections.abc import Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from hurwicz.core.errors import HurwiczError

from .canonical import canonical_bytes
from .keys import verify_bytes
from .merkle import MerkleLog
from .receipts import entry_leaf, head_problems, receipt_problems
from .state import RoundError, RoundState, signed_payload

TRANSCRIPT_FORMAT = "hurwicz-transcript/1"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Violation:
    """One thing the verifier found wrong: its kind, where, and what.

    Example:
        >>> str(Violation("censorship", "receipt 1", "entry #4 is missing"))
        'censorship: receipt 1: entry #4 is missing'
    """

    kind: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.where}: {self.message}"


@dataclass
class VerifyReport:
    """What ``verify`` found: ``ok`` when there is no violation.

    Example:
        >>> VerifyReport().ok
        True
    """

    violations: list[Violation] = field(default_factory=list)
    entries: int = 0
    root: str = ""
    closed: bool = False
    outcome: dict[str, Any] | None = None
    receipts: int = 0

    @property
    def ok(self) -> bool:
        """No violation found."""
        return not self.violations

    def add(self, kind: str, where: str, message: str) -> None:
        """Record a violation."""
        self.violations.append(Violation(kind, where, message))

    def to_dict(self) -> dict[str, Any]:
        """JSON form (for ``--json``)."""
        return {"ok": self.ok, "entries": self.entries, "root": self.root,
                "closed": self.closed, "receipts": self.receipts, "outcome": self.outcome,
                "violations": [{"kind": v.kind, "where": v.where, "message": v.message}
                               for v in self.violations]}


_KIND_OF_FIELD = {"signature": "signature", "received": "deadline", "report": "reveal",
                  "outcome": "outcome", "participant": "participant", "round": "round"}


def _describe(i: int, entry: Any) -> str:
    if not isinstance(entry, dict):
        return f"entry #{i}"
    return f"entry #{i} ({entry.get('kind')}{' ' + entry['name'] if 'name' in entry else ''})"


_PARALLEL_FROM = 4000  # signatures; below this a process pool costs more than it saves


def _check_signatures(jobs: list[tuple[int, str, bytes, str]]) -> list[int]:
    """Indices whose signature does not verify."""
    return [i for i, public, message, signature in jobs
            if not verify_bytes(public, message, signature)]


def _bad_signatures(entries: list[Any], workers: int | None) -> set[int]:
    """Check every participant signature (in parallel processes for long transcripts)."""
    jobs = []
    for i, entry in enumerate(entries):
        if (isinstance(entry, dict) and entry.get("kind") in ("commit", "reveal")
                and isinstance(entry.get("participant"), str)):
            try:
                message = canonical_bytes(signed_payload(entry))
            except HurwiczError:
                continue  # the replay reports it
            jobs.append((i, entry["participant"], message, str(entry.get("signature"))))
    workers = workers or os.cpu_count() or 1
    if workers < 2 or len(jobs) < _PARALLEL_FROM or "fork" not in \
            multiprocessing.get_all_start_methods():
        return set(_check_signatures(jobs))
    chunks = [jobs[k::workers * 4] for k in range(workers * 4)]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        return {i for bad in pool.map(_check_signatures, chunks) for i in bad}


def _replay(entries: list[Any], report: VerifyReport,
            workers: int | None = None) -> RoundState | None:
    first = entries[0]
    if not isinstance(first, dict) or first.get("kind") != "rules" or "rules" not in first:
        report.add("rules", "entry #0", "the first entry must publish the rules")
        return None
    try:
        state = RoundState(first["rules"], check_signatures=False)
    except (HurwiczError, KeyError, TypeError, ValueError) as err:
        report.add("rules", "entry #0", f"cannot use the published rules: {err}")
        return None
    bad = _bad_signatures(entries, workers)
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            report.add("entry", f"entry #{i}", "is not a JSON object")
            continue
        if i in bad:
            report.add("signature", _describe(i, entry),
                       "signature: not a valid signature by the participant's key")
            continue
        try:
            state.apply(entry)
        except RoundError as err:
            kind = "tampering" if i == 0 else _KIND_OF_FIELD.get(err.field or "", "entry")
            report.add(kind, _describe(i, entry), str(err))
        except (HurwiczError, KeyError, TypeError, ValueError) as err:
            report.add("entry", _describe(i, entry), f"cannot be checked: {err}")
    return state


def _check_receipt(j: int, receipt: Any, operator: str, round_id: str, log: MerkleLog,
                   entries: list[Any], state: RoundState | None, report: VerifyReport) -> None:
    where = f"receipt {j}"
    if not isinstance(receipt, dict):
        report.add("receipt", where, "is not a JSON object")
        return
    problems = receipt_problems(receipt, operator)
    if problems:
        report.add("receipt", where, problems[0])
        return
    if receipt["round"] != round_id:
        report.add("receipt", where, f"is for round {receipt['round']}, not {round_id}")
        return
    head, index, wanted = receipt["tree_head"], receipt["index"], receipt["entry_hash"]
    size = head["size"]
    if size > log.size:
        report.add("censorship", where, f"its signed tree head (size {size}, {head['time']}) is "
                   f"longer than the transcript ({log.size} entries): entries were removed")
    elif log.root(size).hex() != head["root"]:
        report.add("fork", where, f"the tree head of size {size} signed at {head['time']} is not "
                   "a prefix of this transcript: the operator rewrote history")
    if index < log.size and log.leaves[index].hex() == wanted:
        entry = entries[index]
        if (state is not None and state.closed is not None and entry.get("kind") == "reveal"
                and entry.get("participant") in state.commits):
            name = state.commits[entry["participant"]]["name"]
            if name not in state.closed["revealed"]:
                report.add("censorship", where, f"the receipted reveal of {name!r} is not "
                           "counted in the outcome")
        return
    moved = [k for k, leaf in enumerate(log.leaves) if leaf.hex() == wanted]
    if moved:
        report.add("reordered", where, f"receipted entry #{index} is at #{moved[0]} instead")
    else:
        report.add("censorship", where, f"entry #{index} receipted at {head['time']} (leaf "
                   f"{wanted[:16]}…) is missing from the transcript")


def verify_transcript(transcript: Mapping[str, Any],
                      receipts: Iterable[Mapping[str, Any]] = (),
                      workers: int | None = None) -> VerifyReport:
    """Verify a transcript (and receipts) and report every violation found.

    ``workers`` processes check signatures of long transcripts (default: one per CPU).

    Example:
        >>> verify_transcript({"format": TRANSCRIPT_FORMAT, "entries": []}).violations[0].message
        'a transcript needs entries, the operator key and a signed tree head'
    """
    report = VerifyReport()
    if not isinstance(transcript, dict) or transcript.get("format") != TRANSCRIPT_FORMAT:
        report.add("format", "transcript", f"not a {TRANSCRIPT_FORMAT} document")
        return report
    entries, operator = transcript.get("entries"), transcript.get("operator")
    head = transcript.get("tree_head")
    if (not isinstance(entries, list) or not entries or not isinstance(operator, str)
            or not _HEX64.match(operator) or not isinstance(head, dict)):
        report.add("format", "transcript",
                   "a transcript needs entries, the operator key and a signed tree head")
        return report
    report.entries = len(entries)
    state = _replay(entries, report, workers)
    round_id = state.round_id if state else str(transcript.get("round"))
    if state is not None:
        if transcript.get("round") != round_id:
            report.add("round", "transcript", f"names round {transcript.get('round')!r} but its "
                       f"rules hash to {round_id!r}")
        if state.rules.get("operator") != operator:
            report.add("rules", "entry #0", "the rules name another operator key")
        if state.closed is not None:
            report.closed, report.outcome = True, state.closed["outcome"]
        elif isinstance(entries[-1], dict) and entries[-1].get("kind") == "close":
            report.closed, report.outcome = True, entries[-1].get("outcome")
    log = MerkleLog()
    for entry in entries:
        log.append(entry_leaf(entry if isinstance(entry, dict) else {"invalid": entry}))
    report.root = log.root().hex()
    for problem in head_problems(head, operator):
        report.add("tree_head", "transcript", problem)
    if not head_problems(head, operator):
        if head["round"] != round_id:
            report.add("tree_head", "transcript", "the signed tree head is for another round")
        if head["size"] != log.size:
            report.add("tree_head", "transcript", f"the signed tree head covers {head['size']} "
                       f"entries but the transcript has {log.size}")
        elif head["root"] != report.root:
            report.add("merkle", "transcript", "the entries do not hash to the signed root: an "
                       "entry was altered, removed, reordered or inserted")
    for j, receipt in enumerate(receipts):
        report.receipts += 1
        _check_receipt(j, receipt, operator, round_id, log, entries, state, report)
    return report


def load_receipts(document: Any) -> list[dict[str, Any]]:
    """Receipts from a receipt file: one receipt, a list of them, or a participant state file
    (``{"receipts": [...]}``) as written by ``hurwicz bid``.

    Example:
        >>> load_receipts({"receipts": [{"index": 1}]})
        [{'index': 1}]
    """
    if isinstance(document, list):
        return list(document)
    if isinstance(document, dict) and "receipts" in document:
        return list(document["receipts"])
    return [document]
