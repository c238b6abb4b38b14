"""hurwicz.audit (see DESIGN.md)."""
