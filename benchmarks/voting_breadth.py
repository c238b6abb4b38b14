"""The rules of issue #18 ("Voting breadth") against their peers, end to end through both
public APIs on the same ballots, in one process. Part of ``benchmarks/voting.py`` (run there
unless ``--skip-breadth``), or alone:

1. Ranked single-winner rules vs pref_voting: hurwicz ``hz.mechanism("voting.<rule>").run(dict)``
   (validation, the merge, the rule and the Outcome timed) against pref_voting's
   ``Profile(rankings)`` + the rule. Both must elect the same co-winners (asserted). Dodgson and
   Slater (exact ILPs) run on a smaller electorate (``--ilp-voters``, ``--ilp-candidates``):
   pref_voting's Dodgson enumerates swap sequences. Young has no pref_voting counterpart: it is
   timed alone.
2. Approval committees vs abcvoting: ``run(dict)`` against abcvoting's ``Profile`` +
   ``abcrules.compute(rule, profile, seats, resolute=True)`` with its default (fastest available)
   algorithm. Our committee must be one of abcvoting's irresolute committees (asserted; the
   irresolute call is not timed). The axiom checkers ``hz.voting.axioms`` (JR, PJR, EJR, EJR+,
   FJR, core, priceability) against abcvoting's ``properties.check`` (same verdicts asserted).
3. Ranked and cardinal multiwinner rules vs votekit on a real election (PrefLib 2002 Dublin West,
   29,988 ballots, 3 seats) and on a synthetic one: ``run(dict)`` against votekit's profile +
   election object (STV, SNTV, bloc, limited, Alaska's top-four primary, cumulative). Elected
   sets asserted equal. votekit has no Meek STV: ``voting.meek_stv`` runs against
   pref_voting's ``stv_meek`` on a smaller electorate (``--meek-voters``).

Run: ``python benchmarks/voting_breadth.py [--voters 100000] [--approval-voters 300]``
"""

from __future__ import annotations

import argparse
import importlib
import os
from pathlib import Path
from typing import Any

import numpy as np

from voting import as_input as ranked_input  # this folder: benchmarks/voting.py
from voting import best_of, electorate

#: hurwicz rule → (pref_voting module, function)
RANKED_PEERS = {
    "split_cycle": ("margin_based_methods", "split_cycle"),
    "stable_voting": ("margin_based_methods", "stable_voting"),
    "black": ("combined_methods", "blacks"),
    "smith_irv": ("combined_methods", "smith_irv"),
    "condorcet_irv": ("combined_methods", "condorcet_irv"),
    "uncovered_set": ("c1_methods", "uc_gill"),
    "banks": ("c1_methods", "banks"),
    "anti_plurality": ("scoring_methods", "anti_plurality"),
}
#: exact ILP rules, on the small electorate
ILP_PEERS = {"dodgson": ("other_methods", "dodgson"), "slater": ("c1_methods", "slater")}
#: hurwicz rule → abcvoting rule id
APPROVAL_PEERS = {
    "sav": "sav", "seq_pav": "seqpav", "rev_seq_pav": "revseqpav", "seq_cc": "seqcc",
    "slav": "slav", "monroe": "monroe", "minimax_phragmen": "minimaxphragmen",
    "leximax_phragmen": "leximaxphragmen", "maximin_support": "maximin-support",
    "phragmen_enestrom": "phragmen-enestroem", "equal_shares": "equal-shares",
}
DUBLIN_WEST = Path(__file__).resolve().parents[1] / "examples/inputs/preflib/00001-00000002.soi"


def ranked_versus_pref_voting(ballots: np.ndarray, peers: dict, repeats: int) -> None:
    from pref_voting.profiles import Profile as PVProfile

    import hurwicz as hz

    n, m = ballots.shape
    data = ranked_input(ballots)
    rankings = ballots.tolist()
    warm = ranked_input(ballots[:30])
    print(f"  {n:,} voters × {m} candidates (hurwicz run(dict) vs pref_voting Profile + rule; "
          f"fastest of {repeats}):")
    for name, (module, function) in peers.items():
        rule = getattr(importlib.import_module(f"pref_voting.{module}"), function)
        rule(PVProfile(ballots[:30].tolist()))  # imports and JIT not timed
        mech = hz.mechanism(f"voting.{name}")
        mech.run(warm)
        ours, out = best_of(lambda: mech.run(data), repeats)  # noqa: B023
        theirs, won = best_of(lambda: rule(PVProfile(rankings)), repeats)  # noqa: B023
        assert sorted(out.result["tied"]) == sorted(f"c{c}" for c in won), (
            name, out.result["tied"], won)
        print(f"    {name:15s} pref_voting {theirs:7.3f} s  hurwicz {ours:7.3f} s  → "
              f"{theirs / ours:6.1f}×  (co-winners {', '.join(out.result['tied'])})")


