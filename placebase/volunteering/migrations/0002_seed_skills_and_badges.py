"""Starter skills and badges, so sign-up and opportunity forms have choices on a fresh install."""

from django.db import migrations

SKILLS = [
    ("reading-with-children", "Reading with children"),
    ("befriending", "Befriending and checking on neighbours"),
    ("gardening", "Gardening and green spaces"),
    ("driving", "Driving"),
    ("events", "Running events"),
    ("promoting", "Promoting and publicity"),
    ("arts", "Arts and performance"),
    ("cooking", "Cooking and food"),
    ("admin", "Office and admin"),
    ("digital", "Digital skills and IT"),
    ("languages", "Speaking other languages"),
    ("evaluation", "Evaluation and research"),
    ("diy", "DIY and repairs"),
    ("sport", "Sport and exercise"),
]

BADGES = [
    ("first-hour", "First hour", "Gave their first verified hour.", "milestone", 1),
    ("ten-hours", "Ten hours", "Gave ten verified hours.", "milestone", 10),
    ("fifty-hours", "Fifty hours", "Gave fifty verified hours.", "milestone", 50),
    ("hundred-hours", "One hundred hours", "Gave one hundred verified hours.", "milestone", 100),
    (
        "young-evaluator",
        "Young evaluator",
        "A young person who helped evaluate a service or project.",
        "skill",
        None,
    ),
    ("reading-buddy", "Reading buddy", "Heard children read through a school year.", "skill", None),
    (
        "touring-promoter",
        "Touring promoter",
        "Chose, promoted and ran a touring arts event.",
        "skill",
        None,
    ),
]


def seed(apps, schema_editor):
    Skill = apps.get_model("volunteering", "Skill")
    Badge = apps.get_model("volunteering", "Badge")
    for slug, name in SKILLS:
        Skill.objects.get_or_create(slug=slug, defaults={"name": name})
    for slug, name, description, kind, threshold in BADGES:
        Badge.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "kind": kind,
                "hours_threshold": threshold,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("volunteering", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
