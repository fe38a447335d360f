r"""Closed forms for the two-node model of Levy & Kosloff (2014), vectorised.

Node A (frequency ω_h) touches the hot bath, node B (ω_c) the cold one, and
H_S = ω_h a†a + ω_c b†b + ε(a†b + ab†). All inputs broadcast (numpy), so a
whole parameter map is one call. These are a fast path and a test oracle;
the generic solvers never rely on them.

Local approach (derived here from eq. 8; δ = −1 oscillators, +1 qubits)
--------------------------------------------------------------------------
With γ_α = γ_α(ω_α) the emission rate of bath α at its node frequency,
Γ_α = γ_α (1 + δ e^{−ω_α/T_α}) the node's relaxation rate and
n_α = γ_α e^{−ω_α/T_α}/Γ_α = 1/(e^{ω_α/T_α} + δ) its thermal occupation, the
stationary point of eq. 8 is (Δ = ω_h − ω_c, Γ = (Γ_h + Γ_c)/2)

    Y = 4εΓ_hΓ_c(Γ_h+Γ_c)(n_h − n_c) / D,
    D = Γ_hΓ_c((Γ_h+Γ_c)² + 4Δ²) + 4ε²(Γ_h+Γ_c)²,
    X = ΔY/Γ,  ⟨a†a⟩ = n_h − εY/Γ_h,  ⟨b†b⟩ = n_c + εY/Γ_c,

and the heat current of eq. 5 (full H_S) is

    J_h = −J_c = εY (ω_hΓ_c + ω_cΓ_h)/(Γ_h + Γ_c)
        = (e^{ω_c/T_c} − e^{ω_h/T_h}) F,
    F = 4ε²Γ_hΓ_c(ω_hΓ_c + ω_cΓ_h) / (D (e^{ω_h/T_h}+δ)(e^{ω_c/T_c}+δ)) > 0,

which is eq. 9; the appendix-A expression of the paper is this formula with
OCR damage. Its sign is that of ω_h/T_h − ω_c/T_c reversed: J_h < 0 (heat
from cold to hot) whenever ω_c/T_c < ω_h/T_h, at any ε.

Global approach, oscillators (eqs. 10–13)
-------------------------------------------
Normal modes ω_± = (ω_h+ω_c)/2 ± r, r = √(Δ²/4 + ε²), a = c d_+ − s d_−,
b = s d_+ + c d_−, c² = (r + Δ/2)/(2r), s² = (r − Δ/2)/(2r). Each mode k
is an independent oscillator relaxed by both baths with weights w_{hk}
(c², s²) and w_{ck} (s², c²): emission E_{αk} = w_{αk} γ_α(ω_k),
absorption A_{αk} = E_{αk} e^{−ω_k/T_α}, Γ_{αk} = E_{αk} − A_{αk}. Then

    n_k = (A_{hk} + A_{ck}) / (Γ_{hk} + Γ_{ck}),
    J_h = Σ_k ω_k (A_{hk}E_{ck} − A_{ck}E_{hk}) / (Γ_{hk} + Γ_{ck})
        = Σ_k ω_k γ_h^k γ_c^k (e^{ω_k/T_c} − e^{ω_k/T_h})
              / (w_{ck}^{-1} γ_h^k e^{ω_k/T_c}(e^{ω_k/T_h} − 1)
                 + w_{hk}^{-1} γ_c^k e^{ω_k/T_h}(e^{ω_k/T_c} − 1)).

(the hot rate pairs with the cold weight: for mode + that is s^{-2} γ_h^+,
as printed in eq. 13; for baths with γ = J(1 + n) both denominator terms
are equal, so only a flat bath tells the pairings apart)

The printed eq. 13 has e^{β_c ω_+} in the second denominator term of the
ω_− fraction where e^{β_c ω_−} belongs (:func:`global_current_printed_eq13`
keeps the printed form so that the difference can be shown).
"""

from __future__ import annotations

import numpy as np

from ..errors import ValidationError
from ..model.spectra import Spectrum

__all__ = ["local_closed_form", "global_closed_form", "normal_modes", "global_current_printed_eq13"]

