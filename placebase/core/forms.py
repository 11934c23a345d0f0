"""forms of the core app."""
