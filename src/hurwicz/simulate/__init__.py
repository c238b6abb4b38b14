"""hurwicz.simulate (see DESIGN.md)."""
