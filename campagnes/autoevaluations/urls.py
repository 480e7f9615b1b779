# Routes of the self-assessment and of its evidence files, under /dossiers/<pk>/.
from django.urls import path

from . import preuves_views, views

app_name = "autoevaluations"

A = "dossiers/<int:pk>/autoevaluation/"
P = "dossiers/<int:pk>/preuves/"

urlpatterns = [
    path(A, views.overview, name="autoevaluation_overview"),
    path(A + "criteres/<str:code>/", views.critere_page, name="autoevaluation_critere"),
    path(A + "reponses/<int:reponse_pk>/", views.save_reponse, name="autoevaluation_save_reponse"),
    path(
        A + "reponses/<int:reponse_pk>/confirmer/",
        views.confirm_reponse,
        name="autoevaluation_confirm_reponse",
    ),
    path(
        A + "syntheses/<int:synthese_pk>/",
        views.save_synthese,
        name="autoevaluation_save_synthese",
    ),
    path(
        A + "syntheses/<int:synthese_pk>/confirmer/",
        views.confirm_synthese,
        name="autoevaluation_confirm_synthese",
    ),
    path(
        A + "criteres/<str:code>/confirmer/",
        views.confirm_all,
        name="autoevaluation_confirm_critere",
    ),
    path(
        A + "syntheses/<int:synthese_pk>/contributeur/",
        views.assign_contributeur,
        name="autoevaluation_assign",
    ),
    path(A + "soumettre/", views.submit, name="autoevaluation_submit"),
    path(A + "versions/<int:numero>/", views.snapshot_detail, name="autoevaluation_snapshot"),
    path(
        A + "versions/<int:numero>/preuves/<slug:empreinte>/",
        preuves_views.snapshot_preuve_download,
        name="autoevaluation_snapshot_preuve",
    ),
    # Evidence files.
    path(P, preuves_views.preuve_list, name="preuve_list"),
    path(P + "ajouter/", preuves_views.preuve_add, name="preuve_add"),
    path(
        P + "<int:preuve_pk>/telecharger/",
        preuves_views.preuve_download,
        name="preuve_download",
    ),
    path(P + "<int:preuve_pk>/supprimer/", preuves_views.preuve_delete, name="preuve_delete"),
    # The printable sheet of a criterion.
    path("fiches/<int:pk>/", views.fiche_download, name="fiche_download"),
]
