"""services of the web app."""
