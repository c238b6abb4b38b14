"""``hurwicz verify``: re-check a round's transcript offline, with participants' receipts.

Checks, each reported precisely as a :class:`Violation`:

* every entry has a canonical JSON form (RFC 8785) and obeys the published rules (replayed
  through :class:`RoundState`): participant signatures, eligibility, one commit per key,
  reveals that match their commitments, deadlines, times that never go backwards;
* the outcome in the close entry equals a recomputation by the named mechanism and version from
  the revealed reports only;
* the RFC 6962 root of the entries equals the operator's signed tree head;
* each receipt is signed by the operator, its tree head is a prefix of this transcript (else the
  history was forked), and its entry is in the log at its index (else: *censorship*, with the
  receipt as proof); a receipted reveal must be counted in the outcome.

Violations are grouped by cause: ``report.violations`` holds the root causes (an altered entry,
altered rules, removed entries, a rewritten history), each with the violations that follow from
it in ``consequences`` — one altered bid is one violation with its broken signature's effects
(the reveal it orphans, the outcome, the Merkle root, the receipts) listed under it. A malformed
document never raises: whatever is wrong with it is a violation.

Example:
    >>> report = verify_transcript({"format": "hurwicz-transcript/1"})
    >>> report.ok, report.violations[0].kind
    (False, 'format')
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from hurwicz.core.errors import HurwiczError

from .canonical import canonical_bytes, commitment
from .keys import signing_bytes, verify_bytes
from .merkle import HashedTree
from .receipts import head_problems, receipt_problems
from .rules import check_report
from .state import (
    COMMIT_FIELDS,
    REVEAL_FIELDS,
    RoundError,
    RoundState,
    check_name,
    signed_payload,
)

TRANSCRIPT_FORMAT = "hurwicz-transcript/1"
_HEX64 = re.compile(r"[0-9a-f]{64}")  # always used with fullmatch ("$" allows a newline)
_LEGACY_ROUND = re.compile(r"^r[0-9a-f]{24}$")  # before full-hash round ids and signing contexts
_MESSAGE_LIMIT = 500


def _one_line(text: str, limit: int = _MESSAGE_LIMIT) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _show(value: Any) -> str:
    """A short, safe rendering of an untrusted value for a message."""
    if isinstance(value, str):
        return repr(value[:80] + ("…" if len(value) > 80 else ""))
    if value is None or isinstance(value, bool) or \
            (isinstance(value, int | float) and abs(value) < 1e30):
        return repr(value)
    return f"a {type(value).__name__}"


@dataclass
class Violation:
    """One thing the verifier found wrong: its kind, where, what, and the violations that only
    follow from it (``consequences``).

    Example:
        >>> str(Violation("censorship", "receipt 1", "entry #4 is missing"))
        'censorship: receipt 1: entry #4 is missing'
    """

    kind: str
    where: str
    message: str
    consequences: list[Violation] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.kind}: {self.where}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """JSON form, consequences included.

        Example:
            >>> Violation("merkle", "transcript", "root differs").to_dict()["consequences"]
            []
        """
        return {"kind": self.kind, "where": self.where, "message": self.message,
                "consequences": [c.to_dict() for c in self.consequences]}


@dataclass
class VerifyReport:
    """What ``verify`` found: ``ok`` when there is no violation. ``violations`` are root
    causes; :meth:`all_violations` lists them with their consequences.

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

    def add(self, kind: str, where: str, message: str) -> Violation:
        """Record a root violation and return it."""
        violation = Violation(kind, _one_line(where, 200), _one_line(message))
        self.violations.append(violation)
        return violation

    def all_violations(self) -> list[Violation]:
        """Every violation: each root cause followed by its consequences.

        Example:
            >>> report = VerifyReport()
            >>> report.add("signature", "entry #3", "bad").consequences.append(
            ...     Violation("merkle", "transcript", "root differs"))
            >>> [v.kind for v in report.all_violations()]
            ['signature', 'merkle']
        """
        return [v for root in self.violations for v in (root, *root.consequences)]

    def lines(self, consequences: int = 5) -> list[str]:
        """Human-readable lines: each root cause, then up to ``consequences`` of its
        consequences indented under it."""
        out = []
        for root in self.violations:
            out.append(f"VIOLATION {root}")
            for c in root.consequences[:consequences]:
                out.append(f"  ↳ {c}")
            if len(root.consequences) > consequences:
                out.append(f"  ↳ … and {len(root.consequences) - consequences} more "
                           "consequences of it (--json lists all)")
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON form (for ``--json``)."""
        return {"ok": self.ok, "entries": self.entries, "root": self.root,
                "closed": self.closed, "receipts": self.receipts, "outcome": self.outcome,
                "violations": [v.to_dict() for v in self.violations],
                "consequences": sum(len(v.consequences) for v in self.violations)}


_KIND_OF_FIELD = {"signature": "signature", "received": "deadline", "report": "reveal",
                  "outcome": "outcome", "participant": "participant", "round": "round",
                  "last_look": "last_look", "phase": "phase", "cosignatures": "phase"}


def _describe(i: int, entry: Any) -> str:
    if not isinstance(entry, dict):
        return f"entry #{i}"
    kind, name = entry.get("kind"), entry.get("name")
    label = kind if isinstance(kind, str) and len(kind) <= 20 else "?"
    if isinstance(name, str) and len(name) <= 64:
        label += f" {name}"
    return f"entry #{i} ({label})"


# --- participant signatures ------------------------------------------------------------------
_PARALLEL_FROM = 4000  # signatures; below this a process pool costs more than it saves
_CHUNK = 2000
_SHARED: list[Any] = []  # the entries, inherited by forked signature workers


def _bad_among(entries: list[Any], indices: Iterable[int]) -> list[int]:
    """Indices (of commit and reveal entries) whose participant signature does not verify."""
    bad = []
    for i in indices:
        entry = entries[i]
        signature = entry.get("signature")
        try:
            message = signing_bytes(entry["kind"], signed_payload(entry))
        except HurwiczError:
            bad.append(i)
            continue
        if not isinstance(signature, str) or not verify_bytes(entry["participant"], message,
                                                              signature):
            bad.append(i)
    return bad


def _bad_shared(indices: list[int]) -> list[int]:
    return _bad_among(_SHARED, indices)


def _start_signature_checks(entries: list[Any], jobs: list[int],
                            workers: int | None) -> Callable[[], set[int]]:
    """Start checking the signatures of ``jobs`` and return a function that waits for the
    indices whose signature is bad. Long transcripts are checked by forked worker processes
    while this one replays the log; chunks no worker has started by then are checked here."""
    workers = workers or os.cpu_count() or 1
    if workers < 2 or len(jobs) < _PARALLEL_FROM or \
            "fork" not in multiprocessing.get_all_start_methods():
        bad = set(_bad_among(entries, jobs))
        return lambda: bad
    global _SHARED
    _SHARED = entries
    chunks = [jobs[k:k + _CHUNK] for k in range(0, len(jobs), _CHUNK)]
    try:
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
        futures = [pool.submit(_bad_shared, chunk) for chunk in chunks]
    except (OSError, RuntimeError):  # no processes to be had: check here
        bad = set(_bad_among(entries, jobs))
        return lambda: bad

    def finish() -> set[int]:
        global _SHARED
        bad: set[int] = set()
        try:
            for chunk, future in zip(chunks, futures):
                if future.cancel():
                    bad.update(_bad_among(entries, chunk))
                else:
                    try:
                        bad.update(future.result())
                    except Exception:  # a worker died (e.g. out of memory): check here
                        bad.update(_bad_among(entries, chunk))
        finally:
            pool.shutdown(cancel_futures=True)
            _SHARED = []
        return bad

    return finish


# --- the verification ------------------------------------------------------------------------
def _format_problem(transcript: Any) -> str | None:
    if not isinstance(transcript, dict) or transcript.get("format") != TRANSCRIPT_FORMAT:
        return f"not a {TRANSCRIPT_FORMAT} document"
    entries, operator = transcript.get("entries"), transcript.get("operator")
    if (not isinstance(entries, list) or not entries or not isinstance(operator, str)
            or not _HEX64.fullmatch(operator) or not isinstance(transcript.get("tree_head"), dict)):
        return "a transcript needs entries, the operator key and a signed tree head"
    claimed = transcript.get("round")
    if isinstance(claimed, str) and _LEGACY_ROUND.match(claimed):
        return (f"round {claimed} has a 96-bit id: the transcript was made by an earlier "
                "hurwicz (before full-hash round ids and domain-separated signatures); verify "
                "it with that version")
    return None


class _Verification:
    """One run of the verifier over a well-formed transcript envelope."""

    def __init__(self, transcript: dict[str, Any], workers: int | None) -> None:
        self.report = VerifyReport()
        self.entries: list[Any] = transcript["entries"]
        self.operator: str = transcript["operator"]
        self.head: dict[str, Any] = transcript["tree_head"]
        self.claimed = transcript.get("round")
        self.workers = workers
        self.report.entries = len(self.entries)
        self._order: dict[int, tuple[int, int]] = {}  # id(root) -> sort key
        self.entry_roots: dict[int, Violation] = {}  # entry index -> root that rejected it
        self.lost_commits: dict[str, Violation] = {}  # participant -> why its commit is lost
        self.rules_root: Violation | None = None
        self.operator_root: Violation | None = None
        self.missing_root: Violation | None = None  # entries removed after a signed head
        self.rewrite_root: Violation | None = None  # the first fork a receipt proves
        self.transcript_root: Violation | None = None  # the transcript's own root mismatch
        self.state: RoundState | None = None
        self.round_id = str(self.claimed)

    # --- recording -------------------------------------------------------------------------
    def root(self, kind: str, where: str, message: str, key: tuple[int, int]) -> Violation:
        violation = self.report.add(kind, where, message)
        self._order[id(violation)] = key
        return violation

    @staticmethod
    def consequence(cause: Violation, kind: str, where: str, message: str) -> Violation:
        violation = Violation(kind, _one_line(where, 200), _one_line(message))
        cause.consequences.append(violation)
        return violation

    def finding(self, cause: Violation | None, kind: str, where: str, message: str,
                key: tuple[int, int]) -> Violation:
        """A consequence of ``cause`` if there is one, else a new root; returns the root."""
        if cause is not None:
            self.consequence(cause, kind, where, message)
            return cause
        return self.root(kind, where, message, key)

    def earliest_entry_root(self, before: int | None = None) -> Violation | None:
        """The root of the earliest rejected entry (below index ``before``)."""
        indices = [i for i in self.entry_roots if before is None or i < before]
        return self.entry_roots[min(indices)] if indices else None

    # --- the steps -------------------------------------------------------------------------
    def run(self, receipts: list[Any], heads: list[Any] = (),  # type: ignore[assignment]
            acks: list[Any] = ()) -> VerifyReport:  # type: ignore[assignment]
        # the signatures are checked by worker processes while this one hashes the leaves
        # and replays the log (an entry without a canonical form fails its signature check
        # too, but is reported as what it is: not canonical)
        jobs = [i for i, entry in enumerate(self.entries)
                if isinstance(entry, dict) and entry.get("kind") in ("commit", "reveal")
                and isinstance(entry.get("participant"), str)]
        wait_for_signatures = _start_signature_checks(self.entries, jobs, self.workers)
        leaves, noncanonical = self.canonicalise()
        tree = HashedTree(leaves)
        self.report.root = tree.root().hex()
        self.setup_rules(noncanonical)
        self.check_head_size()
        events = self.replay(noncanonical)
        bad = wait_for_signatures() - noncanonical
        if bad:  # replay again without the entries whose signature is forged
            events = self.replay(noncanonical | bad)
        self.judge_entries(events, noncanonical, bad)
        self.check_tree_head(tree)
        self.check_phase_root(tree)
        for j, receipt in enumerate(receipts):
            self.report.receipts += 1
            self.check_receipt(j, receipt, tree)
        self.check_heads(heads, tree)
        self.check_acks(acks)
        self.report.violations.sort(key=lambda v: self._order.get(id(v), (9, 0)))
        return self.report

    def canonicalise(self) -> tuple[list[bytes], set[int]]:
        """Leaf hashes of the entries; an entry without a canonical form is a root violation
        (and gets a leaf that matches nothing)."""
        sha256 = hashlib.sha256
        leaves, noncanonical = [], set()
        for i, entry in enumerate(self.entries):
            try:
                leaves.append(sha256(b"\x00" + canonical_bytes(entry)).digest())
            except HurwiczError as err:
                noncanonical.add(i)
                leaves.append(sha256(b"\x02not canonical JSON").digest())
                self.entry_roots[i] = self.root(
                    "entry", _describe(i, entry), f"has no canonical JSON form: {err}", (0, i))
        return leaves, noncanonical

    def setup_rules(self, noncanonical: set[int]) -> None:
        first = self.entries[0]
        if 0 in noncanonical:
            self.rules_root = self.entry_roots[0]
            return
        if (not isinstance(first, dict) or first.get("kind") != "rules"
                or not isinstance(first.get("rules"), dict)):
            self.rules_root = self.entry_roots[0] = self.root(
                "rules", "entry #0", "the first entry must publish the rules", (0, 0))
            return
        try:
            self.state = RoundState(first["rules"], check_signatures=False)
        except HurwiczError as err:
            problem = f"cannot use the published rules: {err}"
        except Exception as err:  # hostile rules must not crash the verifier
            problem = (f"cannot use the published rules (internal error "
                       f"{type(err).__name__}: {err})")
        else:
            problem = None
        if problem:
            self.rules_root = self.entry_roots[0] = self.root("rules", "entry #0", problem, (0, 0))
            return
        self.round_id = self.state.round_id
        if self.claimed != self.round_id:
            if first.get("round") == self.round_id:  # only the transcript's label is wrong
                self.root("round", "transcript", f"names round {_show(self.claimed)} but its rules "
                          f"hash to {self.round_id!r}", (1, 0))
            else:
                self.rules_root = self.entry_roots[0] = self.root(
                    "tampering", "entry #0 (rules)", f"the rules hash to round "
                    f"{self.round_id} but the log is for round {_show(self.claimed)}: the "
                    "published rules were altered", (0, 0))
        if self.state.rules.get("operator") != self.operator:
            self.operator_root = self.root("rules", "entry #0", "the rules name another "
                                           "operator key than the transcript", (0, 0))

    def check_head_size(self) -> None:
        """Entries removed after the operator signed a longer log explain much that follows."""
        problems = head_problems(self.head, self.operator)
        n = len(self.entries)
        if not problems and self.head["size"] > n:
            self.missing_root = self.root(
                "tree_head", "transcript", f"the signed tree head covers {self.head['size']} "
                f"entries but the transcript has {n}: entries were removed", (1, 0))

    def replay(self, skip: set[int]) -> list[tuple[int, Exception]]:
        """Apply every entry not in ``skip`` to a fresh state; the refusals, by index."""
        if self.state is None:
            return []
        state = self.state = RoundState(self.state.rules, check_signatures=False)
        events = []
        for i, entry in enumerate(self.entries):
            if i in skip:
                continue
            if not isinstance(entry, dict):
                events.append((i, HurwiczError("is not a JSON object")))
                continue
            try:
                state.apply(entry)
            except Exception as err:  # judged (and named) in judge_entries
                events.append((i, err))
        return events

    def judge_entries(self, events: list[tuple[int, Exception]], noncanonical: set[int],
                      bad: set[int]) -> None:
        """Turn signature failures and refusals into violations, each a root or the
        consequence of an earlier root."""
        state = self.state
        refused = dict(events)
        for i in sorted(bad | set(refused)):
            entry = self.entries[i]
            where = _describe(i, entry)
            participant = entry.get("participant") if isinstance(entry, dict) else None
            if i in bad:
                root = self.entry_roots[i] = self.root(
                    "signature", where, "not a valid signature by the participant's key", (0, i))
                if entry.get("kind") == "commit" and isinstance(participant, str):
                    self.lost_commits.setdefault(participant, root)
                continue
            err = refused[i]
            if isinstance(err, RoundError):
                kind = "tampering" if i == 0 else _KIND_OF_FIELD.get(err.field or "", "entry")
                message = str(err)
            elif isinstance(err, HurwiczError):
                kind, message = "entry", f"cannot be checked: {err}"
            else:
                kind = "entry"
                message = f"cannot be checked (internal error {type(err).__name__}: {err})"
            cause = self.cause_of(i, entry, err, state)
            root = self.finding(cause, kind, where, message, (0, i))
            if cause is None:
                self.entry_roots[i] = root
            if isinstance(entry, dict) and entry.get("kind") == "commit" \
                    and isinstance(participant, str):
                self.lost_commits.setdefault(participant, root)
        if state is not None and state.closed is not None:
            self.report.closed, self.report.outcome = True, state.closed["outcome"]
        else:
            last = len(self.entries) - 1
            if last not in noncanonical and isinstance(self.entries[last], dict) \
                    and self.entries[last].get("kind") == "close":
                outcome = self.entries[last].get("outcome")
                self.report.closed = True
                self.report.outcome = outcome if isinstance(outcome, dict) else None

    def cause_of(self, i: int, entry: Any, err: Exception,
                 state: RoundState | None) -> Violation | None:
        """The earlier root that explains why entry ``i`` was refused, if any."""
        field_ = getattr(err, "field", None)
        if self.rules_root is not None and (field_ in ("round", "rules", "rules_hash") or (
                state is not None and state.size == 0)):  # entry 0 refused: all follows
            return self.rules_root
        if not isinstance(entry, dict):
            return None
        participant = entry.get("participant")
        if (entry.get("kind") == "reveal" and state is not None and isinstance(participant, str)
                and participant not in state.commits):
            return self.lost_commits.get(participant) or self.missing_root
        if field_ == "phase" and entry.get("kind") in ("reveal", "close"):
            # refused for want of a witnessed close of the commit phase: follows from the
            # phase entry's own refusal, if it was refused
            return self.earliest_entry_root(i)
        if field_ == "outcome" or entry.get("kind") == "close":
            # a close judged against a log that lost entries (e.g. "too early: not every
            # commit was revealed" once a tampered reveal is set aside) follows from that loss
            return self.earliest_entry_root(i) or self.missing_root
        return None

    def check_tree_head(self, tree: HashedTree) -> None:
        head, n = self.head, len(self.entries)
        problems = head_problems(head, self.operator)
        if problems:
            self.finding(self.operator_root, "tree_head", "transcript", problems[0], (1, 0))
            return
        if head["round"] != self.round_id:
            self.finding(self.rules_root, "tree_head", "transcript",
                         "the signed tree head is for another round", (1, 0))
        size = head["size"]
        if size > n:
            return  # reported as missing_root
        explained = self.earliest_entry_root(size)
        if size < n:
            self.transcript_root = self.finding(
                explained, "tree_head", "transcript", f"the signed tree head covers {size} "
                f"entries but the transcript has {n}: entries #{size} on are not signed", (1, 0))
        if tree.root(size).hex() != head["root"]:
            self.transcript_root = self.finding(
                explained or self.transcript_root, "merkle", "transcript",
                "the entries do not hash to the signed root: an entry was altered, removed, "
                "reordered or inserted", (1, 0))

    def check_phase_root(self, tree: HashedTree) -> None:
        """The head the witnesses cosigned when the commit phase closed must be this log's
        prefix: else entries before the close were changed afterwards (e.g. a shill commit
        slipped in before it after a look at the reveals)."""
        state = self.state
        if state is None or state.phase is None:
            return
        size, index = state.phase["size"], state.phase_index
        if tree.root(size).hex() != state.phase["root"]:
            self.finding(self.earliest_entry_root(index), "last_look", _describe(index, {
                "kind": "phase"}), f"the witnesses cosigned a head of size {size} whose root "
                "is not the root of this log's first entries: entries before the close of the "
                "commit phase were inserted, altered or removed after it", (0, index))

    def check_heads(self, heads: list[Any], tree: HashedTree) -> None:
        """Tree heads collected elsewhere (by bidders, monitors, witnesses): two signed heads
        of one size with different roots are equivocation (a split view), and so is a head
        whose root is not this log's prefix of its size."""
        by_size: dict[int, dict[str, Any]] = {}
        n = tree.size
        reported: set[int] = set()
        for j, head in enumerate(heads):
            where = f"head {j}"
            problems = head_problems(head, self.operator)
            if problems:
                self.root("head", where, problems[0], (3, j))
                continue
            if head["round"] != self.round_id:
                self.root("head", where, f"is for round {_show(head['round'])}, not "
                          f"{self.round_id}", (3, j))
                continue
            size, root = head["size"], head["root"]
            other = by_size.setdefault(size, head)
            if other["root"] != root and size not in reported:
                reported.add(size)
                self.root("equivocation", where, f"the operator signed two tree heads of size "
                          f"{size} with different roots ({other['root'][:16]}… at "
                          f"{other['time']}, {root[:16]}… at {head['time']}): a split view",
                          (3, j))
            elif size <= n and tree.root(size).hex() != root and size not in reported:
                reported.add(size)
                self.root("equivocation", where, f"the operator signed a tree head of size "
                          f"{size} at {head['time']} whose root is not this transcript's root "
                          f"of its first {size} entries: a split view (or a rewritten log)",
                          (3, j))
            elif size > n:
                self.root("fork", where, f"the operator signed a tree head of size {size} at "
                          f"{head['time']} but this transcript has {n} entries: entries were "
                          "removed", (3, j))

    def check_acks(self, acks: list[Any]) -> None:
        """Submissions a witness acknowledged in time: a valid one missing from the transcript
        was censored."""
        from .witness import ack_problems

        state = self.state
        if state is None or not acks:
            return
        logged = set()
        for entry in self.entries:
            if isinstance(entry, dict) and entry.get("kind") in ("commit", "reveal"):
                try:
                    logged.add(canonical_bytes({k: v for k, v in entry.items()
                                                if k != "received"}))
                except HurwiczError:
                    continue  # reported as an entry without canonical form
        for j, ack in enumerate(acks):
            where = f"ack {j}"
            problems = ack_problems(ack, state.witnesses, self.round_id)
            if problems:
                self.root("ack", where, problems[0], (4, j))
                continue
            body, when = ack["submission"], ack["ack"]["time"]
            try:
                in_logged = canonical_bytes(body) in logged
            except HurwiczError:
                in_logged = False
            if in_logged:
                continue
            problem = self.ack_validity(body, when)
            if problem:
                self.root("ack", where, problem, (4, j))
                continue
            who = body.get("name") or state.commits.get(body["participant"], {}).get("name") \
                or body["participant"][:16]
            self.root("censored", where, f"the {body['kind']} of {_show(who)} acknowledged by "
                      f"witness {ack['ack']['witness'][:16]}… at {when}, valid and in time, is "
                      "missing from the transcript: the operator refused it", (4, j))

    def ack_validity(self, body: dict[str, Any], when: str) -> str | None:
        """Why an acknowledged submission would not have been valid (None if it would)."""
        from .clock import parse_absolute_time

        state = self.state
        assert state is not None
        kind = body.get("kind")
        fields = COMMIT_FIELDS if kind == "commit" else REVEAL_FIELDS
        if kind not in ("commit", "reveal") or set(body) != fields:
            return "the acknowledged submission is not a commit or reveal"
        if body["round"] != self.round_id:
            return "the acknowledged submission is for another round"
        if not isinstance(body["participant"], str) or not verify_bytes(
                body["participant"], signing_bytes(kind, signed_payload(body)),
                str(body["signature"])):
            return "the acknowledged submission is not signed by its participant"
        moment = parse_absolute_time(when, "ack.time")
        participant = body["participant"]
        # what the rules would refuse is no censorship (else a participant could frame an
        # honest operator by lodging it with a witness, which checks only signature and time)
        if kind == "commit":
            if moment > state.commit_deadline:
                return "the acknowledged commit was lodged after the commit deadline"
            if participant in state.commits:
                return ("the acknowledged commit is a second commit by a key that has one in "
                        "the transcript (one commit per key)")
            if state.eligible is not None and participant not in state.eligible:
                return "the acknowledged commit is by a key not eligible in this round"
            name = body["name"]
            try:
                check_name(name)
            except RoundError:
                return "the acknowledged commit's name is not a valid participant name"
            holder = state.names.get(name)
            if holder is not None and parse_absolute_time(
                    state.commits[holder]["received"], "received") <= moment:
                return (f"the acknowledged commit's name {_show(name)} was taken by an earlier "
                        "commit in the transcript")
            if not isinstance(body["commitment"], str) or \
                    not _HEX64.fullmatch(body["commitment"]):
                return "the acknowledged commit's commitment is not 64 hex digits"
            return None
        if not state.commit_deadline < moment <= state.reveal_deadline:
            return "the acknowledged reveal was lodged outside the reveal phase"
        commit = state.commits.get(participant)
        if commit is None:
            return "the acknowledged reveal has no commitment in the transcript"
        if participant in state.reveals:
            return "the acknowledged reveal's participant has revealed in the transcript"
        try:
            expected = commitment(self.round_id, body["report"], str(body["salt"]))
        except HurwiczError:
            return "the acknowledged reveal's report has no canonical form"
        if not isinstance(body["salt"], str) or expected != commit["commitment"]:
            return "the acknowledged reveal does not match its commitment"
        try:
            check_report(state.mechanism, state.rules["input"], commit["name"], body["report"])
        except HurwiczError:
            return ("the acknowledged reveal's report is not a valid report for the mechanism "
                    "(the rules refuse it)")
        return None

    def receipt_cause(self, size: int) -> Violation | None:
        """What already explains a receipt's disagreement with this transcript."""
        return (self.rules_root or self.earliest_entry_root(size) or self.missing_root
                or self.transcript_root or self.rewrite_root)

    def check_receipt(self, j: int, receipt: Any, tree: HashedTree) -> None:
        where = f"receipt {j}"
        problems = receipt_problems(receipt, self.operator)
        if problems:
            self.finding(self.operator_root, "receipt", where, problems[0], (2, j))
            return
        if receipt["round"] != self.round_id:
            cause = self.rules_root if receipt["round"] == self.claimed else None
            self.finding(cause, "receipt", where, f"is for round {_show(receipt['round'])}, not "
                         f"{self.round_id}", (2, j))
            return
        head, index, wanted = receipt["tree_head"], receipt["index"], receipt["entry_hash"]
        size, n = head["size"], tree.size
        findings: list[tuple[str, str]] = []  # what the entry shows first, then the head
        cause = self.receipt_cause(size)
        if index < n and tree.leaves[index].hex() == wanted:
            entry, state = self.entries[index], self.state
            if (state is not None and state.closed is not None and isinstance(entry, dict)
                    and entry.get("kind") == "reveal"
                    and entry.get("participant") in state.commits):
                name = state.commits[entry["participant"]]["name"]
                if name not in state.closed["revealed"]:
                    findings.append(("censorship", f"the receipted reveal of {name!r} is not "
                                     "counted in the outcome"))
                    cause = cause or self.entry_roots.get(index)
        else:
            moved = [k for k, leaf in enumerate(tree.leaves) if leaf.hex() == wanted]
            if moved:
                findings.append(("reordered", f"receipted entry #{index} is at #{moved[0]} "
                                 "instead"))
            else:
                findings.append(("censorship", f"entry #{index} receipted at {head['time']} "
                                 f"(leaf {wanted[:16]}…) is missing from the transcript"))
        if size > n:
            findings.append(("censorship", f"its signed tree head (size {size}, {head['time']}) "
                             f"is longer than the transcript ({n} entries): entries were "
                             "removed"))
        elif tree.root(size).hex() != head["root"]:
            findings.append(("fork", f"the tree head of size {size} signed at {head['time']} is "
                             "not a prefix of this transcript: the operator rewrote history"))
        for kind, message in findings:
            cause = self.finding(cause, kind, where, message, (2, j))
            if self.rewrite_root is None and self.receipt_cause(size) is None:
                self.rewrite_root = cause


