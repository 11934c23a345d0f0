#!/usr/bin/env sh
# Prints the path of a Python interpreter new enough for Django 6 (3.12 or later).
# Looks on PATH first, then in pyenv's versions, so a machine whose default python3 is
# older still finds one without anyone editing the Makefile.
set -eu
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; }
for name in "${PYTHON:-}" python3.12 python3.13 python3; do
  [ -n "$name" ] || continue
  path=$(command -v "$name" 2>/dev/null) || continue
  if ok "$path"; then echo "$path"; exit 0; fi
done
root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
for path in "$root"/versions/3.12*/bin/python3 "$root"/versions/3.13*/bin/python3; do
  if [ -x "$path" ] && ok "$path"; then echo "$path"; exit 0; fi
done
echo "Placebase needs Python 3.12 or later (Django 6); none was found." >&2
exit 1
