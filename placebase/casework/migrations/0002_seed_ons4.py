"""Seeds the ONS4 personal wellbeing questions as the first version of the first instrument."""

from django.db import migrations

ONS4_QUESTIONS = [
    {
        "code": "life_satisfaction",
        "text": "Overall, how satisfied are you with your life nowadays?",
        "min": 0,
        "max": 10,
        "higher_is_better": True,
    },
    {
        "code": "worthwhile",
        "text": "Overall, to what extent do you feel that the things you do in your life are worthwhile?",
        "min": 0,
        "max": 10,
        "higher_is_better": True,
    },
    {
        "code": "happiness",
        "text": "Overall, how happy did you feel yesterday?",
        "min": 0,
        "max": 10,
        "higher_is_better": True,
    },
    {
        "code": "anxiety",
        "text": "On a scale where 0 is not at all anxious and 10 is completely anxious, overall, how anxious did you feel yesterday?",
        "min": 0,
        "max": 10,
        "higher_is_better": False,
    },
]


def seed(apps, schema_editor):
    Instrument = apps.get_model("casework", "Instrument")
    InstrumentVersion = apps.get_model("casework", "InstrumentVersion")
    instrument, _ = Instrument.objects.get_or_create(
        code="ons4", defaults={"name": "ONS4 personal wellbeing"}
    )
    InstrumentVersion.objects.get_or_create(
        instrument=instrument, number=1, defaults={"questions": ONS4_QUESTIONS, "is_current": True}
    )


def unseed(apps, schema_editor):
    pass  # keep answers' instruments: removing them would orphan recorded scores


class Migration(migrations.Migration):
    dependencies = [("casework", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
