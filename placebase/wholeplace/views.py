"""views of the wholeplace app."""
