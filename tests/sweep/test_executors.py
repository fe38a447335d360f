"""Serial = process pool = Dask: where a point is solved does not change its numbers."""

from __future__ import annotations

import sys

import pytest
import xarray as xr

from qheatnet.sweeps import make_spec, run_sweep

PARAMS = {"baths.hot.temperature": [1.0, 2.0, 3.0], "couplings.A-B.strength": [0.001, 0.01, 0.05, 0.1]}


@pytest.fixture
def spec(qubits):
    # fast_path=False: every point goes through qheatnet.solve in chunks of 3
    return make_spec(qubits, PARAMS, ["local", "global"], fast_path=False, chunk_size=3)


def test_process_pool_equals_serial(spec, tmp_path):
    serial = run_sweep(spec, workers=1)
    pool = run_sweep(spec, workers=2)
    xr.testing.assert_identical(serial, pool)
    stored = run_sweep(spec, tmp_path / "r.nc", workers=2)
    xr.testing.assert_identical(serial, stored)
    assert (serial.status == 0).all()


def test_automatic_choice_equals_serial(spec):
    # workers=None: the first chunk is timed in this process, the rest run here or on a pool
    xr.testing.assert_identical(run_sweep(spec), run_sweep(spec, workers=1))


def test_dask_local_cluster_equals_serial(spec):
    distributed = pytest.importorskip("dask.distributed")
    serial = run_sweep(spec, workers=1)
    with (
        distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        on_dask = run_sweep(spec, client=client)
        by_address = run_sweep(spec, scheduler=cluster.scheduler_address)  # as --scheduler ADDRESS does
    xr.testing.assert_identical(serial, on_dask)
    xr.testing.assert_identical(serial, by_address)


def test_dask_distributed_is_imported_only_when_asked_for():
    # (xarray itself imports dask.array, when installed, to recognise dask arrays)
    import subprocess

    code = (
        "import sys; from qheatnet import Network, Flat, sweep; "
        "net = Network.two_node('qubit', 1.0, 0.7, 0.05, 2.0, 1.0, Flat(0.02)); "
        "sweep(net, {'baths.hot.temperature': [1.0, 2.0]}, ['local', 'global'], workers=1); "
        "print('distributed' in sys.modules, 'dask.distributed' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
