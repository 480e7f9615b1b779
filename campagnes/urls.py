# Routes of a dossier, mounted under /dossiers/; the tabs of the apps above are mounted next to
# them by the composition root (labelml/urls.py).
from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/", views.dossier_detail, name="dossier_detail"),
    path("<int:pk>/historique/", views.dossier_history, name="dossier_history"),
    path("<int:pk>/rouvrir/", views.dossier_reopen, name="dossier_reopen"),
    path("<int:pk>/echanges/", views.dossier_echanges, name="dossier_echanges"),
]
