# Routes of campaigns and of a dossier; the tabs of the apps above (self-assessment, plan, audit,
# documents) are in their own URL modules, mounted next to these by the composition root.
from django.urls import path

from . import views

app_name = "campagnes"

urlpatterns = [
    path("campagnes/", views.campagne_list, name="campagne_list"),
    path("campagnes/nouvelle/", views.campagne_create, name="campagne_create"),
    path("campagnes/<int:pk>/", views.campagne_detail, name="campagne_detail"),
    path("campagnes/<int:pk>/ouvrir/", views.campagne_open, name="campagne_open"),
    path("campagnes/<int:pk>/renouvellements/", views.campagne_renew, name="campagne_renew"),
    path("campagnes/<int:pk>/prolonger/", views.campagne_extend, name="campagne_extend"),
    path("dossiers/<int:pk>/", views.dossier_detail, name="dossier_detail"),
    path("dossiers/<int:pk>/historique/", views.dossier_history, name="dossier_history"),
    path("dossiers/<int:pk>/rouvrir/", views.dossier_reopen, name="dossier_reopen"),
    path("dossiers/<int:pk>/echanges/", views.dossier_echanges, name="dossier_echanges"),
]
