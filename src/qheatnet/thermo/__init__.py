"""Thermodynamic bookkeeping: heat currents (:mod:`.currents`), entropy production and the second-law
verdict (:mod:`.entropy`), validity diagnostics (:mod:`.diagnostics`), covariances and entanglement
(:mod:`.covariance`)."""
