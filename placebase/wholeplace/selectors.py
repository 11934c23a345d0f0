"""selectors of the wholeplace app."""
