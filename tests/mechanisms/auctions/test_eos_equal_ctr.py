"""EOS equilibrium bids of GSP, checked against GSP itself (with its name tie-break).

Sources: Edelman, Ostrovsky & Schwarz (2007), "Internet Advertising and the Generalized
Second-Price Auction", AER 97(1), Theorem 1 — at the lowest locally envy-free equilibrium,
s_k = v_k − (CTR_k / CTR_{k−1})(v_k − s_{k+1}), GSP's positions and payments equal VCG's
(Varian 2007, IJIO 25(6), makes the same point for "symmetric Nash equilibria").

The defect: with two equal adjacent click-through rates, every envy-free equilibrium has the
bidders ranked just below them bid the same score (else the upper one drops a slot, same clicks,
lower price); GSP breaks that tie by name, so when the lower-value bidder's name sorts first the
returned bids were not an equilibrium. The function now raises an InputError in exactly those
cases (there is no envy-free equilibrium of GSP with that name order to return), and otherwise
returns bids that the brute-force check below confirms are a Nash equilibrium of
``auction.gsp`` — every bidder tried at every slot (and at no slot).
"""

from __future__ import annotations

import itertools
import random
from typing import Any

import numpy as np
import pytest

import hurwicz as hz
from hurwicz.core.errors import InputError
from hurwicz.mechanisms.auctions.position import eos_equilibrium_bids

GSP = hz.mechanism("auction.gsp")
VCG = hz.mechanism("auction.position_vcg")


def _data(bids: dict[str, float], slots: list[float],
          quality: dict[str, float] | None) -> dict[str, Any]:
    data: dict[str, Any] = {"slots": slots, "bids": bids}
    if quality:
        data["quality"] = quality
    return data


def utility(who: str, values: dict[str, float], bids: dict[str, float], slots: list[float],
            quality: dict[str, float] | None = None) -> float:
    """value per click × clicks − payment, from ``auction.gsp``'s own run."""
    out = GSP.run(_data(bids, slots, quality))
    return values[who] * out.result["clicks"][who] - out.payments[who]


def best_deviation(values: dict[str, float], bids: dict[str, float], slots: list[float],
                   quality: dict[str, float] | None = None) -> tuple[float, str | None, float]:
    """The largest gain any bidder gets by any bid, and who and which bid.

    Exact over every slot: in GSP a bidder's own bid only decides its rank (the price is the
    next score), so it suffices to try 0, a tie with each other bidder's score (won or lost by
    the name tie-break) and a bid just above each other score."""
    q = quality or {}
    best: tuple[float, str | None, float] = (0.0, None, 0.0)
    for who in bids:
        base = utility(who, values, bids, slots, quality)
        qi = q.get(who, 1.0)
        cands = {0.0}
        for other, b in bids.items():
            if other != who:
                level = b * q.get(other, 1.0) / qi
                cands |= {level, level * (1 + 1e-9) + 1e-9}
        for cand in sorted(cands):
            gain = utility(who, values, {**bids, who: cand}, slots, quality) - base
            if gain > best[0]:
                best = (gain, who, cand)
    return best


def _random_market(rng: random.Random, equal_ctrs: bool) -> tuple[dict, list, dict | None]:
    n = rng.randint(2, 6)
    names = rng.sample(["a", "b", "c", "d", "e", "f", "g", "h"], n)
    values = {nm: float(rng.choice([rng.randint(1, 20), round(rng.uniform(0.5, 20), 2)]))
              for nm in names}
    m = rng.randint(1, n + 1)
    ctrs = sorted((round(rng.uniform(0.05, 1.0), 2) for _ in range(m)), reverse=True)
    if equal_ctrs and m >= 2:
        j = rng.randrange(1, m)
        ctrs[j] = ctrs[j - 1]
    if len(set(ctrs)) < len(ctrs) and not equal_ctrs:
        ctrs = [c * (1 - 0.01 * i) for i, c in enumerate(ctrs)]
    # with equal CTRs, powers of two keep score ties exact through bid = score / quality
    choices = [0.5, 1.0, 2.0, 0.25] if equal_ctrs else [0.5, 1.0, 1.5, 0.3]
    quality = ({nm: rng.choice(choices) for nm in names} if rng.random() < 0.4 else None)
    return values, ctrs, quality


