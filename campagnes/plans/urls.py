# Routes of the improvement plan, under /dossiers/<pk>/plan/.
from django.urls import path

from . import views

app_name = "plans"

P = "dossiers/<int:pk>/plan/"

urlpatterns = [
    path(P, views.plan_detail, name="plan_detail"),
    path(P + "nouvelle/", views.action_create, name="plan_action_create"),
    path(P + "actions/<int:action_pk>/", views.action_edit, name="plan_action_edit"),
    path(P + "actions/<int:action_pk>/supprimer/", views.action_delete, name="plan_action_delete"),
    path(P + "suggestions/", views.suggestion_list, name="plan_suggestions"),
    path(
        P + "suggestions/<int:element_pk>/", views.suggestion_accept, name="plan_suggestion_accept"
    ),
    path(P + "calendrier/", views.plan_timeline, name="plan_timeline"),
    path(P + "soumettre/", views.plan_submit, name="plan_submit"),
    path(P + "reserves/<int:action_pk>/", views.reserve_action, name="plan_reserve_action"),
    path(P + "demander-audit/", views.dossier_request_audit, name="dossier_request_audit"),
]
