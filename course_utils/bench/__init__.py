"""The benchmark: time and peak memory of attention implementations, and `make gpu`. Imports only paths, tools,
core, chapters and bench."""
