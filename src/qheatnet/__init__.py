"""qheatnet: heat transport through networks of quantum nodes.

Builds local and global (Davies) master equations for networks of harmonic
oscillators and two-level systems coupled by swap terms and attached to
thermal baths, solves for steady states and transients, and does the
thermodynamic bookkeeping (heat current per bath, entropy production,
first-law residual, second-law verdict) with diagnostics of validity.

Layout (imports point downward): ``cli`` → ``reproduce`` → ``sweeps`` →
``api`` (solve, evolve, results) → ``engines`` (how each representation is
solved; one chooser) → ``thermo`` (heat currents, entropy, diagnostics) →
``solvers`` (arrays → arrays) → ``physics`` (generator builders, one per
approach and representation) → ``model`` (Network, spectra).

Conventions: ħ = k_B = 1; J_α > 0 when energy flows from bath α into the
network; σ = −Σ_α J_α/T_α.

Implemented papers
------------------
* A. Levy and R. Kosloff, "The local approach to quantum transport may
  violate the second law of thermodynamics", EPL 107, 20004 (2014),
  doi:10.1209/0295-5075/107/20004 — the two-node model, local and global
  master equations, eqs. 5–15 (closed forms re-derived; the printed eq. 13
  has a wrong exponent, see :mod:`qheatnet.physics.two_node`).
* E. B. Davies, Commun. Math. Phys. 39, 91 (1974),
  doi:10.1007/BF01608389 — the secular weak-coupling generator used by the
  global approach for any network.
* C. Flindt, T. Novotný, A. Braggio and A.-P. Jauho, Phys. Rev. B 82, 155407
  (2010), doi:10.1103/PhysRevB.82.155407 — the recursive scheme for the
  cumulants of the tilted generator (:func:`qheatnet.fluctuations`).
* K. Saito and A. Dhar, Phys. Rev. Lett. 99, 180601 (2007),
  doi:10.1103/PhysRevLett.99.180601 — the Levitov–Lesovik formula for the
  heat through harmonic networks (exact counting statistics).
"""

from typing import TYPE_CHECKING, Any

from .errors import ConvergenceError, ModelError, QheatnetError, ValidationError
from .model.network import Bath, Coupling, Network, Node
from .model.spectra import DrudeLorentz, Flat, Ohmic, Phonon3D, Spectrum

if TYPE_CHECKING:  # the rest is imported on first use, so that `import qheatnet` stays light
    from .api.compare import Comparison, compare
    from .api.evolve import evolve
    from .api.results import Evolution, SteadyState
    from .api.solve import build_master_equation, fluctuations, solve
    from .physics.two_node import global_closed_form, local_closed_form
    from .sweeps import sweep
    from .thermo.diagnostics import Diagnostic, DiagnosticCode

_LAZY = {
    "solve": ".api.solve",
    "build_master_equation": ".api.solve",
    "fluctuations": ".api.solve",
    "SteadyState": ".api.results",
    "Evolution": ".api.results",
    "evolve": ".api.evolve",
    "compare": ".api.compare",
    "Comparison": ".api.compare",
    "sweep": ".sweeps",
    "Diagnostic": ".thermo.diagnostics",
    "DiagnosticCode": ".thermo.diagnostics",
    "local_closed_form": ".physics.two_node",
    "global_closed_form": ".physics.two_node",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'qheatnet' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__version__ = "0.1.0"

__all__ = [
    "Network",
    "Node",
    "Coupling",
    "Bath",
    "Spectrum",
    "Flat",
    "Phonon3D",
    "Ohmic",
    "DrudeLorentz",
    "solve",
    "SteadyState",
    "evolve",
    "Evolution",
    "compare",
    "Comparison",
    "Diagnostic",
    "DiagnosticCode",
    "build_master_equation",
    "fluctuations",
    "local_closed_form",
    "global_closed_form",
    "sweep",
    "ValidationError",
    "ModelError",
    "ConvergenceError",
    "QheatnetError",
    "__version__",
]
