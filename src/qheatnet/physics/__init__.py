"""Generator builders, one per approach and representation (local.py, davies.py, redfield.py, unified.py, quadratic_beyond.py), the Fock space, bath rates, and the two-node closed forms."""
