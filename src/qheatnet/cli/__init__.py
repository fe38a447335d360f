"""cli layer of qheatnet (see DESIGN.md)."""
