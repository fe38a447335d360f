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

#: BORN_MARKOV_DOUBTFUL: a node's total relaxation rate above this fraction of the smallest frequency
#: scale of its bath (the node frequency, the spectral cut-off, the temperature). Measured (two
#: resonant oscillators, ohmic, against the exact reference): local/global within 1 % up to a ratio of
#: ~0.01, a few % at 0.1, 46 % off at κ = 1e3 (ratio ~1e3).
BORN_MARKOV_RATIO = 0.1

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
FOCK_MAX_UNKNOWNS = {"local": 200_000, "global": 300_000, "unified": 300_000, "redfield": 20_000}
#: (unified: block diagonal in the eigenspaces of H̃, mostly populations, like global; redfield: its
#: superoperator couples every pair of coherences of a q-parity block and is assembled from dense
#: eigenbasis blocks — measured 9 s for two oscillators at K = 12, a few thousand unknowns)
#: (global: H is diagonal in the eigenbasis; 46k unknowns solve in 0.3 s)
FOCK_MAX_CUTOFF = 200

#: A steady state whose relative residual ||L rho|| / (||L|| ||rho||)
#: exceeds this is refused (ConvergenceError).
STEADY_STATE_RESIDUAL = 1e-9

#: A steady state is refused as not unique when the estimated 1-norm condition number κ of the
#: generator with the trace condition exceeds this. A kernel of dimension > 1 makes that matrix
#: singular: κ is then ≳ 1/ε_machine (measured: 5.5e17–1.6e20 on the dark states and the 2-D
#: Davies kernel of the test suite). A unique but slowly relaxing state has κ ≈ ‖𝓛‖/λ_slowest
#: (measured up to 6.9e12 on the suite's random weakly coupled qubit networks), so 1e15 separates
#: the two with a factor ≳ 100 both ways.
STEADY_STATE_MAX_CONDITION = 1e15
#: Below that, a steady state with κ above this is reported (ILL_CONDITIONED_STEADY_STATE): its
#: entries are then resolved to about κ·ε_machine ≳ 1e-6 relative, although the residual is small.
ILL_CONDITIONED_CONDITION = 4.5e9

#: A net heat current counts as zero (round-off) when below ZERO_CURRENT_RTOL
#: times the gross energy exchange Σ_k r_k |ω_k| ⟨J_k†J_k⟩ with the baths.
#: Measured: two oscillators at the paper's Fig. 4 parameters give
#: |ΔJ| ≈ 2e-16 between cut-offs for a gross exchange of 2.3e-3 (1e-13 of
#: it). Used by the Fock cut-off convergence test (|ΔJ| ≤ FOCK_RTOL |J| +
#: this floor), reported as ``current_resolution``, and by the
#: CURRENT_AT_EQUAL_TEMPERATURE diagnostic.
ZERO_CURRENT_RTOL = 1e-12

#: Resolution of a closed-form current (sweep fast path): the round-off of a difference of two O(1)
#: doubles, 8 ε_machine (a safety factor of 8), times the size of the terms that cancel.
CLOSED_FORM_ROUNDOFF = 8 * 2.220446049250313e-16

#: SuperLU settings. Partial pivoting with the default threshold 1.0 destroys
#: the fill-reducing ordering when couplings are strong. Measured on two
#: oscillators, local, K = 23 (4900 unknowns, ε = 3): default pivoting 19.6 s
#: and 6.3M factor entries; threshold 0.01 + SymmetricMode 0.34 s and 0.88M,
#: residual 4e-17 either way. At K = 40 (24k unknowns) default pivoting took
#: 628 s. The residual is always checked; on failure the solve is repeated
#: with strict pivoting (threshold 1.0).
SUPERLU_ORDERING = "MMD_AT_PLUS_A"
SUPERLU_PIVOT_THRESHOLD = 0.01

#: A steady state with an eigenvalue below −POSITIVITY_TOL is refused as non-unique. The entries of
#: ρ are O(1); round-off is amplified by the slowest decay rate relative to ‖𝓛‖ (measured: a node
#: coupled through ε = 1e-3 across a detuning of 1 to a bath of rate 1e-3 decays at ~1e-9 of ‖𝓛‖
#: and gives eigenvalues down to −2.7e-9 for a unique steady state). Non-unique kernels were
#: measured at −1e-4 … −10, so 1e-6 separates the two.
POSITIVITY_TOL = 1e-6

