"""Numerical kernels, arrays in and arrays out: sparse steady states, Lyapunov equations, rate equations, propagators, the Landauer reference, the HEOM hierarchy."""
