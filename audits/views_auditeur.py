# Placeholder, replaced by the auditor's workspace views.
from django.contrib.auth.decorators import login_required
from django.http import Http404


@login_required
def _todo(request, pk, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


overview = start = critere = save_constat = save_global = submit = review = _todo
