"""Routes of the API under /api/v1/, the person's tokens under /comptes/jetons/, and the
open-data registry under /labels/ (mounted by labelml/urls.py ahead of allauth's and the
commission's pages at those prefixes)."""

from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView

from . import registry, token_views, views

app_name = "api"

urlpatterns = [
    # "Jetons d'accès": the person's API tokens.
    path("comptes/jetons/", token_views.jetons, name="api_jetons"),
    path("comptes/jetons/<int:pk>/revoquer/", token_views.revoke, name="api_jeton_revoke"),
    # The open-data registry.
    path("labels/registre.csv", registry.registre_csv, name="label_registre_csv"),
    path("labels/registre.json", registry.registre_json, name="label_registre_json"),
    # The API.
    path("api/v1/openapi.json", SpectacularJSONAPIView.as_view(), name="api_schema"),
    path(
        "api/v1/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:api_schema", template_name="api/swagger_ui.html"
        ),
        name="api_docs",
    ),
    path("api/v1/referentiels/", views.ReferentielList.as_view(), name="api_referentiels"),
    path(
        "api/v1/referentiels/<int:pk>/", views.ReferentielDetail.as_view(), name="api_referentiel"
    ),
    path("api/v1/structures/", views.StructureList.as_view(), name="api_structures"),
    path("api/v1/structures/<int:pk>/", views.StructureDetail.as_view(), name="api_structure"),
    path("api/v1/campagnes/", views.CampagneList.as_view(), name="api_campagnes"),
    path("api/v1/campagnes/<int:pk>/", views.CampagneDetail.as_view(), name="api_campagne"),
    path("api/v1/dossiers/", views.DossierList.as_view(), name="api_dossiers"),
    path("api/v1/dossiers/<int:pk>/", views.DossierDetail.as_view(), name="api_dossier"),
    path("api/v1/dossiers/<int:pk>/reponses/", views.ReponseList.as_view(), name="api_reponses"),
    path(
        "api/v1/dossiers/<int:pk>/reponses/<int:row_pk>/",
        views.ReponseDetail.as_view(),
        name="api_reponse",
    ),
    path("api/v1/dossiers/<int:pk>/syntheses/", views.SyntheseList.as_view(), name="api_syntheses"),
    path(
        "api/v1/dossiers/<int:pk>/syntheses/<int:row_pk>/",
        views.SyntheseDetail.as_view(),
        name="api_synthese",
    ),
    path("api/v1/dossiers/<int:pk>/actions/", views.ActionList.as_view(), name="api_actions"),
    path(
        "api/v1/dossiers/<int:pk>/actions/<int:row_pk>/",
        views.ActionDetail.as_view(),
        name="api_action",
    ),
    path("api/v1/dossiers/<int:pk>/audit/", views.AuditDetail.as_view(), name="api_audit"),
    path("api/v1/dossiers/<int:pk>/decisions/", views.DecisionList.as_view(), name="api_decisions"),
    path("api/v1/labels/", views.LabelList.as_view(), name="api_labels"),
    path("api/v1/pilotage/", views.PilotageView.as_view(), name="api_pilotage"),
]
