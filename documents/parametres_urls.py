from django.urls import path

from . import views_parametres

urlpatterns = [
    path("", views_parametres.parametres, name="document_parametres"),
]
