"""api of the core app."""