#: δ of eq. 3 of Levy & Kosloff (2014) per node kind: −1 oscillators, +1 two-level systems.
NODE_DELTA = {"oscillator": -1.0, "qubit": 1.0}


# ---------------------------------------------------------------------------
# validation at the public boundary (one numpy pass per argument)
# ---------------------------------------------------------------------------


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _real_array(name: str, value, ok, allowed: str) -> np.ndarray:
    """``value`` as a float array; ValidationError naming ``name`` unless ``ok(array)`` holds everywhere."""
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):  # ragged nested lists and the like
        raise ValidationError(name, f"must be a real number or an array of them, got {_short(value)}") from None
    if arr.dtype.kind not in "iuf":
        raise ValidationError(name, f"must be a real number or an array of them, got {_short(value)}")
    arr = arr.astype(float, copy=False)
    good = ok(arr)
    if not good.all():
        i = int(np.flatnonzero(~good.ravel())[0])
        pos = tuple(int(k) for k in np.unravel_index(i, arr.shape))
        where = "" if arr.ndim == 0 else f" (element {pos} of an array of shape {arr.shape})"
        raise ValidationError(name, f"must be {allowed}, got {float(arr.ravel()[i])!r}{where}")
    return arr


def _frequency(name, value):
    return _real_array(name, value, lambda a: (a > 0) & (a < np.inf), "finite and > 0 (a node frequency)")


def _temperature(name, value):
    return _real_array(name, value, lambda a: (a >= 0) & (a < np.inf), "finite and ≥ 0 (a bath temperature)")


def _coupling(name, value):
    return _real_array(name, value, lambda a: np.abs(a) < np.inf, "finite (a coupling strength)")


def _spectra(spectrum_h, spectrum_c) -> tuple[Spectrum, Spectrum]:
    if not isinstance(spectrum_h, Spectrum):
        raise ValidationError(
            "spectrum_h", f"must be a qheatnet spectrum (Flat, Phonon3D, ...), got {type(spectrum_h).__name__}"
        )
    if spectrum_c is None:
        return spectrum_h, spectrum_h
    if not isinstance(spectrum_c, Spectrum):
        raise ValidationError(
            "spectrum_c", f"must be a qheatnet spectrum (Flat, Phonon3D, ...) or None, got {type(spectrum_c).__name__}"
        )
    return spectrum_h, spectrum_c


def _checked(omega_h, omega_c, epsilon, T_h, T_c) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    args = (
        _frequency("omega_h", omega_h),
        _frequency("omega_c", omega_c),
        _coupling("epsilon", epsilon),
        _temperature("T_h", T_h),
        _temperature("T_c", T_c),
    )
    try:
        np.broadcast_shapes(*(a.shape for a in args))
    except ValueError:
        shapes = ", ".join(f"{n} {a.shape}" for n, a in zip(("omega_h", "omega_c", "epsilon", "T_h", "T_c"), args))
        raise ValidationError("omega_h", f"the array arguments must broadcast together, got shapes {shapes}") from None
    return args


# ---------------------------------------------------------------------------
# cancellation-free pieces (kernels: plain float arrays in, no validation)
# ---------------------------------------------------------------------------


def _ratio(omega, temperature):
    """x = ω/T (ω > 0), +inf at T = 0; overflow to +inf is exact in effect (e^{−x} = 0)."""
    with np.errstate(divide="ignore", over="ignore"):
        return omega / temperature