def verify_transcript(transcript: Mapping[str, Any],
                      receipts: Iterable[Mapping[str, Any]] = (),
                      workers: int | None = None, *,
                      heads: Iterable[Mapping[str, Any]] = (),
                      acks: Iterable[Mapping[str, Any]] = ()) -> VerifyReport:
    """Verify a transcript (and receipts) and report every violation found, grouped by cause.

    Never raises on a malformed transcript or receipt: what is wrong is a violation. Read
    transcripts with :func:`hurwicz.credible.canonical.loads` (numbers as doubles, as every
    verifier reads them). ``workers`` processes check signatures of long transcripts (default:
    one per CPU).

    Example:
        >>> verify_transcript({"format": TRANSCRIPT_FORMAT, "entries": []}).violations[0].message
        'a transcript needs entries, the operator key and a signed tree head'
    """
    problem = _format_problem(transcript)
    if problem is None:
        try:
            receipts, heads, acks = list(receipts), list(heads), list(acks)
        except TypeError:
            problem = "receipts, heads and acks must be lists"
    if problem is not None:
        report = VerifyReport()
        report.add("format", "transcript", problem)
        return report
    return _Verification(dict(transcript), workers).run(list(receipts), list(heads), list(acks))


def load_receipts(document: Any) -> list[dict[str, Any]]:
    """Receipts from a receipt file: one receipt, a list of them, or a participant state file
    (``{"receipts": [...]}``) as written by ``hurwicz bid``.

    Example:
        >>> load_receipts({"receipts": [{"index": 1}]})
        [{'index': 1}]
    """
    if isinstance(document, list):
        return list(document)
    if isinstance(document, dict) and isinstance(document.get("receipts"), list):
        return list(document["receipts"])
    return [document]


def load_heads(document: Any) -> list[dict[str, Any]]:
    """Signed tree heads from a file: one head, a list, ``{"heads": [...]}`` (a monitor's
    file, or a witness's equivocation proof), or a receipt (its tree head).

    Example:
        >>> load_heads({"heads": [{"size": 1}, {"size": 2}]})
        [{'size': 1}, {'size': 2}]
        >>> load_heads({"index": 0, "tree_head": {"size": 1}})
        [{'size': 1}]
    """
    if isinstance(document, list):
        return [h for d in document for h in load_heads(d)]
    if isinstance(document, dict) and isinstance(document.get("heads"), list):
        return list(document["heads"])
    if isinstance(document, dict) and isinstance(document.get("tree_head"), dict):
        return [document["tree_head"]]
    return [document]


def load_acks(document: Any) -> list[dict[str, Any]]:
    """Acknowledgements from a file: one, a list, or ``{"acks": [...]}`` (a bid state file).

    Example:
        >>> load_acks({"acks": [{"ack": {}}]})
        [{'ack': {}}]
    """
    if isinstance(document, list):
        return list(document)
    if isinstance(document, dict) and isinstance(document.get("acks"), list):
        return list(document["acks"])
    return [document]
