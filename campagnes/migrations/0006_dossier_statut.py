from django.db import migrations, models


class Migration(migrations.Migration):
    """One word per concept: the dossier's state is its `statut`, like every other object's.
    (The index is rebuilt: RenameField leaves the index's fields under the old name in the
    migration state, so RenameIndex would not satisfy the autodetector; the table is small.)"""

    dependencies = [
        ("campagnes", "0005_campagne_bornes"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="dossier", name="campagnes_d_etat_4340eb_idx"),
        migrations.RenameField(model_name="dossier", old_name="etat", new_name="statut"),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(fields=["statut"], name="campagnes_d_statut_5fb371_idx"),
        ),
    ]