#: Refuse (ConvergenceError) rather than start a solve whose estimated peak memory exceeds this many
#: bytes (the machines this runs on are shared). Estimates, checked against measured peaks: rate
#: equation 8·C(2N, N−1)·(2·n_baths + 5) + 8·C(2N, N) bytes (N = 14, two baths: 3.0 GB estimated,
#: 3.3 GB measured); free fermions 160·N² bytes (N = 4000: 2.6 GB estimated, 2.7 GB measured).
MAX_MEMORY_BYTES = 8e9

#: A warning (CURRENT_AT_ROUND_OFF) is attached when the largest heat current is below this many times
#: the current resolution (ZERO_CURRENT_RTOL × gross exchange): the currents then carry a relative
#: round-off error above ~1e-3. Measured on the graded chain (ω_i = 1 + 0.1 i, ε = 0.05): at N = 14
#: |J| ≈ 2× the resolution and J_hot, −J_cold differ by 3 % (local) — the chain is Wannier–Stark
#: localised.
ROUND_OFF_FACTOR = 1e3

# --------------------------------------------------------------------------
# Gaussian (oscillator) engine
# --------------------------------------------------------------------------

#: Largest network for which the dense O(N³) eigen-decomposition of the local drift matrix Z is
#: used by default (and the largest the "modes" path may fall back to).
GAUSSIAN_DENSE_MAX = 60
#: Largest network for which a failure of the "modes" path falls back to "dense" silently.
GAUSSIAN_FALLBACK_MAX = 1500
#: Largest network for which the full correlation matrix C (and so every population) of the local
#: approach is formed by default: it costs an O(N³) product even when the currents do not.
GAUSSIAN_FULL_MAX = 1500
#: Normal modes whose decay rate is below DARK_RTOL × (largest bath rate) are "dark": the
#: amplitudes U_sk of the symmetric eigensolver are accurate to ~eps·‖h‖ absolutely, so rates
#: ∝ |U_sk|² below ~(64 eps)² of the bath rates are not resolved (Anderson-localised modes of
#: long disordered chains, symmetry-decoupled modes). They carry no resolvable current; their
#: occupation is not fixed by the baths and the populations they touch are reported as NaN.
DARK_RTOL = 1e-26
#: A node whose weight Σ_k |U_ik|² on the dark modes exceeds this gets a NaN population: below it
#: the unknown occupation of those modes changes ⟨n_i⟩ by less than ~1e-12 relative.
DARK_WEIGHT = 1e-12
#: A group of degenerate normal modes (global approach) with a combination whose net damping is
#: below this fraction of the group's largest is decoupled from every bath: the steady state is
#: not unique. The net-damping matrix of a group is a sum of outer products of eigenvector
#: amplitudes, accurate to ~1e-16 relative; 1e-13 leaves a margin of 1000 ulps.
GROUP_DECOUPLED_RTOL = 1e-13
#: SLOW_NORMAL_MODE is raised when the slowest collective mode of the local drift relaxes slower than
#: this fraction of the largest bath rate: the steady state is then reached only after ~1e12 bath
#: times, and currents through the mode are not resolved by any finite-time experiment.
SLOW_MODE_RTOL = 1e-12
#: The dense eigen-decomposition of the local drift is trusted for the slowest decay rate λ_min only
#: when λ_min × GAUSSIAN_DENSE_RESOLUTION exceeds its absolute resolution ε‖Z‖ (λ_min then carries
#: ~1e-10 relative error); otherwise "auto" takes the normal-mode path, and an explicit
#: method="dense" is flagged (SLOW_NORMAL_MODE).
GAUSSIAN_DENSE_RESOLUTION = 1e-10
#: The local drift eigen-decomposition is accepted when its relative residual is below this.
EIG_RTOL = 1e-10
#: Rows of the N × N work arrays processed at once by the normal-mode solver (memory: CHUNK·N·16 B).
GAUSSIAN_CHUNK = 512
#: Newton iterations of the secular-equation homotopy ("modes" path) stop when every step is below
#: HOMOTOPY_STEP_ULPS ulps of its root or HOMOTOPY_ABS_RTOL of the largest damping (roots near 0).
HOMOTOPY_STEP_ULPS = 64
HOMOTOPY_ABS_RTOL = 1e-14
#: A homotopy step is accepted when the roots reproduce the trace identities Σμ_j = t Tr(uuᵀ) to
#: HOMOTOPY_TRACE1_RTOL and Σ(2d_jμ_j + μ_j²) to HOMOTOPY_TRACE2_RTOL (the second sums larger terms,
#: so it gets a looser bound), and no decay rate is negative beyond HOMOTOPY_NEGATIVE_RTOL of the
#: damping scale. Measured: verified steps satisfy them by 1e-12 or better; a lost root violates
#: them by O(1).
HOMOTOPY_TRACE1_RTOL = 1e-8
HOMOTOPY_TRACE2_RTOL = 1e-7
HOMOTOPY_NEGATIVE_RTOL = 1e-12
#: The homotopy step is divided by 4 on failure and the solver steps over a suspected exceptional
#: point once it falls below this (in units of the homotopy parameter t ∈ [0, 1]).
HOMOTOPY_MIN_STEP = 1e-3
#: Give up (ConvergenceError) after this many homotopy steps.
HOMOTOPY_MAX_STEPS = 300

