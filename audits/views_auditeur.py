"""The auditor's workspace (SPEC §6) and the lead auditor's review.

Pages, under /dossiers/<pk>/audit/:

- ``overview``: the mission (dates, sites, status), the findings per criterion, the report's
  global part (strengths first), what is missing before submission and the lead auditor's
  remarks. The structure and the administrators only see the planned dates until the report is
  validated, then the report read-only.
- ``critere``: side by side, what the structure declared (latest submitted self-assessment,
  plan actions, evidence) and the finding form.
- ``save_constat`` / ``save_global``: per-field optimistic saves, exactly like the
  self-assessment: htmx gets a status fragment (200, with the new version out of band), the
  re-rendered block on a conflict (409), an error fragment on bad input (400); a plain form post
  saves the changed fields and redirects. Only the assigned auditor saves, while the report is
  open (403 otherwise). The browser side (drafts kept offline) is audits/static/audits/offline.js.
- ``submit``, ``start``: workflow transitions of the assigned auditor.
- ``review``: the lead auditor returns the report with remarks or validates it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from audits.services import (
    return_audit_report,
    start_audit,
    submit_audit_report,
    validate_audit_report,
)
from campagnes.autoevaluations.models import Preuve, Snapshot
from campagnes.models import Dossier
from campagnes.plans.models import Action
from campagnes.selectors import get_dossier_for_user
from labelml.core.autosave import SaveResult, changed_fields, run_saves
from labelml.core.ids import parse_int
from labelml.core.transitions import TransitionError
from labelml.core.types import AuthenticatedHttpRequest, HtmxHttpRequest
from labelml.structures.roles import Capability
from referentiel.models import Critere, Element, Niveau

from .forms_auditeur import RetourForm
from .models import Audit, Constat, Revue
from .selectors import mission_capabilities, report_missing_items
from .services import AUDIT_FIELDS, save_audit_field, save_constat_field

TAB = "audit"
CONSTAT_ORDER = ("niveau", "observation", "preuves_examinees")
AUDIT_ORDER = ("points_forts", "progres", "avis_global", "recommandation")
FIELD_LABELS = {
    "niveau": "constat",
    "observation": "observation",
    "preuves_examinees": "preuves examinées",
    "points_forts": "points forts",
    "progres": "progrès constatés",
    "avis_global": "avis global",
    "recommandation": "recommandation",
}


# --- who sees what ---------------------------------------------------------------------------


def _audit_of(dossier: Dossier) -> Audit | None:
    return (
        Audit.objects.filter(dossier=dossier)
        .select_related("auditeur__user", "organisme", "valide_par")
        .first()
    )


def _report_visible(caps: frozenset[Capability], audit: Audit) -> bool:
    """The auditor and the lead auditors follow the work; the others read the validated one."""
    team = {Capability.CONDUCT_AUDIT, Capability.REVIEW_AUDIT}
    return bool(caps & team) or audit.statut == Audit.Statut.VALIDE


def _require_report_visible(caps: frozenset[Capability], audit: Audit) -> None:
    if not _report_visible(caps, audit):
        raise PermissionDenied(
            "Les constats de l'évaluation externe sont consultables une fois le rapport validé "
            "par l'auditeur référent."
        )


def _version(request: HtmxHttpRequest) -> int | None:
    return parse_int(request.POST.get("version"))


def _constats(audit: Audit) -> list[Constat]:
    return list(audit.constats.select_related("critere", "niveau").order_by("critere__ordre"))


def _niveaux(dossier: Dossier) -> list[Niveau]:
    echelle_id = dossier.campagne.referentiel.echelle_audit_id
    if echelle_id is None:
        return []
    return list(Niveau.objects.filter(echelle_id=echelle_id).order_by("ordre"))


def _summary(constats: list[Constat], niveaux: list[Niveau]) -> list[dict[str, Any]]:
    """How many criteria per level of the audit scale, in the scale's order."""
    counts: dict[int, int] = {}
    for c in constats:
        if c.niveau_id is not None:
            counts[c.niveau_id] = counts.get(c.niveau_id, 0) + 1
    return [{"niveau": n, "count": counts.get(n.pk, 0)} for n in niveaux]


