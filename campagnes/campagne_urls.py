from django.urls import path

from . import views

urlpatterns = [
    path("", views.campagne_list, name="campagne_list"),
    path("nouvelle/", views.campagne_create, name="campagne_create"),
    path("<int:pk>/", views.campagne_detail, name="campagne_detail"),
    path("<int:pk>/ouvrir/", views.campagne_open, name="campagne_open"),
    path("<int:pk>/renouvellements/", views.campagne_renew, name="campagne_renew"),
    path("<int:pk>/prolonger/", views.campagne_extend, name="campagne_extend"),
]
