from django.urls import include, path

urlpatterns = [
    path("", include("pilotage.dashboard_urls")),
    path("exports/", include("pilotage.export_urls")),
]
