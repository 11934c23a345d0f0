"""selectors of the demo app."""
