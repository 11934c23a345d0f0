"""api of the accounts app."""