def _check_equilibrium(values: dict, slots: list, quality: dict | None) -> None:
    bids = eos_equilibrium_bids(values, slots, quality)
    out = GSP.run(_data(bids, slots, quality))
    # a Nash equilibrium of GSP with its name tie-break: no bidder gains at any slot
    gain, who, bid = best_deviation(values, bids, slots, quality)
    assert gain <= 1e-7 * max(values.values()), (values, slots, quality, bids, who, bid)
    # EOS Theorem 1: the efficient assignment (VCG's at true values: every bidder gets the
    # clicks of its value rank — slots with equal CTRs may be permuted) and each bidder pays
    # its VCG payment, so the revenues are equal
    vcg = VCG.run(_data(values, slots, quality))
    for nm in values:
        assert out.result["clicks"][nm] == vcg.result["clicks"][nm]
        assert out.payments[nm] == pytest.approx(vcg.payments[nm], rel=1e-9, abs=1e-9)
    assert out.metrics["revenue"] == pytest.approx(vcg.metrics["revenue"], rel=1e-9, abs=1e-9)


@pytest.mark.parametrize(("values", "slots", "quality"), [
    ({"a": 10, "b": 8, "c": 5}, [1.0, 0.5], None),                       # EOS-style example
    ({"a": 10, "b": 8, "c": 6, "d": 4}, [1.0, 0.6, 0.3], None),
    ({"a": 10, "b": 8, "c": 6, "d": 4}, [1.0, 0.5, 0.5], None),          # equal CTRs, names ok
    ({"a": 10, "b": 8, "c": 5}, [1.0, 1.0], None),                       # b and c tie at 5
    ({"a": 10, "b": 8, "c": 6, "d": 4, "e": 1}, [0.9, 0.4, 0.4, 0.4], None),  # tie chain
    # e, b, f tie at 1.6 for slots 2–4 (CTRs .5, .5, .2); GSP puts b above e by name, which is
    # harmless: slots 2 and 3 have the same CTR and price, and f (largest name) gets slot 4
    ({"a": 10, "c": 8, "e": 6, "b": 4, "f": 2, "g": 1}, [1.0, 0.5, 0.5, 0.5, 0.2], None),
    ({"a": 9, "b": 9, "c": 9}, [1.0, 1.0], None),                        # equal values
    ({"a": 4, "b": 3, "c": 1}, [1.0, 0.4], {"a": 0.5, "c": 2.0}),        # quality scores
    ({"a": 7, "b": 5}, [1.0, 0.5, 0.2], None),                           # more slots than bidders
])
def test_known_markets_are_gsp_equilibria_with_vcg_payments(values, slots, quality) -> None:
    _check_equilibrium({k: float(v) for k, v in values.items()}, slots, quality)


def test_eos_example_numbers() -> None:
    """Two slots (1, 0.5), values 10, 8, 5: c bids 5; b bids 8 − 0.5·(8 − 5) = 6.5; GSP charges
    a 6.5 and b 0.5·5 = 2.5 — VCG's (1 − 0.5)·8 + 0.5·5 = 6.5 and 2.5."""
    bids = eos_equilibrium_bids({"a": 10, "b": 8, "c": 5}, [1.0, 0.5])
    assert bids == {"a": 10.0, "b": 6.5, "c": 5.0}
    assert GSP.run({"slots": [1.0, 0.5], "bids": bids}).payments == {
        "a": 6.5, "b": 2.5, "c": 0.0}


@pytest.mark.parametrize("seed", range(40))
def test_random_markets_distinct_ctrs(seed: int) -> None:
    values, slots, quality = _random_market(random.Random(seed), equal_ctrs=False)
    _check_equilibrium(values, slots, quality)


@pytest.mark.parametrize("seed", range(60))
def test_random_markets_equal_ctrs_equilibrium_or_clear_error(seed: int) -> None:
    """With an equal adjacent pair of CTRs: either the bids are a GSP equilibrium with VCG
    payments, or the function raises — and then the envy-free bids (the same recurrence with
    the names relabelled into value order, so the ties go the intended way) are *not* an
    equilibrium of GSP under the real names: someone gains by moving."""
    values, slots, quality = _random_market(random.Random(10_000 + seed), equal_ctrs=True)
    try:
        eos_equilibrium_bids(values, slots, quality)
    except InputError as err:
        assert err.field == "values" and "tie-break" in str(err)
        q = quality or {}
        order = sorted(values, key=lambda n: (-values[n] * q.get(n, 1.0), n))
        alias = {nm: f"r{i:02d}" for i, nm in enumerate(order)}  # names in value order
        back = {v: k for k, v in alias.items()}
        relabelled = eos_equilibrium_bids({alias[k]: v for k, v in values.items()}, slots,
                                          {alias[k]: v for k, v in q.items()} or None)
        bids = {back[k]: v for k, v in relabelled.items()}
        # the bidder left at the lower position gains (c − c_h)(v_high − v_low) > 0 by
        # outbidding the tie
        gain, _, _ = best_deviation(values, bids, slots, quality)
        assert gain > 1e-9
        return
    _check_equilibrium(values, slots, quality)


