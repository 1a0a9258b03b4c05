"""One module per chapter idea: measurements, attention variants, benchmarks. Imports only paths, core and chapters."""
