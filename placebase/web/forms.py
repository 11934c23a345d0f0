"""forms of the web app."""
