"""api of the wholeplace app."""
