"""Readers and writers of mechanism inputs (JSON here; CSV and PrefLib added by their families).

Example:
    >>> from hurwicz.io import input_readers
    >>> ".json" in input_readers()
    True
"""

from .inputs import input_readers, read_input, register_reader

__all__ = ["input_readers", "read_input", "register_reader"]
