"""models of the web app."""
