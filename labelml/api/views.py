"""The REST API, version 1 (/api/v1/). Every read goes through the apps' scoped selectors
(outside the caller's scope: 404, as on the pages), every write through their services (a
forbidden action: 403; the journal row is the token owner's). See docs/api.md."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from audits.commission.models import Decision, Label
from audits.commission.selectors import labels_for
from audits.models import Audit, Constat
from audits.selectors import audit_for_dossier
from campagnes.autoevaluations.models import Reponse, SyntheseCritere
from campagnes.autoevaluations.selectors import dossier_progress
from campagnes.autoevaluations.services import (
    ensure_can_edit,
    save_reponse_field,
    save_synthese_field,
)
from campagnes.models import Campagne, Dossier
from campagnes.plans.models import Action
from campagnes.plans.selectors import actions_qs, get_action
from campagnes.plans.services import ActionConflict, action_version, create_action, update_action
from campagnes.selectors import dossier_capabilities, dossiers_for_user, get_dossier_for_user
from campagnes.workflow import log_step
from labelml.accounts.models import User
from labelml.pilotage import selectors as pilotage
from labelml.pilotage.scope import parse_filters, scope_for_user
from labelml.pilotage.views import chart_data
from labelml.structures.roles import Capability
from labelml.structures.selectors import (
    get_structure_for_user,
    is_national_admin,
    structures_for_user,
)
from referentiel.models import Critere, Element, Niveau, Referentiel
from referentiel.selectors import referentiel_tree, referentiels_for_user

from . import serializers as s
from .errors import PROBLEM_TYPE, PreconditionFailed, PreconditionRequired
from .schema import ProblemSerializer

# The journal's action for a write made through the API (its reason says what and which token).
JOURNAL_ACTION = "api_ecriture"

PROBLEMS = {
    (code, PROBLEM_TYPE): OpenApiResponse(ProblemSerializer, description=text)
    for code, text in (
        (400, "Requête invalide"),
        (401, "Jeton absent, inconnu, révoqué ou expiré"),
        (403, "Action interdite à ce rôle ou à ce jeton"),
        (404, "Introuvable ou hors de votre périmètre"),
        (429, "Trop de requêtes (voir Retry-After)"),
    )
}
WRITE_PROBLEMS = {
    **PROBLEMS,
    (412, PROBLEM_TYPE): OpenApiResponse(
        ProblemSerializer, description="Version périmée : rien n'a changé"
    ),
    (428, PROBLEM_TYPE): OpenApiResponse(
        ProblemSerializer, description="En-tête If-Match manquant"
    ),
}
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="L'ETag de la ressource lue (la version modifiée).",
)


def _user(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _filters(serializer_class: type, request: Request) -> dict[str, Any]:
    filters = serializer_class(data=request.query_params)
    filters.is_valid(raise_exception=True)
    return dict(filters.validated_data)


class ListView(ListAPIView):
    """A paginated list (cursor) of the caller's rows."""


# --- référentiels -------------------------------------------------------------------------------


@extend_schema(
    tags=["référentiels"], responses={200: s.ReferentielSerializer(many=True), **PROBLEMS}
)
class ReferentielList(ListView):
    serializer_class = s.ReferentielSerializer

    def get_queryset(self) -> QuerySet[Referentiel]:
        return referentiels_for_user(self.request.user).defer("preambule", "valeurs", "principes")


def _niveaux(echelle_id: int | None, by_echelle: dict[int, list[Niveau]]) -> list[Niveau]:
    return by_echelle.get(echelle_id, []) if echelle_id else []


