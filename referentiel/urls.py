from django.urls import path

from . import views

urlpatterns = [
    path("", views.referentiel_list, name="referentiel_list"),
    path("<slug:code>/v<int:version>/", views.referentiel_detail, name="referentiel_detail"),
]
