"""Random instances: school-choice markets with correlated preferences and kidney pools with
realistic blood-type and tissue-type compatibility.

Kidney pools follow Saidman, Roth, Sönmez, Ünver & Delmonico (2006), "Increasing the Opportunity
of Live Kidney Donation by Matching for Two- and Three-Way Exchanges", Transplantation 81(5):
ABO frequencies O 48.14%, A 33.73%, B 14.28%, AB 3.85%; patient PRA low (< 10%) with
probability 0.7, medium with 0.2, high (> 80%) with 0.1, i.e. a positive crossmatch with
probability 0.05, 0.45, 0.90. A drawn donor–patient pair enters the pool only if it is
incompatible (ABO or crossmatch); altruists are extra donors.

Example:
    >>> pool = kidney_pool(20, altruist_share=0.1, seed=0)
    >>> len(pool["pairs"]), len(pool["altruists"])
    (20, 2)
    >>> m = school_market(50, 5, 3, seed=1)
    >>> len(m["proposers"]), all(len(v) == 3 for v in m["proposers"].values())
    (50, True)
"""

from __future__ import annotations

from typing import Any

import numpy as np

BLOOD = ["O", "A", "B", "AB"]
BLOOD_P = [0.4814, 0.3373, 0.1428, 0.0385]
PRA_LEVELS = [(0.7, 0.05), (0.2, 0.45), (0.1, 0.90)]


def abo_compatible(donor: str, patient: str) -> bool:
    """ABO compatibility: O gives to all, AB receives from all.

    Example:
        >>> abo_compatible("O", "A"), abo_compatible("A", "B"), abo_compatible("B", "AB")
        (True, False, True)
    """
    return donor == "O" or patient == "AB" or donor == patient


def kidney_pool(pairs: int, altruist_share: float = 0.05, seed: int = 0) -> dict[str, Any]:
    """An incompatible-pair pool with altruists and compatibility edges (weight 1).

    Example:
        >>> pool = kidney_pool(5, seed=2)
        >>> {e["recipient"] for e in pool["edges"]} <= set(pool["pairs"])
        True
    """
    rng = np.random.default_rng(seed)
    patients, donors, cpra = [], [], []
    while len(patients) < pairs:
        p_blood = rng.choice(BLOOD, p=BLOOD_P)
        d_blood = rng.choice(BLOOD, p=BLOOD_P)
        level = rng.choice(len(PRA_LEVELS), p=[lv[0] for lv in PRA_LEVELS])
        pra = PRA_LEVELS[level][1]
        compatible = abo_compatible(d_blood, p_blood) and rng.random() >= pra
        if compatible:
            continue  # compatible pairs transplant directly and never enter the pool
        patients.append(p_blood)
        donors.append(d_blood)
        cpra.append(pra)
    n_alt = round(pairs * altruist_share)
    alt_blood = list(rng.choice(BLOOD, size=n_alt, p=BLOOD_P))
    names = [f"p{i:04d}" for i in range(pairs)]
    alt_names = [f"n{i:03d}" for i in range(n_alt)]
    edges = []
    donor_blood = donors + alt_blood
    donor_names = names + alt_names
    for u, (dn, db) in enumerate(zip(donor_names, donor_blood)):
        for v in range(pairs):
            if u == v:
                continue
            if abo_compatible(db, patients[v]) and rng.random() >= cpra[v]:
                edges.append({"donor": dn, "recipient": names[v], "weight": 1.0})
    return {"pairs": names, "altruists": alt_names, "edges": edges}


def school_market(students: int, schools: int, choices: int, seed: int = 0,
                  correlation: float = 0.5, capacity: int | None = None) -> dict[str, Any]:
    """A school-choice market: utility = correlation × common quality + (1 − correlation) ×
    idiosyncratic noise; schools rank students by a common score plus noise.

    Example:
        >>> m = school_market(4, 2, 2, seed=0)
        >>> sorted(m["receivers"])
        ['c0', 'c1']
    """
    rng = np.random.default_rng(seed)
    quality = rng.normal(size=schools)
    util = correlation * quality[None, :] + (1 - correlation) * rng.normal(
        size=(students, schools))
    ranked = np.argsort(-util, axis=1)[:, :choices]
    score = rng.normal(size=students)
    cap = capacity if capacity is not None else max(1, students // schools)
    proposers = {f"s{i}": [f"c{j}" for j in ranked[i]] for i in range(students)}
    receivers = {}
    for j in range(schools):
        applicants = np.nonzero((ranked == j).any(axis=1))[0]
        noisy = score[applicants] + 0.5 * rng.normal(size=len(applicants))
        receivers[f"c{j}"] = [f"s{i}" for i in applicants[np.argsort(-noisy)]]
    return {"proposers": proposers, "receivers": receivers,
            "capacities": {f"c{j}": cap for j in range(schools)}}
