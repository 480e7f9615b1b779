"""Routes of the API, under /api/v1/ (see labelml/urls.py)."""

from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView

from . import views

urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="api_schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api_schema", template_name="api/swagger_ui.html"
        ),
        name="api_docs",
    ),
    path("referentiels/", views.ReferentielList.as_view(), name="api_referentiels"),
    path("referentiels/<int:pk>/", views.ReferentielDetail.as_view(), name="api_referentiel"),
    path("structures/", views.StructureList.as_view(), name="api_structures"),
    path("structures/<int:pk>/", views.StructureDetail.as_view(), name="api_structure"),
    path("campagnes/", views.CampagneList.as_view(), name="api_campagnes"),
    path("campagnes/<int:pk>/", views.CampagneDetail.as_view(), name="api_campagne"),
    path("dossiers/", views.DossierList.as_view(), name="api_dossiers"),
    path("dossiers/<int:pk>/", views.DossierDetail.as_view(), name="api_dossier"),
    path("dossiers/<int:pk>/reponses/", views.ReponseList.as_view(), name="api_reponses"),
    path(
        "dossiers/<int:pk>/reponses/<int:row_pk>/",
        views.ReponseDetail.as_view(),
        name="api_reponse",
    ),
    path("dossiers/<int:pk>/syntheses/", views.SyntheseList.as_view(), name="api_syntheses"),
    path(
        "dossiers/<int:pk>/syntheses/<int:row_pk>/",
        views.SyntheseDetail.as_view(),
        name="api_synthese",
    ),
    path("dossiers/<int:pk>/actions/", views.ActionList.as_view(), name="api_actions"),
    path(
        "dossiers/<int:pk>/actions/<int:row_pk>/", views.ActionDetail.as_view(), name="api_action"
    ),
    path("dossiers/<int:pk>/audit/", views.AuditDetail.as_view(), name="api_audit"),
    path("dossiers/<int:pk>/decisions/", views.DecisionList.as_view(), name="api_decisions"),
    path("labels/", views.LabelList.as_view(), name="api_labels"),
    path("pilotage/", views.PilotageView.as_view(), name="api_pilotage"),
]
