"""`placebase locate INPUT.csv --lat-field lat --lon-field long --out OUT.csv`.

Writes the input back with one column per active boundary set, named `<level>_<vintage>`
(e.g. `lsoa_2011`, `ward_2025`), holding the area's code, or empty when the point is in no
area of that set (or has no usable coordinates). `DATABASE_URL` chooses the database.
"""

import csv
import math
import sys
from typing import Any

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser

from placebase.places import selectors
from placebase.places.geo import open_text


def _number(value: str | None) -> float:
    try:
        number = float((value or "").strip())
    except ValueError:
        return math.nan
    return number if math.isfinite(number) else math.nan


class Command(BaseCommand):
    help = "Add the code of each active boundary set's area to every row of a CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input")
        parser.add_argument("--lat-field", default="lat")
        parser.add_argument("--lon-field", default="long")
        parser.add_argument("--out", required=True, help="output CSV ('-' for standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            text = open_text(options["input"])
        except OSError as error:
            raise CommandError(f"Cannot read {options['input']}: {error}") from error
        reader = csv.DictReader(text.splitlines())
        fields = list(reader.fieldnames or [])
        for field in (options["lat_field"], options["lon_field"]):
            if field not in fields:
                raise CommandError(
                    f"The input has no column '{field}' (columns: {', '.join(fields) or 'none'})"
                )
        rows = list(reader)
        lat = np.array([_number(r.get(options["lat_field"])) for r in rows])
        lon = np.array([_number(r.get(options["lon_field"])) for r in rows])
        usable = (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
        bulk = selectors.points_locate_bulk(
            lat=np.where(usable, lat, 1e9), lon=np.where(usable, lon, 1e9)
        )
        columns = [c for c in bulk.columns if c not in fields]
        outside = 0
        for i, row in enumerate(rows):
            hit = False
            for column, found in bulk.columns.items():
                idx = int(found[i])
                row[column] = bulk.codes[column][idx] if idx >= 0 else ""
                hit |= idx >= 0
            outside += not hit
        out = (
            sys.stdout
            if options["out"] == "-"
            else open(  # noqa: SIM115
                options["out"], "w", newline="", encoding="utf-8"
            )
        )
        try:
            writer = csv.DictWriter(out, fieldnames=fields + columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        finally:
            if out is not sys.stdout:
                out.close()
        self.stderr.write(
            f"Located {len(rows)} rows against {len(bulk.columns)} boundary "
            f"sets; {int((~usable).sum())} had no usable coordinates, "
            f"{outside} fell in no area."
        )
