"""admin of the web app."""
