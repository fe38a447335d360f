"""analysis layer of qheatnet (see DESIGN.md)."""
