"""The model: :class:`~qheatnet.model.network.Network` (nodes, couplings, baths) and bath spectra; validated once, immutable."""
