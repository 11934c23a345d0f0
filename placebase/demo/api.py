"""api of the demo app."""
