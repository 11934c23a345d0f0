"""tasks of the web app."""
