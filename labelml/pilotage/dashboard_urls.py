from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="pilotage_dashboard"),
    path("repartition/", views.repartition, name="pilotage_repartition"),
]
