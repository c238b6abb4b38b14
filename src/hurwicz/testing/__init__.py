"""The conformance suite every registered mechanism passes: ``check_mechanism(name)``.

In the spirit of scikit-learn's ``check_estimator``, :func:`check_mechanism` exercises a
mechanism through its public surface — no knowledge of its family beyond the family's audit
specification — over a grid of its parameters (:func:`parameter_grid`: defaults, boundary
values such as a zero and a positive reserve, seeded tie-breaks, every enum value, and the
examples a parameter declares). For each setting it

* audits every active claim on the family's degenerate cases (ties, truncated lists, empty and
  single-agent inputs, zero capacities) and sampled instances; a claim must *hold*, and a claim
  that nothing tested (``holds is None``) fails the suite too;
* checks that ``run`` and ``run_batch`` agree on the same profiles (mechanisms with a batch
  path), seeded tie-breaks included;
* checks that every input agent appears in the outcome, that ``Outcome.to_dict()`` round-trips
  through strict JSON, that the same input gives byte-identical output, that shuffling the
  input's key order changes nothing, and that the mechanism survives ``deepcopy`` and
  ``pickle``;

and, once per mechanism, runs ``hurwicz run NAME FILE --json`` in a subprocess (stdout must be
exactly one JSON document, equal to the Python outcome) and feeds NaN, ±inf, 1e308, negative and
non-numeric values into numeric fields, expecting exit code 2 and a message naming the field.

New families get all of this by providing an audit specification.

Example:
    >>> report = check_mechanism("auction.second_price", samples=4, cli=False)
    >>> report.passed, report.settings > 1
    (True, True)
"""

from .conformance import (
    ConformanceError,
    ConformanceReport,
    check_mechanism,
    numeric_leaves,
    parameter_grid,
)

__all__ = ["ConformanceError", "ConformanceReport", "check_mechanism", "numeric_leaves",
           "parameter_grid"]
