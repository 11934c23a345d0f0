"""forms of the assets app."""
