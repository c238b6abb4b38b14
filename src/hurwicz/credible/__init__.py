"""hurwicz.credible (see DESIGN.md)."""
