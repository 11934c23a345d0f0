"""forms of the api app."""