# --------------------------------------------------------------------------
# qubit engines
# --------------------------------------------------------------------------

#: A degenerate pair (a, b) counts as coupling coherences to populations (the rate equation does
#: not hold) when K_ab = Σ_α Σ_m |X_am||X_mb| exceeds this times max|X|². The neglected coherence
#: is then at most ~K_ab relative to the populations that drive it, so the populations change by at
#: most that much: the threshold matches the steady-state tolerance (STEADY_STATE_RESIDUAL). Measured:
#: pairs that differ in two fermion modes (graded XX chains) give K ≈ 1e-12 from the round-off of
#: the eigenvectors; genuine couplings are O(1).
COHERENCE_COUPLING_RTOL = 1e-9
#: The Pauli steady state is refused as not unique when the reduced ground-level generator has a
#: second singular value below this fraction of its largest (its kernel is then ≥ 2-dimensional:
#: several closed classes of eigenstates). An exact zero comes out at ~ε_machine·s_max; a unique but
#: slowly mixing chain keeps s_2/s_max ≈ (slowest rate)/(fastest rate), measured ≥ 1e-9 in the suite.
PAULI_KERNEL_RTOL = 1e-13
#: Largest Hilbert-space dimension for which the rate-equation engine also returns the dense
#: steady-state density matrix (2^10: 16 MB complex).
RHO_MAX_DIM = 1024
#: The free-fermion steady state is refused when the slowest decay rate of the two-point equations
#: falls below this fraction of ‖A‖ (it is then lost in round-off and the solution is not unique
#: numerically).
FREE_FERMION_MIN_DECAY_RTOL = 1e-12
#: One step of iterative refinement of the free-fermion Lyapunov solution is taken when its estimated
#: relative forward error ‖residual‖/(2·slowest decay·‖C‖) exceeds this.
FREE_FERMION_REFINE_RTOL = 1e-12

# --------------------------------------------------------------------------
# transients
# --------------------------------------------------------------------------

#: Largest number of propagated unknowns for the dense propagator P = expm(𝓛Δt) (a dense complex
#: matrix of this size is 64 MB at 2000 and takes a few seconds to form).
DENSE_MAX_UNKNOWNS = 2000
#: The von Neumann entropy S(t) is reported when the Hilbert space is at most this big (one
#: eigen-decomposition per time step).
ENTROPY_MAX_DIM = 256

# --------------------------------------------------------------------------
# compare and validity maps (qheatnet.compare, sweeps with a reference)
# --------------------------------------------------------------------------

#: Default tolerance of ``qheatnet compare`` and of validity maps: an approach is "within tolerance"
#: when its relative deviation δ = max_α |J_α − J_α,ref| / max_α |J_α,ref| from the exact reference is
#: at most this. 5 % is the accuracy asked of the master equations in issue 9 and used by Hofer et al.
#: (NJP 19, 123037 (2017)); it is far above the references' own errors (HEOM converged to 1e-3,
#: exact to 1e-10), so the verdict is about the master equation, not the reference.
COMPARE_TOLERANCE = 0.05
#: ``compare`` notes that its verdict is blurred when the reference's own error estimate exceeds
#: this fraction of the tolerance (the deviation is then known only to ± that error).
COMPARE_REFERENCE_ERROR_FRACTION = 0.2
#: ``compare`` reports an approach's cost as the lesser of two runs when the first took less than
#: this (seconds): a first call includes one-off imports and caches (measured 0.17–0.4 s for the
#: first unified or exact solve in a fresh process against 1–6 ms for the next), which would
#: otherwise decide which approach is "cheapest". Slower solves are timed once.
COMPARE_REPEAT_SECONDS = 0.5
#: ``compare`` counts approaches whose costs are within this factor of the cheapest eligible one as
#: equally cheap and then recommends the first of them in the order local, global, unified, redfield.
#: Measured: the costs of two-qubit solves (1–15 ms) vary by up to ×1.5 between identical runs on a
#: shared machine, which without this rule flipped the recommendation between global (6 ms) and
#: unified (8 ms) from one run to the next.
COMPARE_COST_TIE = 2.0