# --- overview ----------------------------------------------------------------------------------


@login_required
def overview(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, pk)
    audit = _audit_of(dossier)
    if audit is None:
        return render(
            request,
            "audits/auditeur/overview.html",
            {"dossier": dossier, "tab": TAB, "audit": None},
        )
    return render(
        request, "audits/auditeur/overview.html", _overview_context(request, dossier, audit)
    )


def _overview_context(
    request: HtmxHttpRequest,
    dossier: Dossier,
    audit: Audit,
    conflicts: dict[str, Any] | None = None,
) -> dict[str, Any]:
    caps = mission_capabilities(request.user, dossier, audit)
    context: dict[str, Any] = {
        "dossier": dossier,
        "tab": TAB,
        "audit": audit,
        "caps": caps,
        "can_record": Capability.RECORD_FINDINGS in caps and not audit.locked,
        "conflicts": conflicts or {},
    }
    report_visible = _report_visible(caps, audit)
    context["report_visible"] = report_visible
    if not report_visible:
        return context
    constats = _constats(audit)
    niveaux = _niveaux(dossier)
    # The lead auditor's reviews and remarks stay between the auditors (the assigned auditor,
    # the body's lead auditors): the structure, its ARML, the commission and the administrators
    # read the validated report without them (docs/decisions.md, "Who sees what").
    between_auditors = Capability.CONDUCT_AUDIT in caps or Capability.REVIEW_AUDIT in caps
    revues = list(audit.revues.select_related("par")) if between_auditors else []
    context.update(
        constats=constats,
        niveaux=niveaux,
        summary=_summary(constats, niveaux),
        revues=revues,
        remarques=[r for r in revues if r.decision == Revue.Decision.RENVOYE],
        recommandations=Audit.Recommandation.choices,
    )
    conducts = Capability.CONDUCT_AUDIT in caps
    if conducts and audit.statut in (Audit.Statut.EN_COURS, Audit.Statut.A_REVOIR):
        context["missing"] = report_missing_items(audit)
    return context


@login_required
@require_POST
def start(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, pk)
    if _audit_of(dossier) is None:
        raise Http404("Aucune évaluation externe n'est planifiée pour ce dossier.")
    try:
        start_audit(dossier, request.user)
    except TransitionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            "Évaluation démarrée : vos constats s'enregistrent au fil de la saisie, même sans "
            "connexion.",
        )
    return redirect("audits:audit_overview", pk=dossier.pk)


# --- criterion page ------------------------------------------------------------------------------


@dataclass
class DeclaredElement:
    code: str
    texte: str
    niveau: str | None
    niveau_libelle: str | None
    justification: str


@dataclass
class CriterePage:
    critere: Critere
    constat: Constat
    niveaux: list[Niveau]
    previous: Critere | None
    next: Critere | None
    snapshot: dict[str, Any] | None = None
    declared: list[DeclaredElement] = field(default_factory=list)
    synthese: dict[str, Any] = field(default_factory=dict)
    actions: list[Action] = field(default_factory=list)
    preuves: list[Preuve] = field(default_factory=list)


