"""admin of the demo app."""
