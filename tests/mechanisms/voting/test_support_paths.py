"""The pairwise support matrix (voters ranking a above b) on both of its paths: mostly single
voters per ballot group (counted, then the larger groups added) and weighted groups. Reference:
the definition, ballot by ballot, with Python integers."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hurwicz.mechanisms.voting.profile import Profile


@settings(max_examples=80, deadline=None)
@given(st.integers(2, 6), st.integers(1, 60), st.integers(0, 2**32 - 1),
       st.sampled_from([0.0, 0.05, 0.5, 1.0]), st.sampled_from([2, 7, 2**40]))
def test_support_is_the_weighted_count_of_pairwise_preferences(m, n, seed, heavy, big):
    rng = np.random.default_rng(seed)
    rankings = np.array([rng.permutation(m) for _ in range(n)])
    cut = rng.integers(1, m + 1, size=n)  # truncated ballots: unranked candidates are last
    rankings[np.arange(m)[None, :] >= cut[:, None]] = -1
    counts = np.where(rng.random(n) < heavy, rng.integers(2, big, size=n, endpoint=True), 1)
    profile = Profile.from_arrays([f"c{i}" for i in range(m)], rankings, counts)
    expected = np.zeros((m, m), dtype=object)
    for row, count in zip(profile.rankings.tolist(), profile.counts.tolist()):
        place = {c: k for k, c in enumerate(row) if c >= 0}
        for a in range(m):
            for b in range(m):
                if a in place and place[a] < place.get(b, m):
                    expected[a, b] += count
    assert profile.support().tolist() == expected.tolist()
