from django.urls import path

from . import views_parametres

urlpatterns = [
    path("", views_parametres.parametres, name="document_parametres"),
    path(
        "apercu/<slug:which>/",
        views_parametres.parametres_image,
        name="document_parametres_image",
    ),
]
