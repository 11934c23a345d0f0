"""forms of the wholeplace app."""
