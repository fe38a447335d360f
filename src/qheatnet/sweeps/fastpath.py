"""Which sweep points go to a vectorised (batch) engine instead of one solve each.

The decision is the engine layer's (:func:`qheatnet.engines.choose.batch_engine`,
the same chooser ``solve`` and ``evolve`` use); today the one batch engine is
the two-node closed form of Levy & Kosloff (2014),
:mod:`qheatnet.engines.closed_form`, which applies with "full" bookkeeping, the
"auto" engine and no engine options, and can be switched off per sweep
(``fast_path = false``).
"""

from __future__ import annotations

from ..engines.base import Problem
from ..engines.choose import batch_engine

__all__ = ["fast_path_applies", "FAST_ENGINE"]

FAST_ENGINE = "closed_form"


def fast_path_applies(spec, approach: str) -> bool:
    """Whether the points of ``approach`` in ``spec`` are evaluated by a batch engine."""
    if not spec.fast_path:
        return False
    problem = Problem(spec.network, approach, spec.bookkeeping)
    return batch_engine(problem, spec.engine, spec.options) is not None
