"""models of the assets app."""
