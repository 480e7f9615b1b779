"""A person's own data, as the JSON file of "Mes données" (right of access and portability).

One query per section, whatever the volume: the profile, memberships and roles, second-factor
devices (their kind and dates, never a secret), sessions, then what the person wrote or decided
in the application — saves of the self-assessment, evidence, plan actions, answers to audit
gaps, findings and reviews (auditors), their own votes and recusals (commission members),
decisions, workflow steps — and their notifications. Other people's data is left out: the
votes of the other members, the addresses the person invited, the content of the dossiers
beyond what they wrote.
"""

from __future__ import annotations

import json
from typing import Any

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

FORMAT = "labelml-donnees-personnelles/1"


def _rows(queryset: Any, **fields: str) -> list[dict[str, Any]]:
    """`fields` maps an output key to a lookup path; one query."""
    return [
        {key: row[path] for key, path in fields.items()}
        for row in queryset.values(*fields.values())
    ]


def _profile(user: Any) -> dict[str, Any]:
    return {
        "id": user.pk,
        "email": user.email,
        "prenom": user.first_name,
        "nom": user.last_name,
        "date_creation": user.date_joined,
        "derniere_connexion": user.last_login,
        "actif": user.is_active,
    }


def _sessions(user: Any) -> list[dict[str, Any]]:
    if not apps.is_installed("allauth.usersessions"):
        return []
    from allauth.usersessions.models import UserSession

    return _rows(
        UserSession.objects.filter(user_id=user.pk).order_by("-last_seen_at"),
        adresse_ip="ip",
        navigateur="user_agent",
        ouverte_le="created_at",
        derniere_activite="last_seen_at",
    )


