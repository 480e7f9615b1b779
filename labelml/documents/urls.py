from django.urls import path

from . import views

urlpatterns = [
    path("", views.document_list, name="document_list"),
    path("demander/", views.document_request, name="document_request"),
    path("<int:document_pk>/relancer/", views.document_retry, name="document_retry"),
    path("<int:document_pk>/telecharger/", views.document_download, name="document_download"),
]
