from django.urls import path

from . import preuves_views, views

urlpatterns = [
    path("", views.overview, name="autoevaluation_overview"),
    path("criteres/<str:code>/", views.critere_page, name="autoevaluation_critere"),
    path("reponses/<int:reponse_pk>/", views.save_reponse, name="autoevaluation_save_reponse"),
    path(
        "reponses/<int:reponse_pk>/confirmer/",
        views.confirm_reponse,
        name="autoevaluation_confirm_reponse",
    ),
    path("syntheses/<int:synthese_pk>/", views.save_synthese, name="autoevaluation_save_synthese"),
    path(
        "syntheses/<int:synthese_pk>/confirmer/",
        views.confirm_synthese,
        name="autoevaluation_confirm_synthese",
    ),
    path(
        "criteres/<str:code>/confirmer/",
        views.confirm_all,
        name="autoevaluation_confirm_critere",
    ),
    path(
        "syntheses/<int:synthese_pk>/contributeur/",
        views.assign_contributeur,
        name="autoevaluation_assign",
    ),
    path("soumettre/", views.submit, name="autoevaluation_submit"),
    path("versions/<int:numero>/", views.snapshot_detail, name="autoevaluation_snapshot"),
    path(
        "versions/<int:numero>/preuves/<slug:empreinte>/",
        preuves_views.snapshot_preuve_download,
        name="autoevaluation_snapshot_preuve",
    ),
]