def personal_data(user: Any) -> dict[str, Any]:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    from audits.commission.models import Decision, LabelEvenement, Recusation, Vote
    from audits.models import Audit, Constat, ReponseEcart, Revue
    from audits.suivis.models import PointSuivi, SuiviTransition
    from campagnes.autoevaluations.models import Preuve, Saisie
    from campagnes.models import DossierTransition
    from campagnes.plans.models import Action
    from labelml.documents.models import Document
    from labelml.notifications.models import Notification
    from labelml.pilotage.models import Export
    from labelml.structures.models import Auditeur, Invitation, Membership, MembreCommission

    uid = user.pk
    return {
        "format": FORMAT,
        "genere_le": timezone.now(),
        "profil": _profile(user),
        "adresses_email": _rows(
            EmailAddress.objects.filter(user_id=uid).order_by("pk"),
            email="email",
            verifiee="verified",
            principale="primary",
        ),
        "adhesions": _rows(
            Membership.objects.filter(user_id=uid).order_by("created_at", "pk"),
            structure_id="structure_id",
            structure_code="structure__code",
            structure="structure__nom",
            role="role",
            depuis="created_at",
        ),
        "invitations_recues": _rows(
            Invitation.objects.filter(email__iexact=user.email).order_by("created_at", "pk"),
            structure="structure__nom",
            role="role",
            envoyee_le="created_at",
            acceptee_le="accepted_at",
            annulee_le="revoked_at",
        ),
        "auditeur": _rows(
            Auditeur.objects.filter(user_id=uid),
            organisme="organisme__nom",
            auditeur_referent="est_referent",
            certifie_jusqu_au="certifie_jusqu_au",
        ),
        "membre_commission": _rows(
            MembreCommission.objects.filter(user_id=uid), college="college", actif="actif"
        ),
        "double_authentification": _rows(
            Authenticator.objects.filter(user_id=uid).order_by("pk"),
            type="type",
            active_le="created_at",
            derniere_utilisation="last_used_at",
        ),
        "sessions": _sessions(user),
        "saisies_autoevaluation": _rows(
            Saisie.objects.filter(user_id=uid).order_by("at", "pk"),
            dossier="autoevaluation__dossier_id",
            element="reponse__element__code",
            critere="synthese__critere__code",
            champ="champ",
            valeur="valeur",
            version="version",
            le="at",
        ),
        "preuves_ajoutees": _rows(
            Preuve.objects.filter(ajoute_par_id=uid).order_by("ajoute_le", "pk"),
            dossier="dossier_id",
            critere="critere__code",
            titre="titre",
            fichier="nom_original",
            ajoutee_le="ajoute_le",
        ),
        "actions_creees": _rows(
            Action.objects.filter(created_by_id=uid).order_by("created_at", "pk"),
            dossier="plan__dossier_id",
            titre="titre",
            description="description",
            statut="statut",
            avancement="avancement",
            creee_le="created_at",
        ),
        "actions_confiees": _rows(
            Action.objects.filter(responsable_id=uid).order_by("created_at", "pk"),
            dossier="plan__dossier_id",
            titre="titre",
            echeance="echeance",
            statut="statut",
        ),
        "reponses_aux_ecarts": _rows(
            ReponseEcart.objects.filter(auteur_id=uid).order_by("pk"),
            dossier="constat__audit__dossier_id",
            critere="constat__critere__code",
            action_corrective="action_corrective",
            preuves="preuves",
            envoyee_le="envoye_le",
        ),
        "rapports_d_audit": _rows(
            Audit.objects.filter(auditeur__user_id=uid).order_by("pk"),
            dossier="dossier_id",
            statut="statut",
            points_forts="points_forts",
            progres="progres",
            avis_global="avis_global",
            recommandation="recommandation",
        ),
        "constats": _rows(
            Constat.objects.filter(audit__auditeur__user_id=uid).order_by("audit_id", "pk"),
            dossier="audit__dossier_id",
            critere="critere__code",
            niveau="niveau__code",
            observation="observation",
            preuves_examinees="preuves_examinees",
            modifie_le="updated_at",
        ),
        "revues_de_rapports": _rows(
            Revue.objects.filter(par_id=uid).order_by("le", "pk"),
            dossier="audit__dossier_id",
            decision="decision",
            remarques="remarques",
            le="le",
        ),
        "constats_de_suivi": _rows(
            PointSuivi.objects.filter(suivi__auditeur__user_id=uid).order_by("suivi_id", "pk"),
            suivi="suivi_id",
            critere="critere__code",
            avis="avis",
            commentaire="commentaire",
        ),
        # Only the person's own votes: the others' stay secret.
        "votes": _rows(
            Vote.objects.filter(membre__user_id=uid).order_by("pk"),
            seance="point__seance_id",
            seance_du="point__seance__date",
            dossier="point__dossier_id",
            choix="choix",
            modifie_le="updated_at",
        ),
        "recusations": _rows(
            Recusation.objects.filter(membre__user_id=uid).order_by("pk"),
            seance="point__seance_id",
            dossier="point__dossier_id",
            automatique="automatique",
            motif="motif",
            le="created_at",
        ),
        "decisions_enregistrees": _rows(
            Decision.objects.filter(decide_par_id=uid).order_by("pk"),
            dossier="dossier_id",
            resultat="resultat",
            motivation="motivation",
            le="decide_le",
        ),
        "etapes_des_dossiers": _rows(
            DossierTransition.objects.filter(actor_id=uid).order_by("at", "pk"),
            dossier="dossier_id",
            action="action",
            de="from_etat",
            vers="to_etat",
            motif="reason",
            le="at",
        ),
        "etapes_des_suivis": _rows(
            SuiviTransition.objects.filter(actor_id=uid).order_by("at", "pk"),
            suivi="suivi_id",
            action="action",
            de="from_statut",
            vers="to_statut",
            motif="reason",
            le="at",
        ),
        "evenements_de_labels": _rows(
            LabelEvenement.objects.filter(actor_id=uid).order_by("at", "pk"),
            label="label__numero",
            action="action",
            motivation="motivation",
            le="at",
        ),
        "rapports_demandes": _rows(
            Document.objects.filter(requested_by_id=uid).order_by("created_at", "pk"),
            dossier="dossier_id",
            type="kind",
            statut="status",
            demande_le="created_at",
        ),
        "exports_demandes": _rows(
            Export.objects.filter(requested_by_id=uid).order_by("created_at", "pk"),
            donnees="dataset",
            fichier="filename",
            demande_le="created_at",
        ),
        "notifications": _rows(
            Notification.objects.filter(destinataire_id=uid).order_by("created_at", "pk"),
            titre="titre",
            message="message",
            dossier="dossier_id",
            recue_le="created_at",
            lue_le="lu_le",
        ),
    }


def personal_data_json(user: Any) -> bytes:
    return json.dumps(
        personal_data(user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
    ).encode("utf-8")
