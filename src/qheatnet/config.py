"""Defaults of qheatnet, in one place.

Every tolerance or cut-off used by the solvers is defined here, with the
reason for its value. Functions take these as keyword defaults so that a
caller can override any of them per call.
"""

from __future__ import annotations

#: Bohr frequencies (eigen-energy differences) closer than
#: ``BOHR_ATOL + BOHR_RTOL * max|E|`` are treated as one frequency when the
#: Davies (global) generator is built. This groups only frequencies that are
#: equal up to floating-point round-off of the diagonalisation (about
#: 1e-15 * max|E| per eigenvalue, amplified by the eigenvalue condition); it
#: deliberately does NOT group physically close but distinct frequencies:
#: those are flagged by the ``SECULAR_APPROXIMATION_DOUBTFUL`` diagnostic
#: instead, because grouping them would silently change the physics.
BOHR_RTOL = 1e-9
BOHR_ATOL = 1e-12

#: Matrix elements of a bath coupling operator in the eigenbasis smaller than
#: this (relative to its largest element) are round-off and are dropped.
JUMP_DROP_RTOL = 1e-12

#: Secular approximation diagnostic: distinct Bohr frequencies of a coupling
#: operator closer than ``SECULAR_RATIO`` times the largest dissipation rate
#: make the global master equation doubtful (Rivas et al., NJP 12 113032).
SECULAR_RATIO = 10.0

#: Local-approach diagnostics: coupling strong compared with node frequencies
#: when |ε| / min(ω_i, ω_j) exceeds this.
LOCAL_COUPLING_RATIO = 0.1
#: Local-approach diagnostic: coupled nodes detuned by more than this many
#: dissipation rates (the regime of Levy & Kosloff Fig. 4 where the local
#: current is qualitatively wrong).
LOCAL_DETUNING_RATIO = 10.0

#: Second-law verdict: σ counts as negative when
#: σ < −(SECOND_LAW_RTOL Σ_α |J_α|/T_α + r Σ_α 1/T_α), with r the measured
#: current resolution: 2 |Σ_α J_α| (zero at the exact steady state, so a
#: sample of round-off), at least SECOND_LAW_RESOLUTION_RTOL × gross exchange
#: (a few ulps of the largest individual exchange). It is much tighter than ZERO_CURRENT_RTOL (used to judge
#: Fock-cut-off convergence) because at the paper's Fig. 2 parameters the
#: violating currents are ~1e-14 of the gross exchange and must still be judged;
#: the generic solver's current was measured accurate to ~2e-19 of it there.
SECOND_LAW_RESOLUTION_RTOL = 1e-15
SECOND_LAW_RTOL = 1e-9

#: Fock engine: the total-excitation cut-off K is raised until the heat
#: currents and populations change by less than FOCK_RTOL (relative to the
#: largest current) between K and K - FOCK_STEP.
FOCK_RTOL = 1e-9
FOCK_STEP = 4
#: Initial guess of K: the thermal tail probability (n/(n+1))^K of the
#: hottest normal mode at the hottest bath falls below FOCK_TAIL.
FOCK_TAIL = 1e-11
#: Largest number of unknowns (density-matrix elements in the solved block)
#: the Fock engine accepts before refusing with advice to use another engine.
#: Measured (2 oscillators, local approach, SuperLU with MMD_AT_PLUS_A):
#: 24k unknowns (K = 40) 3.8 s / 0.6 GB, 46k (K = 50) 7.8 s / 1.6 GB; the
#: cost grows about as K^6 because the local Liouvillian is a 3-D stencil.
FOCK_MAX_UNKNOWNS = {"local": 50_000, "global": 300_000}
#: (global: H is diagonal in the eigenbasis; 46k unknowns solve in 0.3 s)
FOCK_MAX_CUTOFF = 200

#: A steady state whose relative residual ||L rho|| / (||L|| ||rho||)
#: exceeds this is refused (ConvergenceError).
STEADY_STATE_RESIDUAL = 1e-9

#: A net heat current counts as zero (round-off) when below ZERO_CURRENT_RTOL
#: times the gross energy exchange Σ_k r_k |ω_k| ⟨J_k†J_k⟩ with the baths.
#: Measured: two oscillators at the paper's Fig. 4 parameters give
#: |ΔJ| ≈ 2e-16 between cut-offs for a gross exchange of 2.3e-3 (1e-13 of
#: it). Used by the Fock cut-off convergence test (|ΔJ| ≤ FOCK_RTOL |J| +
#: this floor), reported as ``current_resolution``, and by the
#: CURRENT_AT_EQUAL_TEMPERATURE diagnostic.
ZERO_CURRENT_RTOL = 1e-12

#: SuperLU settings. Partial pivoting with the default threshold 1.0 destroys
#: the fill-reducing ordering when couplings are strong. Measured on two
#: oscillators, local, K = 23 (4900 unknowns, ε = 3): default pivoting 19.6 s
#: and 6.3M factor entries; threshold 0.01 + SymmetricMode 0.34 s and 0.88M,
#: residual 4e-17 either way. At K = 40 (24k unknowns) default pivoting took
#: 628 s. The residual is always checked; on failure the solve is repeated
#: with strict pivoting (threshold 1.0).
SUPERLU_ORDERING = "MMD_AT_PLUS_A"
SUPERLU_PIVOT_THRESHOLD = 0.01
