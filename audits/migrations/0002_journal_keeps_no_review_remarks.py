"""The lead auditor's remarks stay between the auditors (SPEC §7): they were also written as the
reason of the dossier's journal row, which the structure reads. They stay in the review (Revue);
the journal row keeps only that the report went back."""

from django.db import migrations


def forget_remarks(apps, schema_editor):
    DossierTransition = apps.get_model("campagnes", "DossierTransition")
    DossierTransition.objects.filter(action="return_audit_report").update(reason="")


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0001_initial"),
        ("campagnes", "0004_journal"),
    ]

    operations = [migrations.RunPython(forget_remarks, migrations.RunPython.noop)]
