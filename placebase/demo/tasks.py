"""tasks of the demo app."""