def young_alone(ballots: np.ndarray) -> None:
    import hurwicz as hz

    n, m = ballots.shape
    seconds, out = best_of(lambda: hz.mechanism("voting.young").run(ranked_input(ballots)), 1)
    print(f"    {'young':15s} no peer; hurwicz {seconds:7.3f} s on {n:,} × {m} "
          f"(co-winners {', '.join(out.result['tied'])})")


def approval_profile(n: int, m: int, seed: int = 1) -> list[list[int]]:
    """Each voter approves the candidates within a radius of a random point on a line."""
    rng = np.random.default_rng(seed)
    where = rng.uniform(size=m)
    voters = rng.uniform(size=n)
    radius = rng.uniform(0.05, 0.3, size=n)
    sets = [np.nonzero(np.abs(where - v) <= r)[0].tolist() for v, r in zip(voters, radius)]
    return [s if s else [int(np.argmin(np.abs(where - v)))] for s, v in zip(sets, voters)]


def approval_versus_abcvoting(n: int, m: int, seats: int, repeats: int) -> None:
    from abcvoting import abcrules
    from abcvoting.preferences import Profile as ABCProfile

    import hurwicz as hz

    sets = approval_profile(n, m)
    names = [f"c{i}" for i in range(m)]
    data = {"candidates": names, "ballots": [{"approve": [names[c] for c in s]} for s in sets]}

    def theirs_profile() -> Any:
        profile = ABCProfile(m)
        profile.add_voters(sets)
        return profile

    print(f"  {n} voters × {m} candidates, {seats} seats (hurwicz run(dict) vs abcvoting "
          f"Profile + compute(resolute=True), its algorithm named; fastest of {repeats}):")
    for name, rule_id in APPROVAL_PEERS.items():
        algorithm = abc_algorithm(rule_id)
        mech = hz.mechanism(f"voting.{name}", seats=seats)
        ours, out = best_of(lambda: mech.run(data), repeats)  # noqa: B023
        try:
            theirs, committees = best_of(lambda r=rule_id, a=algorithm: abcrules.compute(
                r, theirs_profile(), seats, resolute=True, algorithm=a), repeats)
            every = abcrules.compute(rule_id, theirs_profile(), seats, resolute=False,
                                     algorithm=algorithm)
        except Exception as err:  # gurobipy's size-limited licence
            print(f"    {name:17s} abcvoting ({algorithm}) could not run: "
                  f"{str(err).splitlines()[0][:70]}; hurwicz {ours:7.3f} s")
            continue
        ours_set = {int(w[1:]) for w in out.result["winners"]}
        assert any(set(c) == ours_set for c in every), (name, out.result["winners"], every)
        same = "same committee" if set(committees[0]) == ours_set else \
            "another of its committees"
        print(f"    {name:17s} abcvoting {theirs:7.3f} s  hurwicz {ours:7.3f} s  → "
              f"{theirs / ours:6.1f}×  ({algorithm}; {same})")