def _gap(omega_a, t_a, omega_b, t_b):
    """x_b − x_a = ω_b/T_b − ω_a/T_a, written as (ω_b − ω_a)/T_b + ω_a (T_a − T_b)/(T_a T_b).

    Both differences of inputs are exact when the inputs are close
    (Sterbenz), so the gap keeps full relative accuracy when T_a ≈ T_b (the
    global modes, ω_a = ω_b) or ω_a ≈ ω_b. ±inf when one temperature is 0,
    0 when both are (then both occupations vanish).
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        g = (omega_b - omega_a) / t_b + omega_a * ((t_a - t_b) / t_a) / t_b
    zero_a, zero_b = t_a == 0, t_b == 0
    if zero_a.any() or zero_b.any():
        g = np.where(zero_b, np.inf, np.where(zero_a, -np.inf, g))
        g = np.where(zero_a & zero_b, 0.0, g)
    nan = np.isnan(g)
    return np.where(nan, 0.0, g) if nan.any() else g  # inf − inf: both x overflowed, both occupations are 0


def _one_plus_delta_boltzmann(x, delta: float):
    """1 + δ e^{−x}: −expm1(−x) for oscillators (no cancellation at small x), 1 + e^{−x} for qubits."""
    return -np.expm1(-x) if delta < 0 else 1.0 + np.exp(-x)


def _local(delta, wh, wc, eps, th, tc, spec_h: Spectrum, spec_c: Spectrum) -> dict:
    xh, xc = _ratio(wh, th), _ratio(wc, tc)
    bh, bc = np.exp(-xh), np.exp(-xc)
    ph, pc = _one_plus_delta_boltzmann(xh, delta), _one_plus_delta_boltzmann(xc, delta)
    n_h, n_c = bh / ph, bc / pc  # 1/(e^{x} + δ), without overflow
    # n_h − n_c = sign · n_(smaller x) (1 − e^{−|x_c − x_h|}) / (1 + δ e^{−x_(larger)})
    d = _gap(wh, th, wc, tc)
    m = -np.expm1(-np.abs(d))
    dn = np.where(d >= 0, n_h * m / pc, -n_c * m / ph)
    g_h, g_c = spec_h.emission(wh, th) * ph, spec_c.emission(wc, tc) * pc  # Γ_α
    scale = np.maximum(g_h, g_c)
    with np.errstate(divide="ignore", invalid="ignore"):
        h, c = g_h / scale, g_c / scale  # Γ_α / max Γ: no under/overflow in the products below
    s = h + c
    dw = wh - wc
    a_term = h * c * ((scale * s) ** 2 + 4 * dw**2)  # D = scale² (A + B ε²)
    b_eps2 = 4 * s**2 * eps * eps
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        small_eps = a_term >= b_eps2
        q = np.minimum(a_term, b_eps2) / np.maximum(a_term, b_eps2)  # ≤ 1
        inv = 1 / (1 + q)
        q_inv = q * inv
        rho = np.where(small_eps, inv, q_inv)  # A / (A + B ε²)
        mix = np.where(small_eps, q_inv, inv)  # B ε² / (A + B ε²) = 1 − rho
        v = np.where(small_eps, eps * rho / a_term, mix / (4 * s**2 * eps))  # ε / (A + B ε²)
    both_zero = (a_term == 0) & (eps == 0)
    if both_zero.any():
        rho = np.where(both_zero, 1.0, rho)
        mix = np.where(both_zero, 0.0, mix)
    zero_eps = eps == 0
    if zero_eps.any():
        v = np.where(zero_eps, 0.0, v)
    # J_h = 4ε²Γ_hΓ_c(ω_hΓ_c + ω_cΓ_h)(n_h − n_c)/D, D = Γ_hΓ_c((Γ_h+Γ_c)² + 4Δ²) + 4ε²(Γ_h+Γ_c)²
    k = scale * h * c * (wh * c + wc * h) * mix / s**2
    j_h = k * dn
    y = 4 * scale * h * c * s * dn * v
    x = 8 * dw * h * c * dn * v  # = ΔY/Γ̄ with Γ̄ = (Γ_h+Γ_c)/2
    # ⟨a†a⟩ = n_h − εY/Γ_h and ⟨b†b⟩ = n_c + εY/Γ_c are convex combinations of n_h and n_c
    n_a = (rho + mix * h / s) * n_h + (mix * c / s) * n_c
    n_b = (rho + mix * c / s) * n_c + (mix * h / s) * n_h
    return {
        "J_h": j_h,
        "J_c": -j_h,
        "n_A": n_a,
        "n_B": n_b,
        "X": x,
        "Y": y,
        "F": k * n_h * n_c,
        "sigma": _entropy_production(j_h, th, tc),
    }


def _entropy_production(j_h, th, tc):
    """σ = −J_h/T_h − J_c/T_c = J_h (T_h − T_c)/(T_h T_c); a T = 0 bath's term is left out (as before)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        both = j_h * (((th - tc) / th) / tc)
        only_c = j_h / tc
        only_h = -j_h / th
    return np.where(th > 0, np.where(tc > 0, both, only_h), np.where(tc > 0, only_c, 0.0))


