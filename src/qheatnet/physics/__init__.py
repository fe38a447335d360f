"""physics layer of qheatnet (see DESIGN.md)."""
