"""The result of a sweep as an :class:`xarray.Dataset`, and how it is saved.

Dimensions: one per swept parameter (named by its path, or its ``name``),
then ``approach``, and ``bath`` / ``node`` / ``diagnostic`` where they
apply. Variables:

=======================  ==============================  =====================================
variable                 dims (after the parameters)      meaning
=======================  ==============================  =====================================
``heat_current``         approach, bath                  J_α > 0: energy from bath α into the network
``entropy_production``   approach                        σ = −Σ_α J_α/T_α
``population``           approach, node                  ⟨n_i⟩
``first_law_residual``   approach                        Σ_α J_α
``second_law_violated``  approach                        σ < −tolerance (False where failed)
``diagnostics``          approach, diagnostic            diagnostic code raised at the point
``engine``               approach                        solver that produced the point
``status``               approach                        0 ok, 1 failed, 2 not computed
``error``                approach                        error message of a failed point ("" else)
``deviation``            approach                        with a ``reference``: relative deviation δ
                                                         from it (see below)
``current_noise``        approach, bath                  zero-frequency heat-current noise S_α (if asked for)
``third_cumulant``       approach, bath                  third scaled cumulant of the heat Q_α (if asked for)
``fano_factor``          approach, bath                  S_α/|J_α| (if asked for)
``tur_ratio``            approach, bath                  TUR ratio S_α σ/(2J_α²); TUR: ≥ 1 (if asked for)
``coupling_current``     approach, coupling,             J_{c→i}: energy entering the node
                         coupling_end                    ``coupling_node`` through coupling c
                                                         (bare bookkeeping, i⟨[H_c, H_i]⟩)
``machine_mode``, ...    approach                        machine summary (three or more baths):
                                                         ``machine_mode``, ``cooling_power``,
                                                         ``cop``, ``carnot_cop``, ``efficiency``,
                                                         ``carnot_efficiency``
=======================  ==============================  =====================================

Validity maps: a sweep with ``reference = "exact"`` (or ``"heom"``) computes that reference as one
more approach and adds ``deviation``: at each point and for each approach,
δ = max_α |J_α − J_α,ref| / max_α |J_α,ref| (α over the baths; the definition of
:func:`qheatnet.compare`), 0 for the reference itself, NaN where the approach or the reference
failed or the reference current vanishes. It is derived from the stored heat currents when the
dataset is assembled, so it is the same however the sweep was interrupted and resumed. Attribute
``reference`` names the reference.

The fluctuation variables use the counted bookkeeping of :mod:`qheatnet.thermo.fluctuations` (bare
for local, full for global and exact), stated in their ``bookkeeping`` attribute.

Attributes: ``qheatnet_version``, ``network`` (the base network as TOML),
``sweep_hash``, ``parameters`` (JSON), ``bookkeeping``, ``engine``,
``options``, ``fast_path``, ``methods`` (approach → "closed_form" |
"solve"), ``tolerances`` (JSON of :mod:`qheatnet.config`),
``second_law_rtol`` and ``conventions``. No timestamps: the same sweep
gives an identical dataset however it was run, interrupted or resumed.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
import warnings
from pathlib import Path

import numpy as np
import xarray as xr

from .. import config
from ..io.network_file import dumps_network
from .kernels import KNOWN_CODES, MACHINE_FIELDS, coupling_ends
from .spec import ENERGY, FLUCTUATION_OUTPUTS, SweepSpec

__all__ = ["Assembler", "save_dataset", "open_result", "result_format", "STATUS_OK", "STATUS_FAILED", "STATUS_MISSING"]

STATUS_OK, STATUS_FAILED, STATUS_MISSING = 0, 1, 2
CONVENTIONS = (
    "hbar = k_B = 1; J_alpha > 0 when energy flows from bath alpha into the network; "
    "sigma = -sum_alpha J_alpha / T_alpha"
)


def tolerances() -> dict:
    out = {}
    for k in dir(config):
        if k.isupper():
            v = getattr(config, k)
            if isinstance(v, (int, float, str, dict)):
                out[k] = v
    return out


class Assembler:
    """Collects records (see :mod:`.kernels`) into the arrays of the dataset."""

    def __init__(self, spec: SweepSpec, methods: dict[str, str]):
        self.spec = spec
        self.methods = methods
        net = spec.network
        n, a = spec.n_points, len(spec.approaches)
        nb, nn = len(net.baths), len(net.nodes)
        self.codes = list(KNOWN_CODES)
        self.arr = {
            "heat_current": np.full((n, a, nb), np.nan),
            "entropy_production": np.full((n, a), np.nan),
            "population": np.full((n, a, nn), np.nan),
            "first_law_residual": np.full((n, a), np.nan),
            "second_law_violated": np.zeros((n, a), dtype=bool),
            "status": np.full((n, a), STATUS_MISSING, dtype=np.int8),
            "engine": np.full((n, a), "", dtype=object),
            "error": np.full((n, a), "", dtype=object),
        }
        for key in FLUCTUATION_OUTPUTS:
            if key in spec.outputs:
                self.arr[key] = np.full((n, a, nb), np.nan)
        self.diag = np.zeros((n, a, len(self.codes)), dtype=bool)
        self.n_ends = coupling_ends(net.to_dict())
        self.arr["coupling_current"] = np.full((n, a, len(net.couplings), self.n_ends), np.nan)
        self.arr["machine_mode"] = np.full((n, a), "", dtype=object)
        for key in MACHINE_FIELDS:
            self.arr[key] = np.full((n, a), np.nan)

    def add(self, approach: str, start: int, rec: dict) -> None:
        k = self.spec.approaches.index(approach)
        m = len(rec["entropy_production"])
        sl = slice(start, start + m)
        for key in ("heat_current", "entropy_production", "population", "first_law_residual", "second_law_violated"):
            self.arr[key][sl, k] = rec[key]
        for key in FLUCTUATION_OUTPUTS:
            if key in self.arr and key in rec:
                self.arr[key][sl, k] = rec[key]
        # records of batch engines (closed forms) have no coupling currents or machine summary: NaN
        if "coupling_current" in rec and rec["coupling_current"].shape[1:] == self.arr["coupling_current"].shape[2:]:
            self.arr["coupling_current"][sl, k] = rec["coupling_current"]
        if "machine_mode" in rec:
            self.arr["machine_mode"][sl, k] = rec["machine_mode"].astype(object)
            for key in MACHINE_FIELDS:
                self.arr[key][sl, k] = rec[key]
        self.arr["status"][sl, k] = np.where(rec["failed"], STATUS_FAILED, STATUS_OK)
        self.arr["engine"][sl, k] = rec["engine"].astype(object)
        self.arr["error"][sl, k] = ""
        for i, msg in zip(rec["error_at"], rec["error"]):
            self.arr["error"][start + int(i), k] = str(msg)
        for j, code in enumerate(rec["codes"].tolist()):
            if code not in self.codes:
                self.codes.append(code)
                self.diag = np.concatenate([self.diag, np.zeros(self.diag.shape[:2] + (1,), dtype=bool)], axis=2)
            self.diag[sl, k, self.codes.index(code)] = rec["diagnostics"][:, j]

    def dataset(self) -> xr.Dataset:
        spec, net = self.spec, self.spec.network
        shape, dims = spec.shape, spec.dims
        codes = list(KNOWN_CODES) + sorted(c for c in self.codes if c not in KNOWN_CODES)
        diag = self.diag[:, :, [self.codes.index(c) for c in codes]]

        def var(key, extra=()):
            data = self.arr[key] if key != "diagnostics" else diag
            return (dims + ("approach", *extra), data.reshape(shape + data.shape[1:]))

        e2 = f"{ENERGY.split(' (')[0]}^2 (energy per unit time, hbar = 1)"
        data_vars = {
            "heat_current": (
                *var("heat_current", ("bath",)),
                {"units": e2, "long_name": "heat current from bath into the network (J > 0: bath -> network)"},
            ),
            "entropy_production": (
                *var("entropy_production"),
                {"units": "energy unit (k_B per unit time)", "long_name": "entropy production -sum J/T"},
            ),
            "population": (*var("population", ("node",)), {"units": "1", "long_name": "mean excitation <n_i>"}),
            "first_law_residual": (*var("first_law_residual"), {"units": e2, "long_name": "sum of heat currents"}),
            "second_law_violated": (
                *var("second_law_violated"),
                {"long_name": "entropy production below -tolerance (false where the point failed)"},
            ),
            "diagnostics": (
                *var("diagnostics", ("diagnostic",)),
                {"long_name": "validity diagnostic raised at the point (qheatnet.thermo.diagnostics)"},
            ),
            "engine": (*var("engine"), {"long_name": "solver that produced the point"}),
            "status": (
                *var("status"),
                {"flag_values": np.array([0, 1, 2], dtype=np.int8), "flag_meanings": "ok failed not_computed"},
            ),
            "error": (*var("error"), {"long_name": "error message of a failed point (empty if ok)"}),
        }
        from ..thermo.fluctuations import BOOKKEEPING

        counted = json.dumps({a: BOOKKEEPING.get(a, "") for a in spec.approaches})
        e = ENERGY.split(" (")[0]
        fluct_attrs = {
            "current_noise": (f"{e}^3 (energy^2 per unit time, hbar = 1)", "zero-frequency heat-current noise S"),
            "third_cumulant": (f"{e}^4 (energy^3 per unit time, hbar = 1)", "third scaled cumulant of the heat"),
            "fano_factor": (e, "Fano factor S/|J| of the heat current"),
            "tur_ratio": ("1", "TUR ratio S sigma/(2 J^2) (thermodynamic uncertainty relation: >= 1)"),
        }
        for key, (units, long_name) in fluct_attrs.items():
            if key in self.arr:
                data_vars[key] = (
                    *var(key, ("bath",)),
                    {"units": units, "long_name": long_name, "bookkeeping": counted},
                )
        if net.couplings:
            data_vars["coupling_current"] = (
                *var("coupling_current", ("coupling", "coupling_end")),
                {
                    "units": e2,
                    "long_name": "energy entering node coupling_node through the coupling (bare bookkeeping, "
                    "i<[H_c, H_i]>; NaN where the engine gives no state)",
                },
            )
        machine_vars = ("machine_mode", *MACHINE_FIELDS)
        if len(net.baths) >= 3:
            names: dict[str, tuple[str, str | None]] = {
                "machine_mode": ("thermal-machine mode (qheatnet.thermo.machines)", None),
                "cooling_power": ("heat drawn from the coldest bath (refrigerators)", e2),
                "cop": ("coefficient of performance (refrigerators)", "1"),
                "carnot_cop": ("Carnot bound of the COP", "1"),
                "efficiency": ("efficiency (heat transformers, engines)", "1"),
                "carnot_efficiency": ("Carnot bound of the efficiency", "1"),
            }
            for key in machine_vars:
                long_name, unit = names[key]
                data_vars[key] = (*var(key), {"long_name": long_name, **({"units": unit} if unit else {})})
        keep = set(spec.outputs) | {"status", "error"}
        if "machine" in keep:
            keep |= set(machine_vars)
        data_vars = {k: v for k, v in data_vars.items() if k in keep}
        if spec.reference is not None:
            data_vars["deviation"] = self.deviation_variable()
        coords = spec.coordinates()  # swept parameters, with units, paths, linked fields, zipped members
        coords["approach"] = ("approach", np.array(spec.approaches, dtype=object))
        coords["bath"] = ("bath", np.array([b.name for b in net.baths], dtype=object))
        coords["bath_node"] = ("bath", np.array([b.node for b in net.baths], dtype=object))
        coords["node"] = ("node", np.array([n.name for n in net.nodes], dtype=object))
        coords["node_kind"] = ("node", np.array([n.kind for n in net.nodes], dtype=object))
        if "diagnostics" in keep:
            coords["diagnostic"] = ("diagnostic", np.array(codes, dtype=object))
        if "coupling_current" in keep and net.couplings:
            ends = np.full((len(net.couplings), self.n_ends), "", dtype=object)
            for k, c in enumerate(net.couplings):
                ends[k, : len(c.nodes)] = list(c.nodes)
            coords["coupling"] = ("coupling", np.array([c.label for c in net.couplings], dtype=object))
            coords["coupling_end"] = ("coupling_end", np.arange(self.n_ends))
            coords["coupling_node"] = (("coupling", "coupling_end"), ends)
            coords["coupling_kind"] = ("coupling", np.array([c.kind for c in net.couplings], dtype=object))
        attrs = {
            "title": "qheatnet parameter sweep",
            "qheatnet_version": _version(),
            "network": dumps_network(net),
            "sweep_hash": spec.hash,
            "parameters": json.dumps(spec.describe_parameters()),
            "bookkeeping": spec.bookkeeping,
            "engine": spec.engine,
            "options": json.dumps(spec.options, sort_keys=True),
            "fast_path": "true" if spec.fast_path else "false",
            "methods": json.dumps(self.methods),
            "tolerances": json.dumps(tolerances(), sort_keys=True),
            "second_law_rtol": float(config.SECOND_LAW_RTOL),
            "conventions": CONVENTIONS,
        }
        if spec.reference is not None:
            attrs["reference"] = spec.reference
        return xr.Dataset(data_vars, coords=coords, attrs=attrs)

    def deviation_variable(self) -> tuple:
        """``(dims, δ, attrs)`` of the validity variable: each approach's deviation from the reference."""
        from ..api.compare import DEVIATION_DEFINITION, relative_deviation

        spec = self.spec
        k = spec.approaches.index(spec.reference)
        j = self.arr["heat_current"]  # (n, approaches, baths)
        dev = relative_deviation(j, j[:, k : k + 1, :])
        ok = self.arr["status"] == STATUS_OK
        dev = np.where(ok & ok[:, k : k + 1], dev, np.nan)
        attrs = {
            "units": "1",
            "long_name": f"relative deviation from the {spec.reference} reference",
            "definition": DEVIATION_DEFINITION,
            "reference": spec.reference,
        }
        return (spec.dims + ("approach",), dev.reshape(spec.shape + dev.shape[1:]), attrs)


