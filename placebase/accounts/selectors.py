"""selectors of the accounts app."""
