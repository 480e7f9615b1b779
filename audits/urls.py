"""Routes of the external audit, under /dossiers/<pk>/audit/ (see labelml/urls.py)."""

from django.urls import path

from . import views, views_auditeur

urlpatterns = [
    # Administrator: assignment.
    path("planifier/", views.assign, name="audit_assign"),
    # Auditor's workspace and lead auditor's review (views_auditeur).
    path("", views_auditeur.overview, name="audit_overview"),
    path("demarrer/", views_auditeur.start, name="audit_start"),
    path("criteres/<str:code>/", views_auditeur.critere, name="audit_critere"),
    path("constats/<int:constat_pk>/", views_auditeur.save_constat, name="audit_save_constat"),
    path("rapport/", views_auditeur.save_global, name="audit_save_global"),
    path("soumettre/", views_auditeur.submit, name="audit_submit"),
    path("revue/", views_auditeur.review, name="audit_review"),
    # Structure: answers to the gaps; everyone who reads the dossier: comparison.
    path("ecarts/", views.gaps, name="audit_gaps"),
    path("ecarts/<int:constat_pk>/", views.answer_gap, name="audit_answer_gap"),
    path("comparaison/", views.comparison, name="audit_comparison"),
    # The direction's demande de labellisation, once the gaps are answered.
    path("demande/", views.demande, name="audit_demande"),
]
