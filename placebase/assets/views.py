"""views of the assets app."""
