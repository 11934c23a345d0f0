"""services of the assets app."""
