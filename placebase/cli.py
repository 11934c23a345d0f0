"""The `placebase` console script: Django's management commands with Placebase's settings.

`placebase demo`, `placebase serve`, `placebase adduser`, the import commands, and every
Django command (`placebase migrate`, `placebase check --deploy`, ...).
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
