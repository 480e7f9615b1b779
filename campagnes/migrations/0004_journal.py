"""One journal for every workflow of a dossier (its own, its label's, its follow-ups'): the
subject and its row, one vocabulary for the states (from_state, to_state). The rows already here
are the dossiers' own. The labels' and follow-ups' rows come from their apps' migrations
(commission 0004, suivis 0002), which depend on this one."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("campagnes", "0003_dossier_renouvellement_de"),
    ]

    operations = [
        migrations.RenameField("dossiertransition", "from_etat", "from_state"),
        migrations.RenameField("dossiertransition", "to_etat", "to_state"),
        migrations.AddField(
            model_name="dossiertransition",
            name="subject",
            field=models.CharField(
                choices=[("dossier", "Dossier"), ("suivi", "Audit de suivi"), ("label", "Label")],
                default="dossier",
                max_length=10,
                verbose_name="objet",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="dossiertransition",
            name="subject_id",
            field=models.PositiveBigIntegerField(default=0, verbose_name="n° de l'objet"),
            preserve_default=False,
        ),
        migrations.AddIndex(
            model_name="dossiertransition",
            index=models.Index(
                fields=["subject", "subject_id"], name="campagnes_d_subject_d32ed2_idx"
            ),
        ),
        # After every change of the table's shape: on PostgreSQL, no ALTER TABLE after an
        # UPDATE in the same transaction.
        migrations.RunSQL(
            'UPDATE "campagnes_dossiertransition" SET "subject_id" = "dossier_id"',
            migrations.RunSQL.noop,
        ),
    ]