def _critere_page(dossier: Dossier, audit: Audit, code: str) -> CriterePage:
    """Everything the criterion page shows, in a fixed number of queries (6)."""
    # The audit has one finding per criterion: one query gives the criteria in order (for the
    # previous and next links), their sections, and the finding of the page.
    constats = list(
        Constat.objects.filter(audit=audit)
        .select_related("critere__section__parent", "niveau", "updated_by")
        .order_by("critere__ordre")
    )
    index = next((i for i, c in enumerate(constats) if c.critere.code == code), None)
    if index is None:
        raise Http404("Critère introuvable.")
    constat = constats[index]
    critere = constat.critere
    criteres = [c.critere for c in constats]
    page = CriterePage(
        critere=critere,
        constat=constat,
        niveaux=_niveaux(dossier),
        previous=criteres[index - 1] if index > 0 else None,
        next=criteres[index + 1] if index + 1 < len(criteres) else None,
    )
    # What the structure declared: the latest submitted self-assessment (frozen), in the
    # référentiel's order, with the elements' texts.
    latest = (
        Snapshot.objects.filter(dossier=dossier)
        .order_by("-numero")
        .values("numero", "soumis_le", "contenu")
        .first()
    )
    textes = dict(
        Element.objects.filter(critere=critere).order_by("ordre").values_list("code", "texte")
    )
    if latest is not None:
        contenu = latest["contenu"] or {}
        page.snapshot = {"numero": latest["numero"], "soumis_le": latest["soumis_le"]}
        page.declared = [
            DeclaredElement(
                code=r.get("element", ""),
                texte=textes.get(r.get("element", ""), ""),
                niveau=r.get("niveau"),
                niveau_libelle=r.get("niveau_libelle"),
                justification=r.get("justification") or "",
            )
            for r in contenu.get("reponses", [])
            if r.get("critere") == critere.code
        ]
        page.synthese = next(
            (s for s in contenu.get("syntheses", []) if s.get("critere") == critere.code), {}
        )
    page.actions = list(
        Action.objects.filter(plan__dossier=dossier, criteres=critere)
        .select_related("responsable")
        .order_by("echeance", "pk")
        .distinct()
    )
    page.preuves = list(
        Preuve.objects.filter(dossier=dossier, critere=critere).select_related(
            "element", "ajoute_par"
        )
    )
    return page


def _critere_context(
    request: HtmxHttpRequest,
    dossier: Dossier,
    audit: Audit,
    code: str,
    conflicts: dict[str, Any] | None = None,
) -> dict[str, Any]:
    caps = mission_capabilities(request.user, dossier, audit)
    _require_report_visible(caps, audit)
    page = _critere_page(dossier, audit, code)
    return {
        "dossier": dossier,
        "tab": TAB,
        "audit": audit,
        "caps": caps,
        "can_record": Capability.RECORD_FINDINGS in caps and not audit.locked,
        "page": page,
        "constat": page.constat,
        "niveaux": page.niveaux,
        "conflicts": conflicts or {},
    }


@login_required
def critere(request: HtmxHttpRequest, pk: int, code: str) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, pk)
    audit = _audit_of(dossier)
    if audit is None:
        raise Http404("Aucune évaluation externe n'est planifiée pour ce dossier.")
    return render(
        request, "audits/auditeur/critere.html", _critere_context(request, dossier, audit, code)
    )


# --- saves -------------------------------------------------------------------------------------


def _display(champ: str, value: str, niveaux: dict[str, Niveau]) -> str:
    if champ == "niveau":
        niveau = niveaux.get(value or "")
        return niveau.libelle if niveau else "(aucun constat)"
    if champ == "recommandation":
        return str(dict(Audit.Recommandation.choices).get(value, "(aucune)"))
    return value


def _conflict_rows(
    results: list[tuple[str, SaveResult, str]], niveaux: list[Niveau]
) -> list[dict[str, Any]]:
    by_pk = {str(n.pk): n for n in niveaux}
    return [
        {
            "champ": champ,
            "label": FIELD_LABELS.get(champ, champ),
            "result": result,
            "theirs": _display(champ, result.value, by_pk),
            "mine": mine,
            "mine_display": _display(champ, mine, by_pk),
        }
        for champ, result, mine in results
        if not result.ok
    ]


def _save_error(request: HtmxHttpRequest, message: str, target: str, status: int) -> HttpResponse:
    if request.htmx:
        return render(
            request,
            "audits/auditeur/_save_error.html",
            {"message": message, "target": target},
            status=status,
        )
    if status == 403:
        raise PermissionDenied(message)
    messages.error(request, message)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


