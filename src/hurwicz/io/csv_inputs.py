"""``.csv`` inputs: one reader per mechanism family, chosen by the mechanism's name.

Example:
    >>> csv_reader_for("funding.quadratic").__name__, csv_reader_for("matching.ttc").__name__
    ('read_contributions_csv', 'read_housing_csv')
    >>> csv_reader_for("voting.irv").__name__
    'read_rankings_csv'
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hurwicz.core.errors import InputError

from .contributions_csv import read_contributions_csv
from .inputs import Reader, register_reader
from .matching_csv import (
    read_housing_csv,
    read_kidney_csv,
    read_matching_csv,
    read_one_sided_csv,
)
from .rankings_csv import read_rankings_csv

_BY_NAME = {
    "matching.kidney": read_kidney_csv,
    "matching.ttc": read_housing_csv,
    "matching.serial_dictatorship": read_one_sided_csv,
    "matching.probabilistic_serial": read_one_sided_csv,
    "matching.deferred_acceptance": read_matching_csv,
    "matching.boston": read_matching_csv,
    "matching.school_ttc": read_matching_csv,
}


def csv_reader_for(mechanism: str | None) -> Reader:
    """The CSV reader for a mechanism (funding: contributions; matching: per mechanism;
    voting: a CSV of rankings, which rules without ranked ballots refuse).

    Example:
        >>> csv_reader_for("auction.first_price")
        Traceback (most recent call last):
        ...
        hurwicz.core.errors.InputError: input: no CSV format for auction.first_price; use JSON
    """
    if mechanism is None or mechanism.startswith("funding."):
        return read_contributions_csv
    if mechanism in _BY_NAME:
        return _BY_NAME[mechanism]
    if mechanism.startswith("voting."):
        return read_rankings_csv
    raise InputError("input", f"no CSV format for {mechanism}; use JSON")


def read_csv(path: Path, mechanism: str | None = None) -> Any:
    """Read a CSV input for ``mechanism``."""
    return csv_reader_for(mechanism)(path, mechanism)


register_reader(".csv", read_csv)
