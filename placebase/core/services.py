"""services of the core app."""
