"""Routes of the external audit, under /dossiers/<pk>/audit/, and the auditors' missions."""

from django.urls import path

from . import views, views_auditeur

app_name = "audits"

A = "dossiers/<int:pk>/audit/"

urlpatterns = [
    # Administrator: assignment.
    path(A + "planifier/", views.assign, name="audit_assign"),
    # Auditor's workspace and lead auditor's review (views_auditeur).
    path(A, views_auditeur.overview, name="audit_overview"),
    path(A + "demarrer/", views_auditeur.start, name="audit_start"),
    path(A + "criteres/<str:code>/", views_auditeur.critere, name="audit_critere"),
    path(A + "constats/<int:constat_pk>/", views_auditeur.save_constat, name="audit_save_constat"),
    path(A + "rapport/", views_auditeur.save_global, name="audit_save_global"),
    path(A + "soumettre/", views_auditeur.submit, name="audit_submit"),
    path(A + "revue/", views_auditeur.review, name="audit_review"),
    # Structure: answers to the gaps; everyone who reads the dossier: comparison.
    path(A + "ecarts/", views.gaps, name="audit_gaps"),
    path(A + "ecarts/<int:constat_pk>/", views.answer_gap, name="audit_answer_gap"),
    # Administrator: more time to answer the gaps.
    path(A + "ecarts/prolonger/", views.extend_gaps, name="audit_extend_gaps"),
    path(A + "comparaison/", views.comparison, name="audit_comparison"),
    # The direction's demande de labellisation, once the gaps are answered.
    path(A + "demande/", views.demande, name="audit_demande"),
    # The auditors' missions.
    path("audits/", views.missions, name="audit_missions"),
]
