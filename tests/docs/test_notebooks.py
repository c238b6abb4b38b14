"""The example notebooks (examples/notebooks/*.ipynb) run from top to bottom without an error
(issue #13). Each is executed in a fresh kernel from its own folder, as a reader would run it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((REPO / "examples" / "notebooks").glob("*.ipynb"))
TIMEOUT_S = 120  # per cell; each notebook takes a few seconds


def test_the_three_notebooks_are_there() -> None:
    assert {p.stem for p in NOTEBOOKS} >= {"auction_audit", "school_choice",
                                           "quadratic_funding_sybil"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_without_errors(path: Path) -> None:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    book = nbformat.read(path, as_version=4)
    client = NotebookClient(book, timeout=TIMEOUT_S, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    except CellExecutionError as err:
        pytest.fail(f"{path.relative_to(REPO)}: a cell failed:\n{err}")
    errors = [out for cell in book.cells if cell.cell_type == "code"
              for out in cell.get("outputs", []) if out.get("output_type") == "error"]
    assert not errors, f"{path.relative_to(REPO)}: error outputs: {errors}"
    assert all(cell.get("execution_count") for cell in book.cells if cell.cell_type == "code")
