"""models of the demo app."""
