"""services of the wholeplace app."""
