from django.urls import include, path

urlpatterns = [
    path("", include("labelml.pilotage.dashboard_urls")),
    path("exports/", include("labelml.pilotage.export_urls")),
]
