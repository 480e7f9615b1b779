"""Routes of the follow-up audit, under /suivis/ (see audits/suivis/views.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.suivi_list, name="suivi_list"),
    path("planifier/", views.suivi_schedule, name="suivi_schedule"),
    # The structure's documentary file.
    path("<int:pk>/", views.suivi_detail, name="suivi_detail"),
    path("<int:pk>/bilan/", views.suivi_save_bilan, name="suivi_save_bilan"),
    path("<int:pk>/points/<int:point_pk>/", views.suivi_save_point, name="suivi_save_point"),
    path(
        "<int:pk>/points/<int:point_pk>/preuves/", views.suivi_add_preuve, name="suivi_add_preuve"
    ),
    path(
        "<int:pk>/actions/<int:action_pk>/",
        views.suivi_action_progress,
        name="suivi_action_progress",
    ),
    path("<int:pk>/transmettre/", views.suivi_send, name="suivi_send"),
    # Administrator.
    path("<int:pk>/designer/", views.suivi_assign, name="suivi_assign"),
    # Assigned auditor.
    path("<int:pk>/revue/", views.suivi_review, name="suivi_review"),
    path("<int:pk>/revue/demarrer/", views.suivi_start_review, name="suivi_start_review"),
    path(
        "<int:pk>/revue/points/<int:point_pk>/",
        views.suivi_save_finding,
        name="suivi_save_finding",
    ),
    path("<int:pk>/revue/visio/", views.suivi_visio, name="suivi_visio"),
    path("<int:pk>/revue/conclure/", views.suivi_conclude, name="suivi_conclude"),
]
