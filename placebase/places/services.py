"""services of the places app."""
