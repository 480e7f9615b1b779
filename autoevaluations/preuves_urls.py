# Routes of evidence files, mounted under /dossiers/<pk>/preuves/ (see campagnes/urls.py).
from django.http import Http404
from django.urls import path


def _todo(request, pk):  # type: ignore[no-untyped-def]  # replaced by the real views
    raise Http404


urlpatterns = [path("", _todo, name="preuve_list")]
