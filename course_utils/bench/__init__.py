"""The benchmark: time and peak memory of attention implementations, and `make gpu`. Imports only paths, core,
chapters and bench."""
