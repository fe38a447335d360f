"""model layer of qheatnet (see DESIGN.md)."""
