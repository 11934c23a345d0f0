"""admin of the assets app."""
