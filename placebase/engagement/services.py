"""services of the engagement app."""