def axioms_versus_abcvoting(n: int, m: int, seats: int, repeats: int) -> None:
    """``hz.voting.axioms.<axiom>(election, committee)`` against abcvoting's
    ``properties.check(name, profile, committee)`` (its fastest algorithm: Gurobi where its
    size-limited licence allows), on the seq. Phragmén and the approval-voting committees."""
    from abcvoting import properties
    from abcvoting.preferences import Profile as ABCProfile

    import hurwicz as hz

    # a majority bloc (50%), a minority bloc (35%) and voters on a line (15%)
    major, minor = n // 2, (35 * n) // 100
    sets = [[0, 1, 2, 3]] * major + [[5, 6]] * minor + \
        approval_profile(n - major - minor, m, seed=3)
    names = [f"c{i}" for i in range(m)]
    data = {"candidates": names, "ballots": [{"approve": [names[c] for c in s]} for s in sets]}
    committees = {rule: hz.mechanism(f"voting.{rule}", seats=seats).run(data).result["winners"]
                  for rule in ("seq_phragmen", "sav")}
    committees["approval top"] = hz.mechanism("voting.approval").run(data).result[
        "ranking"][:seats]
    axioms = hz.voting.axioms
    print(f"  axioms: {n} voters × {m} candidates, committees of {seats} (hurwicz "
          f"hz.voting.axioms.<axiom> vs abcvoting properties.check; fastest of {repeats}):")
    for ours_name, theirs_name in (("jr", "jr"), ("pjr", "pjr"), ("ejr", "ejr"),
                                   ("ejr_plus", "ejr+"), ("fjr", "fjr"), ("core", "core"),
                                   ("priceability", "priceability")):
        check = getattr(axioms, ours_name)
        line = []
        for rule, committee in committees.items():
            ours, verdict = best_of(lambda c=committee, f=check: f(data, c), repeats)
            indices = {names.index(c) for c in committee}

            def peer(indices: set[int] = indices, name: str = theirs_name) -> bool:
                profile = ABCProfile(m)
                profile.add_voters(sets)
                return properties.check(name, profile, indices)

            try:
                theirs, held = best_of(peer, repeats)
            except Exception as err:  # gurobipy's size-limited licence
                line.append(f"{rule}: abcvoting could not run ({str(err)[:40]}), hurwicz "
                            f"{ours:.3f} s")
                continue
            assert bool(held) == verdict.satisfied, (ours_name, rule, committee)
            line.append(f"{rule} {'holds' if held else 'fails'}: abcvoting {theirs:.3f} s, "
                        f"hurwicz {ours:.3f} s → {theirs / ours:.1f}×")
        print(f"    {ours_name:13s} " + "; ".join(line))


def abc_algorithm(rule_id: str) -> str:
    """abcvoting's algorithm for the rule: HiGHS through PuLP where it has one (the solver
    hurwicz uses), else its first algorithm that needs no Gurobi licence, else Gurobi."""
    from abcvoting import abcrules

    algorithms = abcrules.Rule(rule_id).algorithms
    if "pulp-highs" in algorithms:
        return "pulp-highs"
    return next((a for a in algorithms if a != "gurobi"), algorithms[0])


def votekit_rank_profile(data: dict) -> Any:
    from votekit.ballot import RankBallot
    from votekit.pref_profile import RankProfile

    return RankProfile(ballots=[RankBallot(ranking=[{c} for c in b["ranking"]],
                                           weight=b.get("count", 1))
                                for b in data["ballots"]], candidates=data["candidates"])


def multiwinner_versus_votekit(data: dict, label: str, seats: int, repeats: int) -> None:
    from votekit.elections import SNTV, STV, Alaska, BlockPlurality

    import hurwicz as hz

    voters = sum(b.get("count", 1) for b in data["ballots"])
    print(f"  {label}: {voters:,} voters, {len(data['ballots']):,} ballot groups, "
          f"{len(data['candidates'])} candidates, {seats} seats (hurwicz run(dict) vs votekit "
          f"profile + election; fastest of {repeats}):")
    cases = [
        ("stv", {"seats": seats}, lambda p: STV(p, n_seats=seats)),
        ("sntv", {"seats": seats}, lambda p: SNTV(p, n_seats=seats)),
        ("bloc", {"seats": seats}, lambda p: BlockPlurality(p, n_seats=seats)),
        ("limited", {"seats": seats, "votes": seats - 1},
         lambda p: BlockPlurality(p, n_seats=seats, budget=seats - 1)),
        ("primary_rcv", {"finalists": 4}, lambda p: Alaska(p, m_1=4, m_2=1)),
    ]
    for name, params, election in cases:
        mech = hz.mechanism(f"voting.{name}", **params)
        ours, out = best_of(lambda: mech.run(data), repeats)  # noqa: B023
        theirs, won = best_of(lambda: election(votekit_rank_profile(data)),  # noqa: B023
                              repeats)
        elected = set().union(*won.get_elected())
        assert elected == set(out.result["winners"]), (name, elected, out.result["winners"])
        print(f"    {name:12s} votekit {theirs:7.3f} s  hurwicz {ours:7.3f} s  → "
              f"{theirs / ours:6.1f}×  (elected {', '.join(sorted(elected))})")


def cumulative_versus_votekit(ballots: np.ndarray, seats: int, repeats: int) -> None:
    """Cumulative voting on score ballots: seats − 1 points to a voter's first choice, 1 to
    the second."""
    from votekit.ballot import ScoreBallot
    from votekit.elections import Cumulative
    from votekit.pref_profile import ScoreProfile

    import hurwicz as hz

    names = [f"c{i}" for i in range(ballots.shape[1])]
    scores = [{names[r[0]]: seats - 1, names[r[1]]: 1} for r in ballots.tolist()]
    data = {"candidates": names, "ballots": [{"scores": s} for s in scores]}
    mech = hz.mechanism("voting.cumulative", seats=seats)
    ours, out = best_of(lambda: mech.run(data), repeats)
    theirs, won = best_of(lambda: Cumulative(ScoreProfile(
        ballots=[ScoreBallot(scores=s) for s in scores], candidates=names),
        n_seats=seats), repeats)
    elected = set().union(*won.get_elected())
    assert elected == set(out.result["winners"]), (elected, out.result["winners"])
    print(f"    {'cumulative':12s} votekit {theirs:7.3f} s  hurwicz {ours:7.3f} s  → "
          f"{theirs / ours:6.1f}×  ({len(scores):,} score ballots, {seats} points each)")


