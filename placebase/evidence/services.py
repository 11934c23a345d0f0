"""services of the evidence app."""
