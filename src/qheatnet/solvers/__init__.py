"""solvers layer of qheatnet (see DESIGN.md)."""
