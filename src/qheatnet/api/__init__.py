"""The public API: check, convert, dispatch to the engine layer; frozen results.

* :func:`~qheatnet.api.solve.solve` — steady states;
* :func:`~qheatnet.api.evolve.evolve` — transients;
* :func:`~qheatnet.api.compare.compare` — every approach against the exact reference, and which to trust;
* :mod:`qheatnet.sweeps` — parameter sweeps (``qheatnet.sweep``);
* :mod:`~qheatnet.api.results` — :class:`SteadyState`, :class:`Evolution`.
"""
