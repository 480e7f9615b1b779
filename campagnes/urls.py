from django.urls import include, path

from . import views

urlpatterns = [
    path("<int:pk>/", views.dossier_detail, name="dossier_detail"),
    path("<int:pk>/historique/", views.dossier_history, name="dossier_history"),
    path("<int:pk>/demander-audit/", views.dossier_request_audit, name="dossier_request_audit"),
    path("<int:pk>/rouvrir/", views.dossier_reopen, name="dossier_reopen"),
    path("<int:pk>/autoevaluation/", include("campagnes.autoevaluations.urls")),
    path("<int:pk>/preuves/", include("campagnes.autoevaluations.preuves_urls")),
    path("<int:pk>/plan/", include("campagnes.plans.urls")),
    path("<int:pk>/audit/", include("audits.urls")),
    path("<int:pk>/rapports/", include("labelml.documents.urls")),
]
