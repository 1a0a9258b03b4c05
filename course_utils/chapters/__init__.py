"""One module per chapter idea: its measurements and attention variants. Imports only paths, core and chapters."""
