# Routes of evidence files, mounted under /dossiers/<pk>/preuves/ (see labelml/urls.py).
from django.urls import path

from . import preuves_views as views

urlpatterns = [
    path("", views.preuve_list, name="preuve_list"),
    path("ajouter/", views.preuve_add, name="preuve_add"),
    path("<int:preuve_pk>/telecharger/", views.preuve_download, name="preuve_download"),
    path("<int:preuve_pk>/supprimer/", views.preuve_delete, name="preuve_delete"),
]
