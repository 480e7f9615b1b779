from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from labelml.core.types import HtmxHttpRequest

from .hooks import attach_panels
from .selectors import get_referentiel_for_user, referentiel_tree, referentiels_for_user, search


@login_required
def referentiel_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "referentiel/referentiel_list.html",
        {"referentiels": referentiels_for_user(request.user)},
    )


@login_required
def referentiel_detail(request: HtmxHttpRequest, code: str, version: int) -> HttpResponse:
    ref = get_referentiel_for_user(request.user, code, version)
    query = request.GET.get("q", "").strip()[:200]
    context = {"referentiel": ref, "q": query}
    if query:
        criteres, elements = search(ref, query)
        context.update(
            resultats_criteres=criteres,
            resultats_elements=elements,
            nb_resultats=len(criteres) + len(elements),
        )
    if request.htmx:  # live search only swaps the results block
        return render(request, "referentiel/_resultats.html", context)
    context["tree"] = tree = referentiel_tree(ref)
    # "Pratiques remarquables du réseau" under each criterion (the apps above fill it).
    attach_panels(
        request.user,
        [c for node in tree for child in [node, *node.children] for c in child.criteres],
    )
    context["echelles"] = ref.echelles.prefetch_related("niveaux")
    return render(request, "referentiel/referentiel_detail.html", context)
