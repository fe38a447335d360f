"""Parameter sweeps: labelled results, resumable runs, closed-form fast paths, scale-out.

* :func:`sweep` — the Python API: ``sweep(network, {"baths.hot.temperature":
  values}, approaches=["local", "global"])`` returns an ``xarray.Dataset``.
* :func:`load_sweep_file` / :func:`run_sweep` — the same from a TOML sweep
  file, as ``qheatnet sweep SWEEP.toml --out RESULT`` does.
* :func:`two_node_map` — the vectorised closed forms of Levy & Kosloff
  (2014) on a grid, as a Dataset (no store, no processes).
* :mod:`.plot` — 1-D scans and 2-D maps of a result.

Conventions: ħ = k_B = 1; J_α > 0 when energy flows from bath α into the
network; σ = −Σ_α J_α/T_α.
"""

from .dataset import open_result, save_dataset
from .runner import plan_chunks, run_sweep, sweep
from .spec import Axis, SweepSpec, load_sweep_file, loads_sweep, make_spec, parameter_paths

__all__ = [
    "sweep",
    "run_sweep",
    "two_node_map",
    "make_spec",
    "load_sweep_file",
    "loads_sweep",
    "parameter_paths",
    "SweepSpec",
    "Axis",
    "plan_chunks",
    "open_result",
    "save_dataset",
]


def two_node_map(network, parameters, approaches=("local", "global"), **kwargs):
    """The two-node closed forms over a grid, as a sweep Dataset (fast path only).

    Same arguments as :func:`sweep`; refuses (ValidationError) a network or
    approach that the closed forms do not cover (see
    :mod:`qheatnet.sweeps.fastpath`), instead of silently falling back to
    per-point solves.
    """
    from ..errors import ValidationError
    from .fastpath import fast_path_applies

    spec = make_spec(network, parameters, approaches, **{k: kwargs.pop(k) for k in list(kwargs) if k in _SPEC_KEYS})
    for a in spec.approaches:
        if not fast_path_applies(spec, a):
            raise ValidationError(
                "approaches",
                f"no closed form for approach {a!r} of this network (two nodes of one kind, one coupling, one "
                "bath per node; global only for oscillators; full bookkeeping, engine auto)",
            )
    return run_sweep(spec, **kwargs)


_SPEC_KEYS = ("bookkeeping", "engine", "options", "fast_path", "outputs", "chunk_size")
