"""Routes of the commission's pages, under /commission/ (the public pages are in public_urls)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.seance_list, name="seance_list"),
    path("nouvelle/", views.seance_create, name="seance_create"),
    path("<int:pk>/", views.seance_detail, name="seance_detail"),
    path("<int:pk>/modifier/", views.seance_edit, name="seance_edit"),
    path("<int:pk>/ouvrir/", views.seance_open, name="seance_open"),
    path("<int:pk>/clore/", views.seance_close, name="seance_close"),
    path("<int:pk>/points/<int:point_pk>/", views.point_detail, name="point_detail"),
    path("<int:pk>/points/<int:point_pk>/vote/", views.point_vote, name="point_vote"),
    path("<int:pk>/points/<int:point_pk>/conflit/", views.point_conflict, name="point_conflict"),
    path("<int:pk>/points/<int:point_pk>/clore/", views.point_close, name="point_close"),
    path("<int:pk>/points/<int:point_pk>/decision/", views.point_decide, name="point_decide"),
    path("<int:pk>/points/<int:point_pk>/rouvrir/", views.point_reopen, name="point_reopen"),
    path("<int:pk>/points/<int:point_pk>/note/", views.point_note, name="point_note"),
    # The label's life: suspension, lifting of the suspension, withdrawal.
    path("labels/", views.label_list, name="label_list"),
    path("labels/<str:numero>/", views.label_detail, name="label_detail"),
    path("labels/<str:numero>/suspendre/", views.label_suspend, name="label_suspend"),
    path("labels/<str:numero>/lever-suspension/", views.label_reinstate, name="label_reinstate"),
    path("labels/<str:numero>/retirer/", views.label_withdraw, name="label_withdraw"),
    path(
        "labels/<str:numero>/lever-reserves/",
        views.label_lift_reserves,
        name="label_lift_reserves",
    ),
]
