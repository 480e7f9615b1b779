# Routes of the improvement plan, mounted under /dossiers/<pk>/plan/ (see labelml/urls.py).
from django.urls import path

from . import views

urlpatterns = [
    path("", views.plan_detail, name="plan_detail"),
    path("nouvelle/", views.action_create, name="plan_action_create"),
    path("actions/<int:action_pk>/", views.action_edit, name="plan_action_edit"),
    path("actions/<int:action_pk>/supprimer/", views.action_delete, name="plan_action_delete"),
    path("suggestions/", views.suggestion_list, name="plan_suggestions"),
    path("suggestions/<int:element_pk>/", views.suggestion_accept, name="plan_suggestion_accept"),
    path("calendrier/", views.plan_timeline, name="plan_timeline"),
    path("soumettre/", views.plan_submit, name="plan_submit"),
    path("reserves/<int:action_pk>/", views.reserve_action, name="plan_reserve_action"),
    path("demander-audit/", views.dossier_request_audit, name="dossier_request_audit"),
]
