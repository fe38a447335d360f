"""Shared helpers for the qheatnet test suite.

Conventions used throughout the tests (as in the library): ħ = k_B = 1;
J_α > 0 when energy flows from bath α into the network; σ = −Σ_α J_α/T_α.

Randomised tests are seeded (``numpy.random.default_rng(seed)``) so that a
failure is reproducible; the seed is part of every assertion message.
Helpers are handed to tests as fixtures (``random_spectrum``,
``two_node_sample``, ``coherences``) so that no test imports this module.
"""

from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass

import numpy as np
import pytest
import scipy.linalg  # noqa: F401  (load scipy's BLAS before limiting its threads)
import scipy.sparse.linalg  # noqa: F401

from qheatnet import DrudeLorentz, Flat, Network, Ohmic, Phonon3D


def _limit_openblas_threads(n: int = 1) -> list[str]:
    """Limit every loaded OpenBLAS to ``n`` threads; returns the libraries touched.

    The suite runs many small sparse/dense solves. On a small shared machine
    the OpenBLAS worker threads oversubscribe the cores: a 650-unknown local
    solve was measured at 2.9 s of CPU instead of 0.03 s. Environment
    variables come too late (a pytest plugin imports numpy before this
    file), so the limit is set through OpenBLAS's own C entry point, as
    threadpoolctl does (not a dependency of qheatnet). Linux only; elsewhere
    this is a no-op. OPENBLAS_NUM_THREADS, if set, is respected.
    """
    if "OPENBLAS_NUM_THREADS" in os.environ:
        return []
    touched = []
    try:
        with open("/proc/self/maps", encoding="utf-8") as fh:
            paths = {line.split()[-1] for line in fh if "openblas" in line.lower() and ".so" in line}
    except OSError:
        return []
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for symbol in (
            "openblas_set_num_threads",
            "openblas_set_num_threads64_",
            "scipy_openblas_set_num_threads",
            "scipy_openblas_set_num_threads64_",
        ):
            fn = getattr(lib, symbol, None)
            if fn is not None:
                fn(ctypes.c_int(n))
                touched.append(f"{os.path.basename(path)}:{symbol}")
                break
    return touched


_BLAS_LIMITED = _limit_openblas_threads()

SPECTRUM_FACTORIES = {
    "flat": lambda rng, s: Flat(s),
    "phonon3d": lambda rng, s: Phonon3D(s),
    "ohmic": lambda rng, s: Ohmic(s, float(rng.uniform(0.5, 5.0))),
    "drude_lorentz": lambda rng, s: DrudeLorentz(s, float(rng.uniform(0.5, 5.0))),
}


def make_spectrum(rng: np.random.Generator, kind: str | None = None, strength=(1e-3, 3e-2)):
    """A spectrum of ``kind`` (random kind if None) with log-uniform strength."""
    if kind is None:
        kind = list(SPECTRUM_FACTORIES)[int(rng.integers(len(SPECTRUM_FACTORIES)))]
    s = float(10 ** rng.uniform(np.log10(strength[0]), np.log10(strength[1])))
    return SPECTRUM_FACTORIES[kind](rng, s)


@dataclass(frozen=True)
class TwoNodeSample:
    """Parameters of the two-node model of Levy & Kosloff (2014)."""

    kind: str
    omega_h: float
    omega_c: float
    epsilon: float
    T_h: float
    T_c: float
    spectrum_h: object
    spectrum_c: object

    @property
    def args(self):
        """Positional arguments of the closed forms (after ``kind`` for the local one)."""
        return (self.omega_h, self.omega_c, self.epsilon, self.T_h, self.T_c, self.spectrum_h, self.spectrum_c)

    def network(self) -> Network:
        return Network.two_node(self.kind, *self.args)


def sample_two_node(
    rng: np.random.Generator,
    kind: str,
    *,
    x_range=(2.5, 5.0),
    eps_range=(1e-2, 0.2),
    min_x_gap=0.3,
    min_detuning=0.05,
) -> TwoNodeSample:
    """Random two-node parameters.

    ``x_range`` bounds ω/T of each node at its own bath (large ω/T keeps the
    oscillator Fock cut-off small), ``eps_range`` the coupling in units of
    min(ω_h, ω_c); ``min_x_gap`` keeps |ω_h/T_h − ω_c/T_c| away from zero so
    that the net current is not a tiny difference of large exchanges (the
    generic solver resolves currents to ~1e-13 of the gross exchange, see
    config.ZERO_CURRENT_RTOL), ``min_detuning`` keeps ω_h ≠ ω_c.
    """
    while True:
        wh, wc = (float(w) for w in rng.uniform(0.5, 2.0, 2))
        xh, xc = (float(x) for x in rng.uniform(*x_range, 2))
        if abs(xh - xc) >= min_x_gap and abs(wh - wc) >= min_detuning:
            break
    lo, hi = np.log10(eps_range[0]), np.log10(eps_range[1])
    eps = float(10 ** rng.uniform(lo, hi)) * min(wh, wc)
    return TwoNodeSample(kind, wh, wc, eps, wh / xh, wc / xc, make_spectrum(rng), make_spectrum(rng))


def coherences(result):
    """(X, Y) of eq. 8 from a steady state: X = ⟨a†b + ab†⟩, Y = i⟨a†b − ab†⟩.

    Computed from the density matrix in the local product basis (nodes 0 and
    1 of ``result.space``); with v = ⟨a†b⟩, X = 2 Re v and Y = −2 Im v.
    """
    a, b = result.space.lowering[0], result.space.lowering[1]
    adag_b = (a.T @ b).tocoo()  # real matrix: a† = aᵀ
    v = np.sum(adag_b.data * result.rho[adag_b.col, adag_b.row])
    return 2.0 * float(np.real(v)), -2.0 * float(np.imag(v))


def rel_err(a, b) -> float:
    """|a − b| / |b| (b is the reference)."""
    return float(abs(a - b) / abs(b))


@pytest.fixture
def random_spectrum():
    return make_spectrum


@pytest.fixture
def two_node_sample():
    return sample_two_node


@pytest.fixture(name="coherences")
def coherences_fixture():
    return coherences


@pytest.fixture(name="rel_err")
def rel_err_fixture():
    return rel_err


def pytest_report_header(config):
    return f"OpenBLAS limited to 1 thread in: {', '.join(_BLAS_LIMITED) or 'none'}"
