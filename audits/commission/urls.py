"""Routes of the commission's pages, under /commission/, and the public pages under /labels/."""

from django.urls import path

from . import public_views, views

app_name = "commission"

urlpatterns = [
    path("commission/", views.seance_list, name="seance_list"),
    path("commission/nouvelle/", views.seance_create, name="seance_create"),
    path("commission/<int:pk>/", views.seance_detail, name="seance_detail"),
    path("commission/<int:pk>/modifier/", views.seance_edit, name="seance_edit"),
    path("commission/<int:pk>/ouvrir/", views.seance_open, name="seance_open"),
    path("commission/<int:pk>/clore/", views.seance_close, name="seance_close"),
    path("commission/<int:pk>/points/<int:point_pk>/", views.point_detail, name="point_detail"),
    path("commission/<int:pk>/points/<int:point_pk>/vote/", views.point_vote, name="point_vote"),
    path(
        "commission/<int:pk>/points/<int:point_pk>/conflit/",
        views.point_conflict,
        name="point_conflict",
    ),
    path("commission/<int:pk>/points/<int:point_pk>/clore/", views.point_close, name="point_close"),
    path(
        "commission/<int:pk>/points/<int:point_pk>/decision/",
        views.point_decide,
        name="point_decide",
    ),
    path(
        "commission/<int:pk>/points/<int:point_pk>/rouvrir/",
        views.point_reopen,
        name="point_reopen",
    ),
    path("commission/<int:pk>/points/<int:point_pk>/note/", views.point_note, name="point_note"),
    # The label's life: suspension, lifting of the suspension, withdrawal.
    path("commission/labels/", views.label_list, name="label_list"),
    path("commission/labels/<str:numero>/", views.label_detail, name="label_detail"),
    path("commission/labels/<str:numero>/suspendre/", views.label_suspend, name="label_suspend"),
    path(
        "commission/labels/<str:numero>/lever-suspension/",
        views.label_reinstate,
        name="label_reinstate",
    ),
    path("commission/labels/<str:numero>/retirer/", views.label_withdraw, name="label_withdraw"),
    path(
        "commission/labels/<str:numero>/lever-reserves/",
        views.label_lift_reserves,
        name="label_lift_reserves",
    ),
    # Public: the registry of labels and the verification of a certificate.
    path("labels/", public_views.registry, name="label_registry"),
    path("labels/<str:numero>/", public_views.verify, name="label_verify"),
]