def meek_versus_pref_voting(ballots: np.ndarray, seats: int, repeats: int) -> None:
    """Meek STV (votekit has none): pref_voting's ``stv_meek`` on ``ProfileWithTies``."""
    from pref_voting.profiles_with_ties import ProfileWithTies
    from pref_voting.proportional_methods import stv_meek

    import hurwicz as hz

    n, m = ballots.shape
    data = ranked_input(ballots)
    rankings = [{c: k + 1 for k, c in enumerate(row)} for row in ballots.tolist()]
    mech = hz.mechanism("voting.meek_stv", seats=seats)
    ours, out = best_of(lambda: mech.run(data), repeats)
    theirs, won = best_of(lambda: stv_meek(ProfileWithTies(rankings, candidates=list(range(m))),
                                           num_seats=seats), repeats)
    assert sorted(f"c{c}" for c in won) == sorted(out.result["winners"]), (won, out.result)
    print(f"    {'meek_stv':12s} pref_voting {theirs:7.3f} s  hurwicz {ours:7.3f} s  → "
          f"{theirs / ours:6.1f}×  ({n:,} voters × {m}, {seats} seats; elected "
          f"{', '.join(sorted(out.result['winners']))})")


def preflib_input(path: Path) -> dict:
    from hurwicz.io.inputs import read_input

    data = read_input(path, "voting.stv")
    ballots = data["ballots"]
    as_list = ballots.as_list() if hasattr(ballots, "as_list") else list(ballots)
    return {"candidates": list(data["candidates"]), "ballots": as_list}


def run_breadth(voters: int = 100_000, candidates: int = 8, ilp_voters: int = 500,
                ilp_candidates: int = 6, approval_voters: int = 300,
                approval_candidates: int = 12, seats: int = 4, meek_voters: int = 500,
                repeats: int = 3) -> None:
    """Every section above, printed."""
    print("voting breadth (issue #18), end to end through both public APIs:")
    print(" ranked single-winner rules vs pref_voting")
    ranked_versus_pref_voting(electorate(voters, candidates, seed=5), RANKED_PEERS, repeats)
    small = electorate(ilp_voters, ilp_candidates, seed=6)
    ranked_versus_pref_voting(small, ILP_PEERS, repeats)
    young_alone(small)
    print(" approval committees vs abcvoting")
    approval_versus_abcvoting(approval_voters, approval_candidates, seats, repeats)
    axioms_versus_abcvoting(40, 9, 3, repeats)
    print(" multiwinner rules vs votekit")
    if DUBLIN_WEST.exists():
        multiwinner_versus_votekit(preflib_input(DUBLIN_WEST), "2002 Dublin West (PrefLib)", 3,
                                   repeats)
    synthetic = electorate(20_000, 10, seed=7)
    multiwinner_versus_votekit(ranked_input(synthetic), "synthetic", 4, repeats)
    cumulative_versus_votekit(synthetic, 4, repeats)
    meek_versus_pref_voting(electorate(meek_voters, 8, seed=8), 3, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--voters", type=int, default=100_000)
    parser.add_argument("--candidates", type=int, default=8)
    parser.add_argument("--ilp-voters", type=int, default=500)
    parser.add_argument("--ilp-candidates", type=int, default=6)
    parser.add_argument("--approval-voters", type=int, default=300)
    parser.add_argument("--approval-candidates", type=int, default=12)
    parser.add_argument("--seats", type=int, default=4)
    parser.add_argument("--meek-voters", type=int, default=500,
                        help="pref_voting's stv_meek is slow: a small electorate")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    import pref_voting.profiles  # noqa: F401  (its OR-Tools build loads before highspy)

    print(f"load average: {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs")
    run_breadth(args.voters, args.candidates, args.ilp_voters, args.ilp_candidates,
                args.approval_voters, args.approval_candidates, args.seats, args.meek_voters,
                args.repeats)


if __name__ == "__main__":
    main()
