"""Give every located record written before 0002 its combination of areas, computed from
its AreaMembership rows (the same rule as `services`, frozen here as migrations must be)."""

import hashlib
from collections import defaultdict

from django.db import migrations

BATCH = 5000


def _key(area_ids):
    ids = sorted({str(a) for a in area_ids})
    return hashlib.sha256(",".join(ids).encode()).hexdigest(), ids


def backfill(apps, schema_editor):
    LocatedPoint = apps.get_model("places", "LocatedPoint")
    AreaMembership = apps.get_model("places", "AreaMembership")
    AreaCombination = apps.get_model("places", "AreaCombination")
    known = dict(AreaCombination.objects.values_list("key", "id"))
    last = 0
    while True:
        points = list(
            LocatedPoint.objects.filter(id__gt=last, combination__isnull=True)
            .order_by("id")
            .values_list("id", "record_type", "record_id")[:BATCH]
        )
        if not points:
            return
        last = points[-1][0]
        areas = defaultdict(set)
        by_type = defaultdict(list)
        for _pk, record_type, record_id in points:
            by_type[record_type].append(record_id)
        for record_type, record_ids in by_type.items():
            for start in range(0, len(record_ids), 900):
                for record_id, area_id in AreaMembership.objects.filter(
                    record_type=record_type, record_id__in=record_ids[start : start + 900]
                ).values_list("record_id", "area_id"):
                    areas[(record_type, record_id)].add(area_id)
        groups = defaultdict(list)
        for pk, record_type, record_id in points:
            key, ids = _key(areas[(record_type, record_id)])
            if key not in known:
                known[key] = AreaCombination.objects.create(key=key, area_ids=ids).id
            groups[known[key]].append(pk)
        for combination_id, pks in groups.items():
            for start in range(0, len(pks), 900):
                LocatedPoint.objects.filter(id__in=pks[start : start + 900]).update(
                    combination_id=combination_id
                )


class Migration(migrations.Migration):
    dependencies = [("places", "0002_area_combinations")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
