from django.urls import path

from . import export_views as views

urlpatterns = [
    path("", views.exports, name="pilotage_exports"),
    path("demander/", views.export_request, name="pilotage_export_request"),
    path("<int:pk>/telecharger/", views.export_download, name="pilotage_export_download"),
    path("<int:pk>/relancer/", views.export_retry, name="pilotage_export_retry"),
    path("<slug:dataset>.csv", views.export_csv, name="pilotage_export_csv"),
]