def _modes(wh, wc, eps):
    half = 0.5 * (wh - wc)
    habs = np.abs(half)
    r = np.hypot(half, eps)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        big = (r + habs) / (2 * r)  # ≥ 1/2
        small = 0.5 * (eps / r) * (eps / (r + habs))  # ε²/(2r(r + |Δ|/2)) = 1 − big, without the subtraction
    c2 = np.where(r > 0, np.where(half >= 0, big, small), 1.0)
    s2 = np.where(r > 0, np.where(half >= 0, small, big), 0.0)
    w_plus = 0.5 * (wh + wc) + r
    with np.errstate(over="ignore", invalid="ignore"):
        w_minus = wh * (wc / w_plus) - eps * (eps / w_plus)  # ω_+ ω_− = ω_h ω_c − ε²
    return w_plus, w_minus, c2, s2


def _global(wh, wc, eps, th, tc, spec_h: Spectrum, spec_c: Spectrum) -> dict:
    w_p, w_m, c2, s2 = _modes(wh, wc, eps)
    w_m = np.where(w_m > 0, w_m, np.nan)  # no ground state: NaN entries (documented)
    j_h, n_modes = 0.0, []
    for w, wt_h, wt_c in ((w_p, c2, s2), (w_m, s2, c2)):
        xh, xc = _ratio(w, th), _ratio(w, tc)
        bh, bc = np.exp(-xh), np.exp(-xc)
        rh, rc = -np.expm1(-xh), -np.expm1(-xc)  # 1 − e^{−x}
        em_h, em_c = spec_h.emission(w, th), spec_c.emission(w, tc)
        scale = np.maximum(em_h, em_c)
        with np.errstate(divide="ignore", invalid="ignore"):
            e_h, e_c = wt_h * (em_h / scale), wt_c * (em_c / scale)  # E_αk / scale
            n_modes.append((e_h * bh + e_c * bc) / (e_h * rh + e_c * rc))
            # A_h E_c − A_c E_h = E_h E_c (e^{−x_h} − e^{−x_c}); E_hE_c/(Γ_h+Γ_c) = 1/(r_h/E_c + r_c/E_h)
            d = _gap(w, th, w, tc)
            m = -np.expm1(-np.abs(d))
            boltz_diff = np.where(d >= 0, bh * m, -bc * m)
            j_h = j_h + w * scale * boltz_diff / (rh / e_c + rc / e_h)
    n_p, n_m = n_modes
    return {
        "J_h": j_h,
        "J_c": -j_h,
        "n_A": c2 * n_p + s2 * n_m,
        "n_B": s2 * n_p + c2 * n_m,
        "n_plus": n_p,
        "n_minus": n_m,
        "omega_plus": w_p,
        "omega_minus": w_m,
        "cos2": c2,
        "sin2": s2,
        "sigma": _entropy_production(j_h, th, tc),
    }


# ---------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------


def local_closed_form(
    kind, omega_h, omega_c, epsilon, T_h, T_c, spectrum_h: Spectrum, spectrum_c: Spectrum | None = None
):
    """Steady state of the local master equation (eq. 8) and its currents, vectorised.

    Parameters
    ----------
    kind : {"oscillator", "qubit"}
        Node kind (δ = −1 or +1).
    omega_h, omega_c : float or array
        Node frequencies ω_h, ω_c > 0 (finite).
    epsilon : float or array
        Swap coupling ε (finite, any sign).
    T_h, T_c : float or array
        Bath temperatures ≥ 0 (finite; T = 0 is the legal zero-temperature limit).
    spectrum_h, spectrum_c : Spectrum
        Emission spectra of the hot and cold bath (``spectrum_c`` defaults to ``spectrum_h``).

    Returns
    -------
    dict of arrays
        ``J_h``, ``J_c``, ``n_A``, ``n_B``, ``X``, ``Y``, ``F`` (eq. 9),
        ``sigma`` (entropy production), broadcast over the inputs.

    Raises
    ------
    ValidationError
        Naming the argument: an unknown ``kind``, a frequency ≤ 0, a negative
        temperature, a non-finite or non-numeric value, shapes that do not
        broadcast, a spectrum that is not a :class:`~qheatnet.model.spectra.Spectrum`.

    Examples
    --------
    >>> from qheatnet import Flat
    >>> out = local_closed_form("qubit", 1.0, 0.8, 0.01, 2.0, 1.0, Flat(0.01))
    >>> bool(out["J_h"] > 0)
    True
    """
    if not isinstance(kind, str) or kind not in NODE_DELTA:
        raise ValidationError("kind", f"must be 'oscillator' or 'qubit', got {_short(kind)}")
    args = _checked(omega_h, omega_c, epsilon, T_h, T_c)
    return _local(NODE_DELTA[kind], *args, *_spectra(spectrum_h, spectrum_c))


