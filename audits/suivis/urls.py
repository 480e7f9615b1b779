"""Routes of the follow-up audit, under /suivis/ (see audits/suivis/views.py)."""

from django.urls import path

from . import views

app_name = "suivis"

urlpatterns = [
    path("suivis/", views.suivi_list, name="suivi_list"),
    path("suivis/planifier/", views.suivi_schedule, name="suivi_schedule"),
    # The structure's documentary file.
    path("suivis/<int:pk>/", views.suivi_detail, name="suivi_detail"),
    path("suivis/<int:pk>/bilan/", views.suivi_save_bilan, name="suivi_save_bilan"),
    path("suivis/<int:pk>/points/<int:point_pk>/", views.suivi_save_point, name="suivi_save_point"),
    path(
        "suivis/<int:pk>/points/<int:point_pk>/preuves/",
        views.suivi_add_preuve,
        name="suivi_add_preuve",
    ),
    path(
        "suivis/<int:pk>/actions/<int:action_pk>/",
        views.suivi_action_progress,
        name="suivi_action_progress",
    ),
    path("suivis/<int:pk>/transmettre/", views.suivi_send, name="suivi_send"),
    # Administrator.
    path("suivis/<int:pk>/designer/", views.suivi_assign, name="suivi_assign"),
    # Assigned auditor.
    path("suivis/<int:pk>/revue/", views.suivi_review, name="suivi_review"),
    path("suivis/<int:pk>/revue/demarrer/", views.suivi_start_review, name="suivi_start_review"),
    path(
        "suivis/<int:pk>/revue/points/<int:point_pk>/",
        views.suivi_save_finding,
        name="suivi_save_finding",
    ),
    path("suivis/<int:pk>/revue/visio/", views.suivi_visio, name="suivi_visio"),
    path("suivis/<int:pk>/revue/conclure/", views.suivi_conclude, name="suivi_conclude"),
]
