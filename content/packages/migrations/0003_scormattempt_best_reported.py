from django.db import migrations, models
from django.db.models import F, Q


def keep_what_was_reported(apps, schema_editor):
    """Existing attempts: what they last reported is the best known so far."""
    ScormAttempt = apps.get_model("packages", "ScormAttempt")
    ScormAttempt.objects.filter(score_scaled__isnull=False).update(best_score_scaled=F("score_scaled"))
    ScormAttempt.objects.filter(Q(success_status="passed") | Q(success_status="failed")).update(
        best_success_status=F("success_status")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("packages", "0002_scormattempt_mastery_score"),
    ]

    operations = [
        migrations.AddField(
            model_name="scormattempt",
            name="best_score_scaled",
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="scormattempt",
            name="best_success_status",
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.RunPython(keep_what_was_reported, migrations.RunPython.noop),
    ]
