from django.urls import path

from . import export_views, views

app_name = "pilotage"

urlpatterns = [
    path("pilotage/", views.dashboard, name="pilotage_dashboard"),
    path("pilotage/repartition/", views.repartition, name="pilotage_repartition"),
    path("pilotage/exports/", export_views.exports, name="pilotage_exports"),
    path(
        "pilotage/exports/demander/",
        export_views.export_request,
        name="pilotage_export_request",
    ),
    path(
        "pilotage/exports/<int:pk>/telecharger/",
        export_views.export_download,
        name="pilotage_export_download",
    ),
    path(
        "pilotage/exports/<int:pk>/relancer/",
        export_views.export_retry,
        name="pilotage_export_retry",
    ),
    path(
        "pilotage/exports/<slug:dataset>.csv", export_views.export_csv, name="pilotage_export_csv"
    ),
]
