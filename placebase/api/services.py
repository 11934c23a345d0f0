"""services of the api app."""
