from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from labelml.core import health
from labelml.structures import views as structures_views

# The admin logs in through allauth, so two-factor authentication applies there too.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "labelml — administration"
admin.site.site_title = "labelml"

# French error pages: 413 for a body too large, 503 while the database cannot be reached.
handler400 = "labelml.core.errors.bad_request"
handler500 = "labelml.core.errors.server_error"

# Each app's URL module carries its full paths and its namespace (`app_name`); they are mounted
# here in one place so that the address map of the whole product reads from top to bottom.
urlpatterns = [
    path("", structures_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    # The footer's public pages: the RGAA accessibility statement, legal notices, personal data.
    path(
        "accessibilite/",
        TemplateView.as_view(template_name="pages/accessibilite.html"),
        name="accessibilite",
    ),
    path(
        "mentions-legales/",
        TemplateView.as_view(template_name="pages/mentions_legales.html"),
        name="mentions_legales",
    ),
    path(
        "donnees-personnelles/",
        TemplateView.as_view(template_name="pages/donnees_personnelles.html"),
        name="donnees_personnelles",
    ),
    path("admin/", admin.site.urls),
    # Our account pages come before allauth's, some of which they replace at the same address;
    # the API's (tokens, open-data registry) before allauth's and the commission's public pages.
    path("", include("labelml.accounts.urls")),
    path("", include("labelml.api.urls")),
    path("comptes/", include("allauth.urls")),
    path("", include("labelml.structures.urls")),
    path("", include("labelml.notifications.urls")),
    path("", include("referentiel.urls")),
    path("", include("campagnes.urls")),
    path("", include("campagnes.autoevaluations.urls")),
    path("", include("campagnes.plans.urls")),
    path("", include("audits.urls")),
    path("", include("audits.commission.urls")),
    path("", include("audits.suivis.urls")),
    path("", include("audits.pratiques.urls")),
    path("", include("labelml.documents.urls")),
    path("", include("labelml.pilotage.urls")),
]
