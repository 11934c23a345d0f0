"""admin of the wholeplace app."""
