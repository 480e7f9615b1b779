# Placeholder, replaced by the auditor's workspace views.
from django.http import Http404


def _todo(request, pk, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


overview = start = critere = save_constat = save_global = submit = review = _todo
