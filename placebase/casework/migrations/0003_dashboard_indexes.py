"""Copies each connection's organisation and each introduction's days to first conversation,
so the manager's dashboard reads covering indexes rather than joining or scanning."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill(apps, schema_editor):
    Connection = apps.get_model("casework", "Connection")
    Introduction = apps.get_model("casework", "Introduction")
    for connection in Connection.objects.select_related("person").only("person__organisation_id"):
        Connection.objects.filter(pk=connection.pk).update(
            organisation_id=connection.person.organisation_id
        )
    for intro in Introduction.objects.filter(first_conversation_on__isnull=False):
        Introduction.objects.filter(pk=intro.pk).update(
            days_to_first_conversation=(intro.first_conversation_on - intro.introduced_on).days
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_data_sharing_agreement"),
        ("assets", "0001_initial"),
        ("casework", "0002_seed_ons4"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="connection",
            name="casework_co_status_59b72a_idx",
        ),
        migrations.RemoveIndex(
            model_name="connection",
            name="casework_co_follow__5592fe_idx",
        ),
        migrations.RemoveIndex(
            model_name="introduction",
            name="casework_in_organis_572ea0_idx",
        ),
        migrations.RemoveIndex(
            model_name="introduction",
            name="casework_in_introdu_00ea01_idx",
        ),
        migrations.AddField(
            model_name="connection",
            name="organisation",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.organisation",
            ),
        ),
        migrations.AddField(
            model_name="introduction",
            name="days_to_first_conversation",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="connection",
            name="organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.organisation",
            ),
        ),
        migrations.AddIndex(
            model_name="connection",
            index=models.Index(
                fields=["organisation", "suggested_on", "status"],
                name="casework_co_organis_5bf27e_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="connection",
            index=models.Index(
                fields=["follow_up_on", "status"], name="casework_co_follow__769790_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="introduction",
            index=models.Index(
                fields=["organisation", "status", "coordinator"],
                name="casework_in_organis_83881a_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="introduction",
            index=models.Index(
                fields=["organisation", "status", "patch_code"],
                name="casework_in_organis_82be55_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="introduction",
            index=models.Index(
                fields=["organisation", "introduced_on", "source"],
                name="casework_in_organis_e1f3d0_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="introduction",
            index=models.Index(
                fields=["organisation", "introduced_on", "days_to_first_conversation"],
                name="casework_in_organis_2448e0_idx",
            ),
        ),
    ]
