"""Write tests/golden/outcomes.json: for every registered mechanism, its version and the
outcomes of a few fixed inputs (its family's degenerate cases and seeded samples, under its
default parameters). Run it after bumping a mechanism's ``version`` on purpose:

    python tests/golden/make_goldens.py [NAME ...]

With names, only those mechanisms' entries are rewritten.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

import hurwicz as hz
from hurwicz.auditing.spec import audit_spec
from hurwicz.core.errors import HurwiczError
from hurwicz.testing import parameter_grid

PATH = Path(__file__).with_name("outcomes.json")
SAMPLES = 3


def cases(name: str) -> list[dict]:
    params = parameter_grid(name)[0]
    mech = hz.mechanism(name, **params)
    spec = audit_spec(mech)
    rng = np.random.default_rng(2026)
    inputs = spec.edge_cases() + [spec.sample(rng) for _ in range(SAMPLES)]
    out = []
    for data in inputs:
        try:
            outcome = mech.run(data)
        except HurwiczError:
            continue
        out.append({"params": params, "input": data, "outcome": outcome.to_dict()})
    return out


def main(names: list[str]) -> None:
    current = json.loads(PATH.read_text()) if PATH.exists() else {}
    for name in names or hz.names():
        current[name] = {"version": hz.get(name).version, "cases": cases(name)}
    PATH.write_text(json.dumps(dict(sorted(current.items())), indent=1, sort_keys=False,
                               allow_nan=False) + "\n")
    print(f"wrote {PATH} ({len(current)} mechanisms)")


if __name__ == "__main__":
    main(sys.argv[1:])
