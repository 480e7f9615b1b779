from django.urls import path

from . import views

app_name = "referentiel"

urlpatterns = [
    path("referentiels/", views.referentiel_list, name="referentiel_list"),
    path(
        "referentiels/<slug:code>/v<int:version>/",
        views.referentiel_detail,
        name="referentiel_detail",
    ),
]
