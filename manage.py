#!/usr/bin/env python
"""Django's command-line utility; `placebase` (the console script) does the same."""

from placebase.cli import main

if __name__ == "__main__":
    main()
