"""views of the demo app."""
