"""One module per chapter idea: measurements, alternative attention computations, benchmarks. Imports core."""
