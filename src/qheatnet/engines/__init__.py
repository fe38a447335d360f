"""The engine layer: how a master equation is solved, chosen in one place.

* :mod:`.base` — the Engine protocol, typed options, typed outputs;
* :mod:`.choose` — the one rule by which ``solve``, ``evolve`` and ``sweep``
  choose an engine (and fall back when one refuses at run time);
* :mod:`.fock` — sparse Liouvillian in a truncated Fock space (any network);
* :mod:`.gaussian` — second moments for oscillator networks, and the exact
  (NEGF) reference;
* :mod:`.qubits` — the Pauli rate equation (global) and free fermions (local
  XX chains) for qubit networks;
* :mod:`.closed_form` — the two-node closed forms, vectorised over sweep points.
"""