# --------------------------------------------------------------------------
# fluctuations (counting statistics; qheatnet.solvers.counting*, qheatnet.thermo.fluctuations)
# --------------------------------------------------------------------------

#: Hilbert spaces up to this dimension get the dense tilted generator (a Liouville space of at most
#: 1024 unknowns, LU in a few ms); larger ones the sparse block generator and SuperLU. Measured on two
#: qubits (d = 4): dense 0.3 ms for the noise, the sparse path 6 ms (scipy.sparse construction overhead).
COUNTING_DENSE_MAX_DIM = 32
#: Cumulants of a counted energy are real; an imaginary part above this fraction of the cumulant's
#: scale (the gross n-th moment of the jump energies) means the tilted generator is not resolved in
#: double precision (round-off gives ~κ·1e-16).
COUNTING_IMAG_RTOL = 1e-6
#: Quadratic counting statistics: the eigenvectors R of the drift M are accepted when ‖R⁻¹R − 1‖_max is
#: below this (≈ cond(R)·ε: 1e-6 allows cond(R) up to ~1e10, beyond which the eigen-decomposition near an
#: exceptional point would cost more digits than the cumulants can spare).
COUNTING_EIGVEC_RTOL = 1e-6
#: ... and the Lyapunov equation of Y_0 = 1 + Cᵀ must hold to this relative residual (as the steady states).
COUNTING_LYAPUNOV_RTOL = 1e-9
#: Exact counting statistics: the transmission T(ν) = 4 J_h J_c |G_hc|² is a probability (unitary
#: phonon scattering matrix); a computed value above 1 + this is refused as unresolved. The chain
#: recursion gives T to ~1e-15 relative away from resonances and ~ε·ν/γ at a resonance of half-width γ:
#: 1e-6 is exceeded only at resonances below ~1e-10 relative width, where the integrals are not
#: resolved either.
COUNTING_TRANSMISSION_ATOL = 1e-6
#: Largest block of coupled modes whose generating function λ(χ) (not only its cumulants) is computed, by
#: Newton's method on the dense tilted Riccati equation (O(m³) per iteration, ~8 continuation steps).
COUNTING_CGF_BLOCK_MAX = 200
#: Fock-space counting statistics of oscillator networks: the cut-off K is raised until the noise and the
#: third cumulant change by less than this (relative) between K − FOCK_STEP and K. Looser than FOCK_RTOL:
#: higher moments of the jump energies weigh the thermal tail more (measured: two oscillators at the
#: Fig. 4 point converge like the currents times ~K²).
COUNTING_FOCK_RTOL = 1e-7
#: The mean current from counting must equal the steady-state current of the engine (same bookkeeping)
#: to this relative tolerance plus the current resolution: a disagreement is an internal inconsistency and
#: is refused. Two methods agree to ~1e-12 (same representation) or ~1e-9 (Gaussian against Lyapunov).
COUNTING_MEAN_RTOL = 1e-7
#: Newton's method on the tilted Riccati equation (generating function of Gaussian blocks) is accepted when
#: the residual is below this fraction of the scale of its terms (rates × |Y|²; rounding gives ~1e-16).
COUNTING_NEWTON_RTOL = 1e-11
#: Dense complex m × m arrays held at once by the Gaussian counting kernel of a block of m coupled modes
#: (M, R, R⁻¹, the Cauchy matrix 1/(λ̄_i + λ_j), Y_0 and its Cholesky factor, LAPACK work space), for its
#: refusal before allocation against MAX_MEMORY_BYTES.
COUNTING_GAUSSIAN_ARRAYS = 10

# --------------------------------------------------------------------------
# coupling kinds, (x, p) Gaussian solver, coupling currents, machines (issue 11)
# --------------------------------------------------------------------------