def _version() -> str:
    from .. import __version__

    return __version__


def result_format(path: str | Path) -> str:
    """ "zarr" for ``*.zarr``, else "netcdf" (see :data:`qheatnet.sweeps.runner.RESULT_SUFFIXES`)."""
    return "zarr" if str(path).rstrip("/").lower().endswith(".zarr") else "netcdf"


def save_dataset(ds: xr.Dataset, path: str | Path) -> Path:
    """Write ``ds`` to ``path`` (netCDF, or Zarr for ``*.zarr``) atomically: temp file, then rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        if result_format(path) == "zarr":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # zarr v3 notes on string dtypes / consolidated metadata
                ds.to_zarr(tmp, mode="w")
            if path.exists():
                shutil.rmtree(path)
        else:
            ds.to_netcdf(tmp)
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp) if tmp.is_dir() else tmp.unlink()
    return path


#: Attributes and variables every sweep result has (see the module docstring).
_RESULT_ATTRS = ("sweep_hash", "network", "parameters")
_RESULT_VARS = ("status",)


def open_result(path: str | Path) -> xr.Dataset:
    """Load a saved sweep result (netCDF or Zarr) into memory.

    Raises
    ------
    ValidationError
        Naming the file: missing, unreadable, or not a qheatnet sweep result
        (another netCDF file, a network file, a binary file, ...).
    """
    from ..errors import ValidationError

    path = Path(path)
    field = str(path)
    if not path.exists():
        raise ValidationError(field, "no such file or folder")
    try:
        if result_format(path) == "zarr":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ds = xr.open_zarr(path).load()
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # engine guessing chatter on non-netCDF files
                ds = xr.load_dataset(path)
    except Exception as exc:  # xarray's engines raise many kinds (ValueError, OSError, KeyError, ...)
        kind = "netCDF" if result_format(path) == "netcdf" else "Zarr"
        raise ValidationError(
            field, f"not a qheatnet sweep result (cannot be read as {kind}: {type(exc).__name__})"
        ) from None
    missing = [a for a in _RESULT_ATTRS if a not in ds.attrs] + [v for v in _RESULT_VARS if v not in ds.variables]
    if missing:
        raise ValidationError(field, f"not a qheatnet sweep result (no {missing[0]!r}; made by `qheatnet sweep`?)")
    return ds
