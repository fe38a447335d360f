"""Cost of the argument checks of the two-node closed forms (issue 13, item 2).

Usage::

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_closed_forms.py [--side 400] [--repeat 15]

Times the public ``local_closed_form`` / ``global_closed_form`` (checks +
kernel) against the private kernels alone on the Fig. 2 map of Levy &
Kosloff (2014) (side × side points, ω_h and T_h swept, phonon3d κ = 1e-7),
and the spectrum evaluation the kernels need, in the same run. Wall-clock
milliseconds, best of ``--repeat``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from qheatnet import Phonon3D
from qheatnet.physics import two_node as tn


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times) * 1e3


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--side", type=int, default=400)
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    wh = np.linspace(2.0, 20.0, args.side)[:, None] * np.ones((1, args.side))
    th = np.linspace(10.5, 30.0, args.side)[None, :] * np.ones((args.side, 1))
    s = Phonon3D(1e-7)
    checked = tn._checked(wh, 5.0, 1e-4, th, 10.0)
    rows = [
        ("checks only", best(lambda: tn._checked(wh, 5.0, 1e-4, th, 10.0), args.repeat)),
        ("spectrum emission (one call)", best(lambda: s.emission(wh, th), args.repeat)),
        ("local kernel", best(lambda: tn._local(-1.0, *checked, s, s), args.repeat)),
        (
            "local_closed_form",
            best(lambda: tn.local_closed_form("oscillator", wh, 5.0, 1e-4, th, 10.0, s), args.repeat),
        ),
        ("global kernel", best(lambda: tn._global(*checked, s, s), args.repeat)),
        ("global_closed_form", best(lambda: tn.global_closed_form(wh, 5.0, 1e-4, th, 10.0, s), args.repeat)),
    ]
    ref = {"local_closed_form": rows[2][1], "global_closed_form": rows[4][1]}
    print(f"{wh.size} points")
    print(f"{'what':<30} {'ms':>8} {'vs kernel':>10}")
    for name, ms in rows:
        ratio = f"{ms / ref[name]:.3f}" if name in ref else ""
        print(f"{name:<30} {ms:8.2f} {ratio:>10}")


if __name__ == "__main__":
    main()
