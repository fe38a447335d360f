"""reproduce layer of qheatnet (see DESIGN.md)."""
