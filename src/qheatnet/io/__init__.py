"""io layer of qheatnet (see DESIGN.md)."""
