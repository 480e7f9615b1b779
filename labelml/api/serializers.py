"""What the API answers and accepts. Output serializers read rows the views fetched with their
relations (select_related/prefetch), never one query per row."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from campagnes.models import Dossier
from campagnes.plans.models import Action
from labelml.structures.models import Region, Structure


class StructureCourteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    nom = serializers.CharField()
    region = serializers.CharField()


class StructureSerializer(StructureCourteSerializer):
    type = serializers.ChoiceField(choices=Structure.Type.choices)
    region_libelle = serializers.CharField(source="get_region_display")
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    ville = serializers.CharField()
    actif = serializers.BooleanField()


class ReferentielSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    version = serializers.IntegerField()
    titre = serializers.CharField()
    statut = serializers.CharField()
    cible = serializers.CharField()
    date_validation = serializers.DateField(allow_null=True)


class NiveauSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    libelle = serializers.CharField()
    valeur = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    justification_obligatoire = serializers.BooleanField()


class ElementArbreSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    texte = serializers.CharField()
    sans_objet_autorise = serializers.BooleanField()
    sous_elements = serializers.ListField(child=serializers.CharField())


class CritereArbreSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    titre = serializers.CharField()
    elements = ElementArbreSerializer(many=True)


class SectionArbreSerializer(serializers.Serializer):
    code = serializers.CharField()
    titre = serializers.CharField()
    parent = serializers.CharField(allow_null=True, help_text="Code de la section parente.")
    criteres = CritereArbreSerializer(many=True)


class ReferentielArbreSerializer(ReferentielSerializer):
    echelle_autoevaluation = NiveauSerializer(many=True)
    echelle_audit = NiveauSerializer(many=True)
    sections = SectionArbreSerializer(many=True)


class CampagneSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    nom = serializers.CharField()
    referentiel = serializers.IntegerField(source="referentiel_id")
    date_ouverture = serializers.DateField()
    date_cloture_autoevaluation = serializers.DateField()
    validite_label_annees = serializers.IntegerField()


class DossierSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    campagne = serializers.IntegerField(source="campagne_id")
    structure = StructureCourteSerializer()
    statut = serializers.ChoiceField(choices=Dossier.Statut.choices)
    statut_libelle = serializers.CharField(source="get_statut_display")
    renouvellement_de = serializers.IntegerField(source="renouvellement_de_id", allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ProgressionSerializer(serializers.Serializer):
    elements = serializers.IntegerField()
    elements_notes = serializers.IntegerField()
    pourcentage = serializers.IntegerField()
    syntheses_redigees = serializers.IntegerField()
    criteres = serializers.IntegerField()
    a_confirmer = serializers.IntegerField()


class ScorePartieSerializer(serializers.Serializer):
    code = serializers.CharField()
    titre = serializers.CharField()
    parent = serializers.CharField(allow_null=True)
    pourcentage = serializers.IntegerField(help_text="Part des éléments notés.")
    score = serializers.DecimalField(
        max_digits=6, decimal_places=2, allow_null=True, help_text="Moyenne des critères notés."
    )


class EtapeSerializer(serializers.Serializer):
    action = serializers.CharField()
    de = serializers.CharField(allow_blank=True)
    vers = serializers.CharField(allow_blank=True)
    motif = serializers.CharField(allow_blank=True)
    le = serializers.DateTimeField()


class DossierDetailSerializer(DossierSerializer):
    progression = ProgressionSerializer()
    scores = ScorePartieSerializer(many=True)
    parcours = EtapeSerializer(many=True)


class ReponseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    element = serializers.IntegerField(source="element_id")
    element_code = serializers.CharField(source="element.code")
    critere = serializers.IntegerField(source="element.critere_id")
    niveau = serializers.IntegerField(source="niveau_id", allow_null=True)
    justification = serializers.CharField(allow_blank=True)
    a_confirmer = serializers.BooleanField()
    version = serializers.IntegerField()
    updated_at = serializers.DateTimeField(allow_null=True)


class ReponseEcritureSerializer(serializers.Serializer):
    niveau = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="Un niveau de l'échelle d'auto-évaluation.",
    )
    justification = serializers.CharField(required=False, allow_blank=True, max_length=10_000)


class SyntheseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    critere = serializers.IntegerField(source="critere_id")
    critere_code = serializers.CharField(source="critere.code")
    synthese = serializers.CharField(allow_blank=True)
    points_forts = serializers.CharField(allow_blank=True)
    axes_amelioration = serializers.CharField(allow_blank=True)
    contributeur = serializers.IntegerField(source="contributeur_id", allow_null=True)
    a_confirmer = serializers.BooleanField()
    version = serializers.IntegerField()
    updated_at = serializers.DateTimeField(allow_null=True)


class SyntheseEcritureSerializer(serializers.Serializer):
    synthese = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    points_forts = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    axes_amelioration = serializers.CharField(required=False, allow_blank=True, max_length=10_000)


class ActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    titre = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    criteres = serializers.SerializerMethodField()
    element_source = serializers.IntegerField(source="element_source_id", allow_null=True)
    responsable = serializers.IntegerField(source="responsable_id", allow_null=True)
    echeance = serializers.DateField(allow_null=True)
    priorite = serializers.ChoiceField(choices=Action.Priorite.choices)
    statut = serializers.ChoiceField(choices=Action.Statut.choices)
    avancement = serializers.IntegerField()
    origine = serializers.ChoiceField(choices=Action.Origine.choices)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_criteres(self, obj: Action) -> list[int]:
        return [c.pk for c in obj.criteres.all()]


class ActionEcritureSerializer(serializers.Serializer):
    titre = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    criteres = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        min_length=1,
        max_length=100,
        help_text="Identifiants des critères du référentiel de la campagne.",
    )
    element_source = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    responsable = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="Un membre de la structure."
    )
    echeance = serializers.DateField(required=False, allow_null=True)
    priorite = serializers.ChoiceField(choices=Action.Priorite.choices, required=False)
    statut = serializers.ChoiceField(choices=Action.Statut.choices, required=False)
    avancement = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=100
    )


class ActionModificationSerializer(ActionEcritureSerializer):
    titre = serializers.CharField(max_length=200, required=False)
    criteres = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=100, required=False
    )


class ReponseEcartSerializer(serializers.Serializer):
    action_corrective = serializers.CharField()
    preuves = serializers.CharField(allow_blank=True)
    action_plan = serializers.IntegerField(source="action_plan_id", allow_null=True)
    envoye_le = serializers.DateTimeField(allow_null=True)


class ConstatSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    critere = serializers.IntegerField(source="critere_id")
    critere_code = serializers.CharField(source="critere.code")
    niveau = serializers.IntegerField(source="niveau_id", allow_null=True)
    niveau_code = serializers.CharField(source="niveau.code", allow_null=True, default=None)
    observation = serializers.CharField(allow_blank=True)
    preuves_examinees = serializers.CharField(allow_blank=True)
    reponse_ecart = serializers.SerializerMethodField()

    @extend_schema_field(ReponseEcartSerializer(allow_null=True))
    def get_reponse_ecart(self, obj: Any) -> dict[str, Any] | None:
        reponse = getattr(obj, "reponse_ecart", None)
        return ReponseEcartSerializer(reponse).data if reponse is not None else None


class AuditSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    dossier = serializers.IntegerField(source="dossier_id")
    organisme = serializers.CharField(source="organisme.nom")
    statut = serializers.CharField()
    statut_libelle = serializers.CharField(source="get_statut_display")
    date_debut = serializers.DateField()
    date_fin = serializers.DateField()
    points_forts = serializers.CharField(allow_blank=True)
    progres = serializers.CharField(allow_blank=True)
    avis_global = serializers.CharField(allow_blank=True)
    recommandation = serializers.CharField(allow_blank=True)
    valide_le = serializers.DateTimeField(allow_null=True)
    constats = ConstatSerializer(many=True)


class LabelSerializer(serializers.Serializer):
    numero = serializers.CharField()
    structure = StructureCourteSerializer()
    dossier = serializers.IntegerField(source="decision.dossier_id")
    date_debut = serializers.DateField()
    date_fin = serializers.DateField()
    statut = serializers.CharField(help_text="valide, suspendu ou retire")
    statut_du_jour = serializers.CharField(help_text="valide, a_venir, expire, suspendu ou retire")
    reserves = serializers.CharField(allow_blank=True)


class LabelCourtSerializer(serializers.Serializer):
    numero = serializers.CharField()
    date_debut = serializers.DateField()
    date_fin = serializers.DateField()
    statut = serializers.CharField()


class DecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    dossier = serializers.IntegerField(source="dossier_id")
    resultat = serializers.CharField()
    resultat_libelle = serializers.CharField(source="get_resultat_display")
    motivation = serializers.CharField()
    decide_le = serializers.DateTimeField()
    label = serializers.SerializerMethodField()

    @extend_schema_field(LabelCourtSerializer(allow_null=True))
    def get_label(self, obj: Any) -> dict[str, Any] | None:
        label = getattr(obj, "label", None)
        return LabelCourtSerializer(label).data if label is not None else None


class FiltresSerializer(serializers.Serializer):
    """Filters of the list endpoints (query string)."""

    campagne = serializers.IntegerField(required=False, min_value=1)
    region = serializers.ChoiceField(choices=Region.choices, required=False)
    statut = serializers.ChoiceField(choices=Dossier.Statut.choices, required=False)


class RegionFiltreSerializer(serializers.Serializer):
    region = serializers.ChoiceField(choices=Region.choices, required=False)


class PilotageFiltresSerializer(serializers.Serializer):
    campagne = serializers.IntegerField(required=False, min_value=1)
    region = serializers.ChoiceField(choices=Region.choices, required=False)


class PilotageSerializer(serializers.Serializer):
    perimetre = serializers.CharField()
    campagne = serializers.IntegerField(allow_null=True)
    region = serializers.CharField(allow_null=True)
    dossiers = serializers.IntegerField()
    labels_a_echeance = serializers.IntegerField()
    graphiques = serializers.DictField(help_text="Les séries du tableau de bord /pilotage/.")