def normal_modes(omega_h, omega_c, epsilon):
    """(ω_+, ω_−, c², s²) of the two-node swap Hamiltonian, cancellation-free.

    ω_± = (ω_h+ω_c)/2 ± r, r = √(Δ²/4 + ε²); the larger of c², s² is
    (r + |Δ|/2)/(2r) and the smaller ε²/(2r(r + |Δ|/2)) (no 1 − c²), and
    ω_− = (ω_h ω_c − ε²)/ω_+. At r = 0 (ω_h = ω_c, ε = 0) c² = 1.
    """
    return _modes(*map(lambda v: np.asarray(v, dtype=float), (omega_h, omega_c, epsilon)))


def global_closed_form(omega_h, omega_c, epsilon, T_h, T_c, spectrum_h: Spectrum, spectrum_c: Spectrum | None = None):
    """Steady state of the global master equation for two oscillators (eqs. 10–13), vectorised.

    Requires ε² < ω_h ω_c (ω_− > 0); entries outside give NaN (the network
    has no ground state; :func:`qheatnet.solve` raises ModelError there).
    Arguments and their checks as for :func:`local_closed_form` (no ``kind``:
    the global closed form is for oscillators).

    Returns
    -------
    dict of arrays
        ``J_h``, ``J_c``, ``n_A``, ``n_B``, ``n_plus``, ``n_minus``,
        ``omega_plus``, ``omega_minus``, ``cos2``, ``sin2``, ``sigma``.

    Examples
    --------
    >>> from qheatnet import Phonon3D
    >>> out = global_closed_form(8.0, 5.0, 1e-12, 12.0, 3.0, Phonon3D(1e-7))
    >>> bool(out["J_h"] > 0)
    True
    """
    args = _checked(omega_h, omega_c, epsilon, T_h, T_c)
    return _global(*args, *_spectra(spectrum_h, spectrum_c))


def global_current_printed_eq13(
    omega_h, omega_c, epsilon, T_h, T_c, spectrum_h: Spectrum, spectrum_c: Spectrum | None = None
):
    """Eq. 13 exactly as printed (with e^{β_c ω_+} in the ω_− term). Do not use for physics."""
    omega_h, omega_c, epsilon, th, tc = _checked(omega_h, omega_c, epsilon, T_h, T_c)
    spectrum_h, spectrum_c = _spectra(spectrum_h, spectrum_c)
    w_p, w_m, c2, s2 = _modes(omega_h, omega_c, epsilon)
    bh = 1.0 / th
    bc = 1.0 / tc
    gh_m, gc_m = spectrum_h.emission(w_m, th), spectrum_c.emission(w_m, tc)
    gh_p, gc_p = spectrum_h.emission(w_p, th), spectrum_c.emission(w_p, tc)
    term_m = (
        (np.exp(bc * w_m) - np.exp(bh * w_m))
        * gc_m
        * gh_m
        * w_m
        / (np.exp(bh * w_m) * np.expm1(bc * w_m) * gc_m / s2 + np.exp(bc * w_p) * np.expm1(bh * w_m) * gh_m / c2)
    )
    term_p = (
        (np.exp(bc * w_p) - np.exp(bh * w_p))
        * gc_p
        * gh_p
        * w_p
        / (np.exp(bh * w_p) * np.expm1(bc * w_p) * gc_p / c2 + np.exp(bc * w_p) * np.expm1(bh * w_p) * gh_p / s2)
    )
    return term_m + term_p
