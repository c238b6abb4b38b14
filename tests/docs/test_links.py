"""README.md and docs/**/*.md link only inside the repository, and every relative link resolves.

A clone has no folder next to it (the README once pointed at ``../shared/DESIGN.md``), so a
relative link that leaves the repository is broken for every reader; so is one to a file that
does not exist. Links inside code (fenced blocks and `inline code`) are not links.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]

FENCED = re.compile(r"^(\s*)(`{3,}|~{3,}).*?^\1\2[ \t]*$", re.M | re.S)
INLINE_CODE = re.compile(r"(`+).+?\1", re.S)
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)
HTML_LINK = re.compile(r"<(?:a|img)\b[^>]*?\b(?:href|src)=\"([^\"]+)\"", re.I)
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.I)  # http:, https:, mailto:, //host


def links(text: str) -> list[str]:
    """Every link target in a Markdown text, code left out."""
    text = FENCED.sub("", text)
    text = INLINE_CODE.sub("", text)
    return [m[1] for pattern in (INLINE_LINK, REFERENCE, HTML_LINK) for m in pattern.finditer(text)]


def relative_targets(path: Path, text: str | None = None) -> list[tuple[str, Path]]:
    """The relative link targets of ``path`` (or of ``text`` read as if it were there)."""
    out = []
    for target in links(path.read_text(encoding="utf-8") if text is None else text):
        if EXTERNAL.match(target) or target.startswith("#"):
            continue
        file_part = unquote(target.split("#", 1)[0].split("?", 1)[0])
        if file_part.startswith("/"):
            out.append((target, Path(file_part)))  # absolute: never inside a clone
        else:
            out.append((target, (path.parent / file_part).resolve()))
    return out


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: str(p.relative_to(REPO)))
def test_relative_links_stay_in_the_repository_and_resolve(path: Path) -> None:
    problems = []
    for target, resolved in relative_targets(path):
        if not resolved.is_relative_to(REPO):
            problems.append(f"{target}: leaves the repository")
        elif not resolved.exists():
            problems.append(f"{target}: {resolved.relative_to(REPO)} does not exist")
    assert not problems, f"{path.relative_to(REPO)}: " + "; ".join(problems)


def test_the_link_finder_finds_links_and_skips_code() -> None:
    text = ("See [a](docs/a.md#x), ![fig](img/f.png \"t\") and <a href=\"b.md\">b</a>.\n"
            "`[not](a-link.md)`\n\n```md\n[nor](this.md)\n```\n\n[ref]: ../outside.md\n"
            "[web](https://example.org) [anchor](#top)\n")
    assert links(text) == ["docs/a.md#x", "img/f.png", "https://example.org", "#top",
                           "../outside.md", "b.md"]
    fake = REPO / "docs" / "probe.md"
    found = relative_targets(fake, text)
    assert [t for t, _ in found] == ["docs/a.md#x", "img/f.png", "../outside.md", "b.md"]
    assert found[2][1] == REPO / "outside.md"
