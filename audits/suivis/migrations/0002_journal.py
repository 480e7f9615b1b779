"""The follow-up audits' steps move into the dossier's journal (campagnes.DossierTransition,
subject "suivi"): the dossier is the follow-up's (its label's decision's, set so when the
follow-up is scheduled), the statuses become the states."""

from django.db import migrations

FORWARD = """
INSERT INTO "campagnes_dossiertransition"
    ("dossier_id", "subject", "subject_id", "action", "from_state", "to_state", "actor_id",
     "reason", "at")
SELECT s."dossier_id", 'suivi', t."suivi_id", t."action", t."from_statut", t."to_statut",
    t."actor_id", t."reason", t."at"
FROM "suivis_suivitransition" t
JOIN "suivis_auditsuivi" s ON s."id" = t."suivi_id"
ORDER BY t."at", t."id"
"""

BACKWARD = (
    """
INSERT INTO "suivis_suivitransition"
    ("suivi_id", "action", "from_statut", "to_statut", "actor_id", "reason", "at")
SELECT "subject_id", "action", "from_state", "to_state", "actor_id", "reason", "at"
FROM "campagnes_dossiertransition" WHERE "subject" = 'suivi'
ORDER BY "at", "id"
""",
    """DELETE FROM "campagnes_dossiertransition" WHERE "subject" = 'suivi'""",
)


class Migration(migrations.Migration):
    dependencies = [
        ("campagnes", "0004_journal"),
        ("suivis", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(FORWARD, BACKWARD),
        migrations.DeleteModel(name="SuiviTransition"),
    ]