@extend_schema(tags=["référentiels"], responses={200: s.ReferentielArbreSerializer, **PROBLEMS})
class ReferentielDetail(GenericAPIView):
    """The whole tree of a référentiel: sections, criteria, elements, and its two scales."""

    serializer_class = s.ReferentielArbreSerializer

    def get(self, request: Request, pk: int) -> Response:
        ref = referentiels_for_user(request.user).filter(pk=pk).first()
        if ref is None:
            raise Http404("Référentiel introuvable.")
        by_echelle: dict[int, list[Niveau]] = {}
        for niveau in Niveau.objects.filter(echelle__referentiel=ref).order_by("ordre"):
            by_echelle.setdefault(niveau.echelle_id, []).append(niveau)
        sections: list[dict[str, Any]] = []

        def walk(nodes: list[Any], parent: str | None) -> None:
            for node in nodes:
                sections.append(
                    {
                        "code": node.section.code,
                        "titre": node.section.titre,
                        "parent": parent,
                        "criteres": [
                            {
                                "id": c.pk,
                                "code": c.code,
                                "titre": c.titre,
                                "elements": [
                                    {
                                        "id": e.pk,
                                        "code": e.code,
                                        "texte": e.texte,
                                        "sans_objet_autorise": e.sans_objet_autorise,
                                        "sous_elements": [x.texte for x in e.sous_elements.all()],
                                    }
                                    for e in c.elements.all()
                                ],
                            }
                            for c in node.criteres
                        ],
                    }
                )
                walk(node.children, node.section.code)

        walk(referentiel_tree(ref), None)
        data = s.ReferentielSerializer(ref).data
        data["echelle_autoevaluation"] = s.NiveauSerializer(
            _niveaux(ref.echelle_autoevaluation_id, by_echelle), many=True
        ).data
        data["echelle_audit"] = s.NiveauSerializer(
            _niveaux(ref.echelle_audit_id, by_echelle), many=True
        ).data
        data["sections"] = sections
        return Response(data)


# --- structures and campaigns -----------------------------------------------------------------


@extend_schema(
    tags=["structures"],
    parameters=[s.RegionFiltreSerializer],
    responses={200: s.StructureSerializer(many=True), **PROBLEMS},
)
class StructureList(ListView):
    serializer_class = s.StructureSerializer

    def get_queryset(self) -> QuerySet[Any]:
        qs = structures_for_user(self.request.user)
        region = _filters(s.RegionFiltreSerializer, self.request).get("region")
        return qs.filter(region=region) if region else qs


@extend_schema(tags=["structures"], responses={200: s.StructureSerializer, **PROBLEMS})
class StructureDetail(GenericAPIView):
    serializer_class = s.StructureSerializer

    def get(self, request: Request, pk: int) -> Response:
        return Response(s.StructureSerializer(get_structure_for_user(request.user, pk)).data)


def _campagnes(user: Any) -> QuerySet[Campagne]:
    """National administrators: every campaign; the others, the campaigns of their dossiers."""
    if is_national_admin(user):
        return Campagne.objects.all()
    return Campagne.objects.filter(pk__in=dossiers_for_user(user).values("campagne_id"))


@extend_schema(tags=["campagnes"], responses={200: s.CampagneSerializer(many=True), **PROBLEMS})
class CampagneList(ListView):
    serializer_class = s.CampagneSerializer

    def get_queryset(self) -> QuerySet[Campagne]:
        return _campagnes(self.request.user)


@extend_schema(tags=["campagnes"], responses={200: s.CampagneSerializer, **PROBLEMS})
class CampagneDetail(GenericAPIView):
    serializer_class = s.CampagneSerializer

    def get(self, request: Request, pk: int) -> Response:
        campagne = _campagnes(request.user).filter(pk=pk).first()
        if campagne is None:
            raise Http404("Campagne introuvable.")
        return Response(s.CampagneSerializer(campagne).data)


# --- dossiers -----------------------------------------------------------------------------------


@extend_schema(
    tags=["dossiers"],
    parameters=[s.FiltresSerializer],
    responses={200: s.DossierSerializer(many=True), **PROBLEMS},
)
class DossierList(ListView):
    serializer_class = s.DossierSerializer

    def get_queryset(self) -> QuerySet[Dossier]:
        filters = _filters(s.FiltresSerializer, self.request)
        qs = dossiers_for_user(self.request.user)
        if "campagne" in filters:
            qs = qs.filter(campagne_id=filters["campagne"])
        if "region" in filters:
            qs = qs.filter(structure__region=filters["region"])
        if "statut" in filters:
            qs = qs.filter(statut=filters["statut"])
        return qs