@login_required
@require_POST
def save_constat(request: AuthenticatedHttpRequest, pk: int, constat_pk: int) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, pk)
    constat = get_object_or_404(
        Constat.objects.select_related(
            "audit__auditeur__user", "audit__organisme", "critere", "niveau"
        ),
        pk=constat_pk,
        audit__dossier=dossier,
    )
    audit = constat.audit
    audit.dossier = dossier  # already fetched, with its campaign: the service reads it
    target = f"constat-{constat.pk}"
    caps = mission_capabilities(request.user, dossier, audit)
    if Capability.RECORD_FINDINGS not in caps or audit.locked:
        message = (
            "Le rapport est soumis : les constats ne peuvent plus changer."
            if Capability.CONDUCT_AUDIT in caps and audit.locked
            else "Seul l'auditeur désigné saisit les constats, pendant l'évaluation."
        )
        return _save_error(request, message, target, 403)
    version = _version(request)
    if version is None:
        return _save_error(request, "Version manquante : rechargez la page.", target, 400)
    current = {
        "niveau": str(constat.niveau_id or ""),
        "observation": constat.observation,
        "preuves_examinees": constat.preuves_examinees,
    }
    champs = changed_fields(request, CONSTAT_ORDER, current)
    code = constat.critere.code
    if not champs:
        if request.htmx:
            return _save_error(request, "Aucun champ à enregistrer.", target, 400)
        messages.info(request, "Aucune modification à enregistrer.")
        return redirect(reverse("audits:audit_critere", args=[dossier.pk, code]) + "#constat")
    try:
        results = run_saves(save_constat_field, champs, request, version, constat=constat)
    except ValidationError as exc:
        return _save_error(request, " ".join(exc.messages), target, 400)
    except PermissionDenied as exc:
        return _save_error(request, str(exc), target, 403)
    conflicted = any(not result.ok for _, result, _ in results)
    # The scale is read only when the answer shows a level: a text's autosave needs none.
    niveaux = _niveaux(dossier) if conflicted or results[-1][0] == "niveau" else []
    conflicts = _conflict_rows(results, niveaux)
    if request.htmx:
        if not conflicts:
            champ, result, _mine = results[-1]
            niveau = None
            if champ == "niveau":
                niveau = next((n for n in niveaux if str(n.pk) == result.value), None)
            return render(
                request,
                "audits/auditeur/_save_status.html",
                {
                    "target": target,
                    "result": result,
                    "badge": champ == "niveau",
                    "badge_id": f"badge-{target}",
                    "niveau": niveau,
                },
            )
        context = _critere_context(request, dossier, audit, code, {target: conflicts})
        response = render(request, "audits/auditeur/_constat_form.html", context, status=409)
        return reswap(retarget(response, f"#{target}-block"), "outerHTML")
    if conflicts:
        context = _critere_context(request, dossier, audit, code, {target: conflicts})
        messages.error(
            request,
            "Ce constat a été modifié entre-temps : comparez avant d'enregistrer de nouveau.",
        )
        return render(request, "audits/auditeur/critere.html", context, status=409)
    messages.success(request, "Constat enregistré.")
    return redirect(reverse("audits:audit_critere", args=[dossier.pk, code]) + "#constat")


