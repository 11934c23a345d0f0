"""tasks of the core app."""
