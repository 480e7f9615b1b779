from django.urls import path

from . import views, views_parametres

app_name = "documents"

urlpatterns = [
    # The dossier's documents tab.
    path("dossiers/<int:pk>/rapports/", views.document_list, name="document_list"),
    path("dossiers/<int:pk>/rapports/demander/", views.document_request, name="document_request"),
    path(
        "dossiers/<int:pk>/rapports/<int:document_pk>/relancer/",
        views.document_retry,
        name="document_retry",
    ),
    path(
        "dossiers/<int:pk>/rapports/<int:document_pk>/telecharger/",
        views.document_download,
        name="document_download",
    ),
    # The national administrators' settings of the documents.
    path("administration/documents/", views_parametres.parametres, name="document_parametres"),
    path(
        "administration/documents/apercu/<slug:which>/",
        views_parametres.parametres_image,
        name="document_parametres_image",
    ),
]
