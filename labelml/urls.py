from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from campagnes.autoevaluations import views as autoevaluations_views
from labelml.core import health
from labelml.structures import views as structures_views

# The admin logs in through allauth, so two-factor authentication applies there too.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "labelml — administration"
admin.site.site_title = "labelml"

# French error pages: 413 for a body too large, 503 while the database cannot be reached.
handler400 = "labelml.core.errors.bad_request"
handler500 = "labelml.core.errors.server_error"

urlpatterns = [
    path("", structures_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # "Mes sessions" replaces allauth.usersessions' page at the same address.
    path("comptes/sessions/", include("labelml.accounts.sessions_urls")),
    # "Mes données": the person downloads what the platform keeps about them.
    path("comptes/donnees/", include("labelml.accounts.donnees_urls")),
    path("comptes/", include("allauth.urls")),
    path("referentiels/", include("referentiel.urls")),
    path("structures/", include("labelml.structures.urls")),
    path("invitations/", include("labelml.structures.invitation_urls")),
    path("campagnes/", include("campagnes.campagne_urls")),
    path("dossiers/", include("campagnes.urls")),
    path("dossiers/<int:pk>/autoevaluation/", include("campagnes.autoevaluations.urls")),
    path("dossiers/<int:pk>/preuves/", include("campagnes.autoevaluations.preuves_urls")),
    path("dossiers/<int:pk>/plan/", include("campagnes.plans.urls")),
    path("dossiers/<int:pk>/audit/", include("audits.urls")),
    path("dossiers/<int:pk>/rapports/", include("labelml.documents.urls")),
    path("dossiers/<int:pk>/", include("audits.pratiques.dossier_urls")),
    path("audits/", include("audits.missions_urls")),
    path("labels/", include("audits.commission.public_urls")),
    path("commission/", include("audits.commission.urls")),
    path("pratiques/", include("audits.pratiques.urls")),
    path("valorisation/", include("audits.pratiques.public_urls")),
    path("notifications/", include("labelml.notifications.urls")),
    path("pilotage/", include("labelml.pilotage.urls")),
    path("suivis/", include("audits.suivis.urls")),
    path("administration/documents/", include("labelml.documents.parametres_urls")),
    path("administration/utilisateurs/", include("labelml.accounts.utilisateurs_urls")),
    path("fiches/<int:pk>/", autoevaluations_views.fiche_download, name="fiche_download"),
]