def _scores(progress: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def walk(nodes: list[Any], parent: str | None) -> None:
        for node in nodes:
            out.append(
                {
                    "code": node.section.code,
                    "titre": node.section.titre,
                    "parent": parent,
                    "pourcentage": node.percent,
                    "score": node.score,
                }
            )
            walk(node.children, node.section.code)

    walk(progress.sections, None)
    return out


@extend_schema(tags=["dossiers"], responses={200: s.DossierDetailSerializer, **PROBLEMS})
class DossierDetail(GenericAPIView):
    """A dossier: its state, its path so far (the journal of its own steps), the
    self-assessment's progress and its scores by part of the référentiel."""

    serializer_class = s.DossierDetailSerializer

    def get(self, request: Request, pk: int) -> Response:
        dossier = get_dossier_for_user(request.user, pk)
        progress = dossier_progress(dossier)
        data = s.DossierSerializer(dossier).data
        data["progression"] = s.ProgressionSerializer(
            {
                "elements": progress.total,
                "elements_notes": progress.rated,
                "pourcentage": progress.percent,
                "syntheses_redigees": progress.syntheses_done,
                "criteres": len(progress.criteres),
                "a_confirmer": progress.a_confirmer,
            }
        ).data
        data["scores"] = s.ScorePartieSerializer(_scores(progress), many=True).data
        data["parcours"] = s.EtapeSerializer(
            [
                {
                    "action": t.action,
                    "de": t.from_state,
                    "vers": t.to_state,
                    "motif": t.reason,
                    "le": t.at,
                }
                for t in dossier.journal.order_by("at", "pk")
            ],
            many=True,
        ).data
        return Response(data)


# --- versions (ETag / If-Match) -------------------------------------------------------------------


def etag(version: Any) -> str:
    return f'"{version}"'


def if_match(request: Request) -> str:
    """The version the client read (If-Match), without quotes or weak marker; 428 without it."""
    raw = request.headers.get("If-Match", "").strip()
    if not raw:
        raise PreconditionRequired
    if raw.startswith("W/"):
        raw = raw[2:]
    return raw.strip('"')


def _with_etag(data: Any, tag: str, code: int = status.HTTP_200_OK) -> Response:
    response = Response(data, status=code)
    response["ETag"] = tag
    return response


def _journal(dossier: Dossier, user: User, request: Request, what: str) -> None:
    nom = getattr(request.auth, "nom", "")
    log_step(dossier, user, JOURNAL_ACTION, f"{what} — via l'API (jeton « {nom} »)")


# --- self-assessment ------------------------------------------------------------------------------


def _reponses(dossier: Dossier) -> QuerySet[Reponse]:
    return Reponse.objects.filter(autoevaluation__dossier=dossier).select_related("element")


@extend_schema(
    tags=["auto-évaluation"], responses={200: s.ReponseSerializer(many=True), **PROBLEMS}
)
class ReponseList(ListView):
    serializer_class = s.ReponseSerializer

    def get_queryset(self) -> QuerySet[Reponse]:
        return _reponses(get_dossier_for_user(self.request.user, self.kwargs["pk"]))


class _VersionedDetail(GenericAPIView):
    fields: tuple[str, ...] = ()

    def _row(self, dossier: Dossier, row_pk: int) -> Any:
        raise NotImplementedError

    def get(self, request: Request, pk: int, row_pk: int) -> Response:
        dossier = get_dossier_for_user(request.user, pk)
        row = self._row(dossier, row_pk)
        return _with_etag(self.get_serializer(row).data, etag(row.version))


@extend_schema(tags=["auto-évaluation"])
class ReponseDetail(_VersionedDetail):
    """An element's answer. PATCH with `If-Match` (its ETag): 412 if somebody saved it since."""

    serializer_class = s.ReponseSerializer
    fields = ("niveau", "justification")

    def _row(self, dossier: Dossier, row_pk: int) -> Reponse:
        reponse = _reponses(dossier).select_related("autoevaluation").filter(pk=row_pk).first()
        if reponse is None:
            raise Http404("Réponse introuvable.")
        reponse.autoevaluation.dossier = dossier
        return reponse

    @extend_schema(responses={200: s.ReponseSerializer, **PROBLEMS})
    def get(self, request: Request, pk: int, row_pk: int) -> Response:
        return super().get(request, pk, row_pk)

    @extend_schema(
        request=s.ReponseEcritureSerializer,
        parameters=[IF_MATCH],
        responses={200: s.ReponseSerializer, **WRITE_PROBLEMS},
    )
    def patch(self, request: Request, pk: int, row_pk: int) -> Response:
        user = _user(request)
        dossier = get_dossier_for_user(user, pk)
        reponse = self._row(dossier, row_pk)
        synthese = SyntheseCritere.objects.filter(
            autoevaluation_id=reponse.autoevaluation_id, critere_id=reponse.element.critere_id
        ).first()
        ensure_can_edit(user, dossier, synthese)  # 403 before anything else
        body = s.ReponseEcritureSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = {k: ("" if v is None else str(v)) for k, v in body.validated_data.items()}
        return _save_fields(
            request,
            dossier,
            reponse,
            values,
            self.fields,
            save_reponse_field,
            "reponse",
            f"réponse à l'élément {reponse.element.code}",
        )


def _save_fields(
    request: Request,
    dossier: Dossier,
    row: Any,
    values: dict[str, str],
    order: tuple[str, ...],
    saver: Any,
    kwarg: str,
    what: str,
) -> Response:
    """Save the given fields in turn, each on the version the previous one produced, all or
    nothing: a stale If-Match, or a save by somebody else in between, answers 412 and leaves
    the row as it was (labelml.core.optimistic, through the self-assessment's services)."""
    user = _user(request)
    expected = if_match(request)
    if not values:
        from rest_framework.exceptions import ValidationError

        raise ValidationError({"detail": ["Indiquez au moins un champ à modifier."]})
    if expected != str(row.version):
        raise PreconditionFailed
    version = row.version
    with transaction.atomic():
        for champ in order:
            if champ not in values:
                continue
            result = saver(
                **{kwarg: row}, actor=user, champ=champ, valeur=values[champ], version=version
            )
            if not result.ok:
                raise PreconditionFailed  # rolls back the fields saved before it
            version = result.version
        if version != row.version:
            _journal(
                dossier, user, request, f"{what} ({', '.join(c for c in order if c in values)})"
            )
    fresh = type(row).objects.select_related(*_RELATED[type(row)]).get(pk=row.pk)
    serializer = s.ReponseSerializer if isinstance(row, Reponse) else s.SyntheseSerializer
    return _with_etag(serializer(fresh).data, etag(fresh.version))


_RELATED: dict[type, tuple[str, ...]] = {Reponse: ("element",), SyntheseCritere: ("critere",)}


def _syntheses(dossier: Dossier) -> QuerySet[SyntheseCritere]:
    return SyntheseCritere.objects.filter(autoevaluation__dossier=dossier).select_related("critere")


@extend_schema(
    tags=["auto-évaluation"], responses={200: s.SyntheseSerializer(many=True), **PROBLEMS}
)
class SyntheseList(ListView):
    serializer_class = s.SyntheseSerializer

    def get_queryset(self) -> QuerySet[SyntheseCritere]:
        return _syntheses(get_dossier_for_user(self.request.user, self.kwargs["pk"]))


@extend_schema(tags=["auto-évaluation"])
class SyntheseDetail(_VersionedDetail):
    """A criterion's synthesis. PATCH with `If-Match` (its ETag): 412 if somebody saved it
    since."""

    serializer_class = s.SyntheseSerializer
    fields = ("synthese", "points_forts", "axes_amelioration")

    def _row(self, dossier: Dossier, row_pk: int) -> SyntheseCritere:
        synthese = _syntheses(dossier).select_related("autoevaluation").filter(pk=row_pk).first()
        if synthese is None:
            raise Http404("Synthèse introuvable.")
        synthese.autoevaluation.dossier = dossier
        return synthese

    @extend_schema(responses={200: s.SyntheseSerializer, **PROBLEMS})
    def get(self, request: Request, pk: int, row_pk: int) -> Response:
        return super().get(request, pk, row_pk)

    @extend_schema(
        request=s.SyntheseEcritureSerializer,
        parameters=[IF_MATCH],
        responses={200: s.SyntheseSerializer, **WRITE_PROBLEMS},
    )
    def patch(self, request: Request, pk: int, row_pk: int) -> Response:
        user = _user(request)
        dossier = get_dossier_for_user(user, pk)
        synthese = self._row(dossier, row_pk)
        ensure_can_edit(user, dossier, synthese)
        body = s.SyntheseEcritureSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return _save_fields(
            request,
            dossier,
            synthese,
            dict(body.validated_data),
            self.fields,
            save_synthese_field,
            "synthese",
            f"synthèse du critère {synthese.critere.code}",
        )


# --- improvement plan ---------------------------------------------------------------------------


def action_etag(action: Action) -> str:
    return etag(hashlib.sha256(action_version(action).encode()).hexdigest()[:20])


def _action_fields(
    dossier: Dossier, data: dict[str, Any], current: Action | None
) -> dict[str, Any]:
    """The service's arguments from the validated body (a PATCH keeps what it does not give)."""
    out: dict[str, Any] = {}
    if current is not None:
        out = {
            "titre": current.titre,
            "description": current.description,
            "criteres": list(current.criteres.all()),
            "responsable": current.responsable,
            "echeance": current.echeance,
            "priorite": current.priorite,
            "statut": current.statut,
            "avancement": current.avancement,
            "element_source": current.element_source,
        }
    referentiel_id = dossier.campagne.referentiel_id
    for key, value in data.items():
        if key == "criteres":
            found = list(Critere.objects.filter(pk__in=value, referentiel_id=referentiel_id))
            if len(found) != len(set(value)):
                from rest_framework.exceptions import ValidationError

                raise ValidationError({"criteres": ["Critère inconnu dans ce référentiel."]})
            out["criteres"] = found
        elif key == "responsable":
            out[key] = User.objects.filter(pk=value).first() if value else None
            if value and out[key] is None:
                from rest_framework.exceptions import ValidationError

                raise ValidationError({"responsable": ["Personne inconnue."]})
        elif key == "element_source":
            out[key] = (
                Element.objects.filter(pk=value, referentiel_id=referentiel_id).first()
                if value
                else None
            )
            if value and out[key] is None:
                from rest_framework.exceptions import ValidationError

                raise ValidationError({"element_source": ["Élément inconnu dans ce référentiel."]})
        else:
            out[key] = value
    if current is not None and "avancement" not in data:
        # Let the service derive it again when only the status changes (like the form).
        out["avancement"] = None if "statut" in data else current.avancement
    return out


@extend_schema(tags=["plan d'amélioration"])
class ActionList(ListView):
    """The dossier's plan actions; POST adds one (rights and states as on the plan's page)."""

    serializer_class = s.ActionSerializer

    def get_queryset(self) -> QuerySet[Action]:
        dossier = get_dossier_for_user(self.request.user, self.kwargs["pk"])
        return actions_qs(dossier).order_by()

    @extend_schema(responses={200: s.ActionSerializer(many=True), **PROBLEMS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=s.ActionEcritureSerializer,
        responses={201: s.ActionSerializer, **PROBLEMS},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = _user(request)
        dossier = get_dossier_for_user(user, pk, Capability.EDIT_PLAN)
        body = s.ActionEcritureSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        fields = _action_fields(dossier, dict(body.validated_data), None)
        with transaction.atomic():
            action = create_action(actor=user, dossier=dossier, **fields)
            _journal(dossier, user, request, f"action du plan « {action.titre} » créée")
        action = get_action(dossier, action.pk)
        return _with_etag(s.ActionSerializer(action).data, action_etag(action), 201)


@extend_schema(tags=["plan d'amélioration"])
class ActionDetail(GenericAPIView):
    """A plan action. PATCH with `If-Match` (its ETag): 412 if somebody saved it since."""

    serializer_class = s.ActionSerializer

    @extend_schema(responses={200: s.ActionSerializer, **PROBLEMS})
    def get(self, request: Request, pk: int, row_pk: int) -> Response:
        action = get_action(get_dossier_for_user(request.user, pk), row_pk)
        return _with_etag(s.ActionSerializer(action).data, action_etag(action))

    @extend_schema(
        request=s.ActionModificationSerializer,
        parameters=[IF_MATCH],
        responses={200: s.ActionSerializer, **WRITE_PROBLEMS},
    )
    def patch(self, request: Request, pk: int, row_pk: int) -> Response:
        user = _user(request)
        dossier = get_dossier_for_user(user, pk, Capability.EDIT_PLAN)
        action = get_action(dossier, row_pk)
        expected = if_match(request)
        body = s.ActionModificationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if etag(expected) != action_etag(action):
            raise PreconditionFailed
        fields = _action_fields(dossier, dict(body.validated_data), action)
        try:
            with transaction.atomic():
                action = update_action(
                    actor=user,
                    dossier=dossier,
                    action=action,
                    expected_version=action_version(action),
                    **fields,
                )
                _journal(dossier, user, request, f"action du plan « {action.titre} » modifiée")
        except ActionConflict as exc:
            raise PreconditionFailed from exc
        action = get_action(dossier, action.pk)
        return _with_etag(s.ActionSerializer(action).data, action_etag(action))


# --- audit, decisions, labels ------------------------------------------------------------------


@extend_schema(tags=["évaluation externe"], responses={200: s.AuditSerializer, **PROBLEMS})
class AuditDetail(GenericAPIView):
    """The external audit and its findings, once the structure may see them (the report
    validated), or for the auditors and administrators at every step, as on the pages."""

    serializer_class = s.AuditSerializer

    def get(self, request: Request, pk: int) -> Response:
        dossier = get_dossier_for_user(request.user, pk)
        audit = audit_for_dossier(dossier)
        caps = dossier_capabilities(request.user, dossier)
        if audit is None or (
            audit.statut != Audit.Statut.VALIDE
            and not caps
            & {Capability.RECORD_FINDINGS, Capability.REVIEW_AUDIT, Capability.ADMINISTER}
        ):
            raise Http404("Le rapport d'évaluation externe n'est pas encore disponible.")
        constats = (
            Constat.objects.filter(audit=audit)
            .select_related("critere", "niveau", "reponse_ecart")
            .order_by("critere__ordre")
        )
        return Response(s.AuditSerializer(_AuditView(audit, list(constats))).data)


class _AuditView:
    """The audit with its findings as a list (what AuditSerializer reads)."""

    def __init__(self, audit: Audit, constats: list[Constat]) -> None:
        self._audit = audit
        self.constats = constats

    def __getattr__(self, name: str) -> Any:
        return getattr(self._audit, name)


@extend_schema(tags=["commission"], responses={200: s.DecisionSerializer(many=True), **PROBLEMS})
class DecisionList(ListView):
    serializer_class = s.DecisionSerializer

    def get_queryset(self) -> QuerySet[Decision]:
        dossier = get_dossier_for_user(self.request.user, self.kwargs["pk"])
        return Decision.objects.filter(dossier=dossier).select_related("label")


@extend_schema(
    tags=["commission"],
    parameters=[s.RegionFiltreSerializer],
    responses={200: s.LabelSerializer(many=True), **PROBLEMS},
)
class LabelList(ListView):
    serializer_class = s.LabelSerializer

    def get_queryset(self) -> QuerySet[Label]:
        qs = labels_for(self.request.user).select_related("structure", "decision")
        region = _filters(s.RegionFiltreSerializer, self.request).get("region")
        return qs.filter(structure__region=region) if region else qs

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        today = timezone.localdate()
        rows = args[0] if args else []
        for label in rows:
            label.statut_du_jour = label.statut_le(today)
        return super().get_serializer(*args, **kwargs)


# --- steering ------------------------------------------------------------------------------------


@extend_schema(
    tags=["pilotage"],
    parameters=[s.PilotageFiltresSerializer],
    responses={200: s.PilotageSerializer, **PROBLEMS},
)
class PilotageView(GenericAPIView):
    """The dashboard's figures (/pilotage/), for the UNML (every region) and the ARMLs (their
    region): the same selectors, the same filters (campagne: the latest by default)."""

    serializer_class = s.PilotageSerializer

    def get(self, request: Request) -> Response:
        scope = scope_for_user(request.user)  # 404 for anyone who steers nothing
        _filters(s.PilotageFiltresSerializer, request)  # 400 for a malformed value
        filters = parse_filters(request.query_params, scope)  # 404 outside the scope
        data = pilotage.dashboard(scope, filters)
        return Response(
            {
                "perimetre": scope.label,
                "campagne": filters.campagne.pk if filters.campagne else None,
                "region": filters.region,
                "dossiers": sum(r.count for r in data.statuts.rows),
                "labels_a_echeance": data.echeances.total,
                "graphiques": chart_data(data),
            }
        )