#: Fock engine, couplings that do not conserve q: the charge-sector sizes behind the unknown count are
#: counted on the enumerated basis up to this many states (an int64 occupation table of 8·N bytes per
#: state, 48 MB for 20 nodes). Beyond, the dimension itself is a lower bound of the unknowns
#: (Σ_Q d_Q² ≥ Σ_Q d_Q) that already exceeds every FOCK_MAX_UNKNOWNS, so the refusal is exact.
FOCK_ENUMERATE_MAX = 300_000
#: (x, p) Gaussian solver of the local approach (qheatnet.solvers.gaussian_xp): dense Bartels–Stewart
#: up to XP_DENSE_MAX nodes (2N × 2N real; N = 60: 10 ms), the normal-mode fixed point above. The fixed
#: point stops when the relative change of X falls below XP_FIXED_POINT_RTOL (each step contracts by
#: the ratio of bath-induced mode mixing to mode spacing; measured on a dipole chain N = 1000, ε = 0.05,
#: rates 0.01: 15 steps to 1e-13) or after XP_FIXED_POINT_MAXIT steps; the Lyapunov residual is then
#: checked against STEADY_STATE_RESIDUAL. Up to XP_FALLBACK_MAX nodes a failed fixed point falls back to
#: the dense solve (N = 800: ≈ 15 s). The full covariance (an O(N³) product) is formed by default up to
#: XP_FULL_MAX nodes (populations of every node and coupling currents need it).
XP_DENSE_MAX = 60
XP_FIXED_POINT_RTOL = 1e-13
XP_FIXED_POINT_MAXIT = 300
XP_FALLBACK_MAX = 800
XP_FULL_MAX = 300
#: A normal mode whose decay rate (the slowest eigenvalue of the (x, p) drift, or its secular damping in
#: the fixed point) is below this fraction of the largest one is decoupled from the baths: no unique
#: steady state. ‖A‖·ε_machine ≈ 2e-16‖A‖ is the resolution of the dense eigenvalues; 1e-13 leaves a factor
#: 500 above it.
XP_DECOUPLED_RTOL = 1e-13

# --------------------------------------------------------------------------
# the generic Fock-space path: real block solve, iterative fallback (issue 12)
# --------------------------------------------------------------------------

#: Up to this many (real) unknowns the Fock steady state is found by a sparse LU; beyond, by
#: preconditioned GMRES (qheatnet.solvers.linear), whose true residual is checked. Measured (8 qubits,
#: 12 870 unknowns): LU 27 s with 43M factor entries (26 % of dense), GMRES 0.15 s in 31 iterations.
FOCK_DIRECT_MAX_UNKNOWNS = 4000
#: ... or when no block has more than this many states (oscillator networks: the LU stays sparse).
FOCK_DIRECT_MAX_BLOCK = 64
#: GMRES of the iterative path: stopping tolerance on the preconditioned residual (the true relative
#: residual is then checked against STEADY_STATE_RESIDUAL), restart length and number of restarts.
FOCK_ITERATIVE_RTOL = 1e-15
FOCK_ITERATIVE_RESTART = 60
FOCK_ITERATIVE_MAXITER = 20
#: The block preconditioner of the iterative path damps H_eff by this fraction of the largest rate so
#: that a block without decay (a vacuum with no absorption) stays invertible.
FOCK_PRECONDITIONER_SHIFT = 1e-6
#: Iterative path, uniqueness: two solves from different starts must agree to this (relative, max-norm);
#: measured 1e-10 … 1e-9 for unique steady states at residual ~1e-12.
FOCK_UNIQUENESS_RTOL = 1e-6
FOCK_UNIQUENESS_SEED = 12
#: Heat currents of a Fock generator with at most this many jump terms are evaluated operator by operator
#: (𝓓†(H) first, then ⟨·⟩: the least round-off); with more (Davies generators: one term per Bohr
#: frequency, 8662 for the mixed oscillator-qubit example) from the superoperator's entry pairs at once.
CURRENT_OPERATOR_MAX_TERMS = 64

# --------------------------------------------------------------------------
# Gaussian engine: only what the requested outputs need (issue 12, item 4)
# --------------------------------------------------------------------------

#: Largest network for which the global approach forms the full correlation matrix C = U C_modes Uᵀ and
#: the covariance by default (populations="auto"; "all" always forms them, "baths" never). The currents
#: need only the bath rows of U and every population the squared modes (O(N²), like eigh_tridiagonal),
#: but C is an O(N³) product: measured at N = 1000 it cost 5× the normal modes of a chain. At N = 200 it
#: is ≈ 1 ms.
GAUSSIAN_GLOBAL_FULL_MAX = 200
