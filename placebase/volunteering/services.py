"""services of the volunteering app."""