@login_required
@require_POST
def save_global(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, pk)
    audit = _audit_of(dossier)
    if audit is None:
        raise Http404("Aucune évaluation externe n'est planifiée pour ce dossier.")
    target = f"audit-{audit.pk}"
    caps = mission_capabilities(request.user, dossier, audit)
    if Capability.RECORD_FINDINGS not in caps or audit.locked:
        message = (
            "Le rapport est soumis : il ne peut plus changer."
            if Capability.CONDUCT_AUDIT in caps and audit.locked
            else "Seul l'auditeur désigné rédige le rapport, pendant l'évaluation."
        )
        return _save_error(request, message, target, 403)
    version = _version(request)
    if version is None:
        return _save_error(request, "Version manquante : rechargez la page.", target, 400)
    current = {c: getattr(audit, c) for c in AUDIT_ORDER}
    champs = changed_fields(request, AUDIT_ORDER, current)
    if not champs:
        if request.htmx:
            return _save_error(request, "Aucun champ à enregistrer.", target, 400)
        messages.info(request, "Aucune modification à enregistrer.")
        return redirect(reverse("audits:audit_overview", args=[dossier.pk]) + "#global")
    try:
        results = run_saves(save_audit_field, champs, request, version, audit=audit)
    except ValidationError as exc:
        return _save_error(request, " ".join(exc.messages), target, 400)
    except PermissionDenied as exc:
        return _save_error(request, str(exc), target, 403)
    conflicts = _conflict_rows(results, [])
    if request.htmx:
        if not conflicts:
            audit.refresh_from_db(fields=[*AUDIT_FIELDS])
            return render(
                request,
                "audits/auditeur/_save_status.html",
                {
                    "target": target,
                    "result": results[-1][1],
                    "missing": report_missing_items(audit),
                    "missing_oob": True,
                    "dossier": dossier,
                },
            )
        context = _overview_context(
            request, dossier, _audit_of(dossier) or audit, {target: conflicts}
        )
        response = render(request, "audits/auditeur/_global_form.html", context, status=409)
        return reswap(retarget(response, f"#{target}-block"), "outerHTML")
    if conflicts:
        context = _overview_context(
            request, dossier, _audit_of(dossier) or audit, {target: conflicts}
        )
        messages.error(
            request,
            "Le rapport a été modifié entre-temps : comparez avant d'enregistrer de nouveau.",
        )
        return render(request, "audits/auditeur/overview.html", context, status=409)
    messages.success(request, "Rapport enregistré.")
    return redirect(reverse("audits:audit_overview", args=[dossier.pk]) + "#global")


# --- submission and review ---------------------------------------------------------------------


@login_required
@require_POST
def submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, pk)
    audit = _audit_of(dossier)
    if audit is None:
        raise Http404("Aucune évaluation externe n'est planifiée pour ce dossier.")
    try:
        submit_audit_report(dossier, request.user)
    except TransitionError as exc:
        return render(
            request,
            "audits/auditeur/submit_error.html",
            {
                "dossier": dossier,
                "tab": TAB,
                "audit": audit,
                "error": exc.message,
                "missing": exc.missing,
            },
            status=400,
        )
    messages.success(
        request,
        "Rapport soumis à l'auditeur référent : les constats sont verrouillés jusqu'à sa "
        "relecture.",
    )
    return redirect("audits:audit_overview", pk=dossier.pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The lead auditor reads the whole report, then returns it with remarks or validates it."""
    dossier = get_dossier_for_user(request.user, pk, Capability.REVIEW_AUDIT)
    audit = _audit_of(dossier)
    if audit is None:
        raise Http404("Aucune évaluation externe n'est planifiée pour ce dossier.")
    form = RetourForm()
    error = ""
    if request.method == "POST":
        decision = request.POST.get("decision")
        try:
            if decision == "renvoyer":
                form = RetourForm(request.POST)
                if form.is_valid():
                    return_audit_report(dossier, request.user, form.cleaned_data["remarques"])
                    messages.success(request, "Rapport renvoyé à l'auditeur avec vos remarques.")
                    return redirect("audits:audit_review", pk=dossier.pk)
                error = "Le rapport n'a pas été renvoyé : " + " ".join(
                    str(e) for e in form.errors.get("remarques", [])
                )
            elif decision == "valider":
                validate_audit_report(dossier, request.user)
                messages.success(
                    request,
                    "Rapport validé : les constats sont définitifs et la structure peut "
                    "répondre aux écarts.",
                )
                return redirect("audits:audit_review", pk=dossier.pk)
            else:
                error = "Choisissez : renvoyer le rapport avec remarques, ou le valider."
        except TransitionError as exc:
            error = exc.message
    constats = _constats(audit)
    niveaux = _niveaux(dossier)
    return render(
        request,
        "audits/auditeur/review.html",
        {
            "dossier": dossier,
            "tab": TAB,
            "audit": audit,
            "constats": constats,
            "niveaux": niveaux,
            "summary": _summary(constats, niveaux),
            "revues": list(audit.revues.select_related("par")),
            "form": form,
            "error": error,
        },
        status=400 if error else 200,
    )
