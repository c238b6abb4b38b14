"""hurwicz.design (see DESIGN.md)."""
