"""Paper reproductions: figures, data and claims decided by computation (``qheatnet reproduce PAPER``)."""
