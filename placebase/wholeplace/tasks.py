"""tasks of the wholeplace app."""
