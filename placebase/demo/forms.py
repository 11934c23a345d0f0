"""forms of the demo app."""