REVERSED = {"x": 10.0, "c": 8.0, "b": 5.0}  # c outranks b by value, b sorts first by name


def test_equal_ctrs_with_reversed_names_raise_a_clear_error() -> None:
    with pytest.raises(InputError) as err:
        eos_equilibrium_bids(REVERSED, [1.0, 1.0])
    assert err.value.field == "values"
    assert "'c'" in str(err.value) and "'b'" in str(err.value) and "tie-break" in str(err.value)
    # the same market with the names in value order is fine (the tie goes to c)
    assert eos_equilibrium_bids({"x": 10.0, "b": 8.0, "c": 5.0}, [1.0, 1.0]) == {
        "x": 10.0, "b": 5.0, "c": 5.0}
    # four bidders, equal CTRs lower down: d (value 6) and c (value 4) must tie; c sorts first
    with pytest.raises(InputError):
        eos_equilibrium_bids({"a": 10.0, "b": 8.0, "d": 6.0, "c": 4.0}, [1.0, 0.5, 0.5])


def test_reversed_names_the_envy_free_bids_are_not_an_equilibrium() -> None:
    """The bids the recurrence gives (x 10, c and b both 5) put b in slot 1 by name; c gains
    8 − 5 = 3 by bidding just above 5."""
    bids = {"x": 10.0, "c": 5.0, "b": 5.0}
    out = GSP.run({"slots": [1.0, 1.0], "bids": bids})
    assert out.allocation == {"b": 1, "c": None, "x": 0}
    gain, who, bid = best_deviation(REVERSED, bids, [1.0, 1.0])
    assert who == "c" and gain == pytest.approx(3.0) and bid > 5.0


def test_reversed_names_gsp_has_no_pure_equilibrium_on_a_grid() -> None:
    """Why raising is right: on this market GSP with the name tie-break has no pure Nash
    equilibrium at all. Argument: with equal CTRs both slot holders must pay the same price p
    (else the top one drops a slot), so the second and third bids tie at p and the tie goes to
    the name that sorts first; the bidder left out needs value ≤ p and the holders value ≥ p.
    Left out b (5) needs a holder tied with b whose name sorts before "b" — none; left out c (8)
    or x (10) needs p ≥ 8 while b, a holder, needs p ≤ 5. Brute force over every bid profile on
    the grid 0, 0.5, …, 12 (exact best responses over every slot, vectorised through
    ``run_batch``, which agrees with ``run``) finds no profile where nobody gains."""
    names = sorted(REVERSED)  # b, c, x: the batch columns
    v = np.array([REVERSED[n] for n in names])
    grid = np.arange(0.0, 12.01, 0.5)
    profiles = np.array(list(itertools.product(grid, repeat=3)))
    layout = GSP.layout(names, {"slots": [1.0, 1.0]})
    base = GSP.run_batch(profiles, layout)
    base_u = v[None, :] * base.allocation - base.payments
    stable = np.ones(len(profiles), dtype=bool)
    for i in range(3):
        others = [j for j in range(3) if j != i]
        cands = [np.zeros(len(profiles))]
        for j in others:
            cands += [profiles[:, j], profiles[:, j] + 1e-6]
        for cand in cands:
            dev = profiles.copy()
            dev[:, i] = cand
            res = GSP.run_batch(dev, layout)
            u = v[i] * res.allocation[:, i] - res.payments[:, i]
            stable &= u <= base_u[:, i] + 1e-9
    assert not stable.any(), profiles[stable][:5]
    # spot-check the batch path against run() on a few rows
    for row in profiles[::997]:
        bids = dict(zip(names, map(float, row)))
        out = GSP.run({"slots": [1.0, 1.0], "bids": bids})
        res = GSP.run_batch(row[None, :], layout)
        assert [out.payments[n] for n in names] == res.payments[0].tolist()
