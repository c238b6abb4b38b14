"""A griffe extension for the API reference: hurwicz docstrings head their doctests with
``Example:``, which Google style reads as an admonition (Markdown, so ``>>> f(['a'])`` would
turn into quotes and links); this reads those sections as ``Examples:`` (code) instead."""

from __future__ import annotations

import re
from typing import Any

import griffe

_EXAMPLE = re.compile(r"^(\s*)Example:[ \t]*$", re.M)


class ExampleSections(griffe.Extension):
    """Rename ``Example:`` section headers to ``Examples:`` before docstrings are parsed."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = _EXAMPLE.sub(r"\1Examples:", obj.docstring.value)
