"""selectors of the evidence app."""
