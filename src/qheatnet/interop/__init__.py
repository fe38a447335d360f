"""Interoperability with other quantum-optics packages.

* :mod:`qheatnet.interop.qutip` — export a network's Hamiltonian, jump
  operators (per bath) and Liouvillian as QuTiP ``Qobj``; import a
  Hamiltonian from one. Needs the optional extra ``qheatnet[qutip]``;
  QuTiP is imported only when a function of that module is called.
"""

__all__ = ["qutip"]
