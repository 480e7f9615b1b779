"""The label's events move into the dossier's journal (campagnes.DossierTransition, subject
"label"): the dossier is the label's decision's, the motivation becomes the reason."""

from django.db import migrations

FORWARD = """
INSERT INTO "campagnes_dossiertransition"
    ("dossier_id", "subject", "subject_id", "action", "from_state", "to_state", "actor_id",
     "reason", "at")
SELECT d."dossier_id", 'label', e."label_id", e."action", e."from_statut", e."to_statut",
    e."actor_id", e."motivation", e."at"
FROM "commission_labelevenement" e
JOIN "commission_label" l ON l."id" = e."label_id"
JOIN "commission_decision" d ON d."id" = l."decision_id"
ORDER BY e."at", e."id"
"""

BACKWARD = (
    """
INSERT INTO "commission_labelevenement"
    ("label_id", "action", "from_statut", "to_statut", "actor_id", "motivation", "at")
SELECT "subject_id", "action", "from_state", "to_state", "actor_id", "reason", "at"
FROM "campagnes_dossiertransition" WHERE "subject" = 'label'
ORDER BY "at", "id"
""",
    """DELETE FROM "campagnes_dossiertransition" WHERE "subject" = 'label'""",
)


class Migration(migrations.Migration):
    dependencies = [
        ("campagnes", "0004_journal"),
        ("commission", "0003_labelevenement"),
    ]

    operations = [
        migrations.RunSQL(FORWARD, BACKWARD),
        migrations.DeleteModel(name="LabelEvenement"),
    ]
