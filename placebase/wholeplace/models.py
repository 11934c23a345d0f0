"""models of the wholeplace app."""
