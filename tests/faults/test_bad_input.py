"""Bad input never answers 500 (issue 9, faults): a 50 MB body, malformed form data on every
POST endpoint, unknown or malformed ids in every URL. Built from the URL configuration (like
tests/test_isolation_matrix.py): a new URL with a parameter nobody provides makes the coverage
test fail until it is added here."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import re
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from labelml.structures.roles import Role
from tests.conftest import member, with_totp
from tests.urlmap import iter_patterns

pytestmark = pytest.mark.django_db

PARAM_RE = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>")
APP_LABELS = (
    "accounts",
    "structures",
    "referentiel",
    "campagnes",
    "autoevaluations",
    "plans",
    "notifications",
    "audits",
    "commission",
    "documents",
    "pilotage",
    "suivis",
    "pratiques",
)


# --- the URL configuration ----------------------------------------------------------------


def app_routes() -> list[tuple[str, str]]:
    """Every named URL but Django's admin (its own, tested by Django)."""
    return [(name, route) for name, route, _ in iter_patterns() if not route.startswith("admin/")]


def params_of(route: str) -> list[tuple[str, str]]:
    """(converter, name) of each parameter; regex groups count as str."""
    out = []
    for conv, name, regex_name in PARAM_RE.findall(route):
        out.append((conv or "str", name or regex_name))
    return out


def namespaces() -> list[str]:
    """The apps' namespaces: the walks below run one app at a time, so that pytest-xdist spreads
    them over both cores."""
    return sorted({namespace_of(name) for name, _ in app_routes()})


def namespace_of(name: str) -> str:
    # The root's routes and allauth's have no namespace.
    return name.partition(":")[0] if ":" in name else "-"


def routes_of(namespace: str) -> list[tuple[str, str]]:
    return [(name, route) for name, route in app_routes() if namespace_of(name) == namespace]


# --- the objects every parameter can designate --------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):  # type: ignore[no-untyped-def]
    """Built once for the module, in a transaction rolled back at its end (each test runs in a
    savepoint of it)."""
    from tests.worlds import rolled_back_world

    with rolled_back_world(
        django_db_blocker, MEDIA_ROOT=tmp_path_factory.mktemp("media")
    ) as settle:
        yield settle(build_world())


def build_world() -> dict[str, Any]:
    """A labelled dossier (audit, commission, label, follow-up audit scheduled) and a dossier
    of another Mission Locale in self-assessment, with one object of every kind a URL names."""
    from audits.commission.models import Label, PointOrdreDuJour
    from audits.suivis import services as suivis
    from audits.suivis.models import PointSuivi
    from campagnes.autoevaluations.models import (
        FicheMethodologique,
        Preuve,
        Reponse,
        SyntheseCritere,
    )
    from campagnes.autoevaluations.services import take_snapshot
    from campagnes.plans.models import Action
    from campagnes.services import open_campagne
    from labelml.demo.samples import build_complete_dossier
    from labelml.documents.models import Document
    from labelml.pilotage.models import Export
    from labelml.structures.models import Invitation, Membership, Structure
    from tests.suivis.helpers import due_in

    labelled = build_complete_dossier(seed=7)
    label = Label.objects.get(decision__dossier=labelled)
    suivi = suivis.schedule_followup(due_in(label, 30), today=timezone.localdate())
    assert suivi is not None
    admin = Membership.objects.filter(role=Role.ADMIN_UNML).first().user
    with_totp(admin)
    ml = Structure.objects.create(
        code="ml-bad-input",
        nom="Mission Locale des essais",
        type=Structure.Type.MISSION_LOCALE,
        parent=labelled.structure.parent,
        region=labelled.structure.region,
    )
    dossier = open_campagne(actor=admin, campagne=labelled.campagne, structures=[ml]).created[0]
    direction = member(ml, Role.DIRECTION)
    reponse = (
        Reponse.objects.filter(autoevaluation__dossier=dossier)
        .select_related("element__critere")
        .first()
    )
    synthese = SyntheseCritere.objects.filter(autoevaluation__dossier=dossier).first()
    preuve = Preuve(
        dossier=dossier,
        critere=reponse.element.critere,
        titre="P",
        nom_original="p.pdf",
        type_mime="application/pdf",
        taille=4,
        empreinte="x",
        date_effet=dt.date.today(),
    )
    preuve.fichier.save("p.pdf", ContentFile(b"%PDF"), save=True)
    take_snapshot(dossier, None)
    fiche = FicheMethodologique.objects.create(
        critere=reponse.element.critere, titre="Fiche", fichier="fiches/absente.pdf"
    )
    # A document and an export said ready whose file is not in the storage.
    document = Document.objects.create(
        dossier=labelled,
        type="autoevaluation",
        statut="ready",
        fichier=f"documents/{labelled.pk}/absent.pdf",
        pages=1,
    )
    export = Export.objects.create(
        dataset="dossiers",
        filters={"campagne": labelled.campagne_id, "region": None},
        scope={"national": True, "armls": [], "regions": []},
        filename="dossiers.xlsx",
        statut="ready",
        fichier="exports/absent.xlsx",
        requested_by=admin,
    )
    # A practice of the labelled structure, published and shared publicly (issue 18).
    from audits.pratiques import services as pratiques

    pratique = pratiques.propose(
        labelled,
        Membership.objects.get(structure=labelled.structure, role=Role.DIRECTION).user,
        titre="Pratique",
        description="Description",
        criteres=[labelled.audit.constats.first().critere],
        contact_nom="Contact",
    )
    pratiques.consent(pratique, pratique.propose_par, "public")
    pratiques.publish(pratique, admin)
    return {
        "pratique": pratique,
        "admin": admin,
        "directions": [
            direction,
            Membership.objects.get(structure=labelled.structure, role=Role.DIRECTION).user,
        ],
        "dossier": dossier,
        "labelled": labelled,
        "structure": ml,
        "reponse": reponse,
        "synthese": synthese,
        "preuve": preuve,
        "fiche": fiche,
        "action": Action.objects.create(plan=dossier.plan, titre="A"),
        "suivi_action": Action.objects.filter(plan__dossier=labelled).first(),
        "invitation": Invitation.objects.create(
            email="x@example.fr", structure=ml, role=Role.LECTEUR
        ),
        "element": reponse.element,
        "critere": reponse.element.critere,
        "constat": labelled.audit.constats.first(),
        "document": document,
        "export": export,
        "seance": PointOrdreDuJour.objects.get(dossier=labelled).seance,
        "point": PointOrdreDuJour.objects.get(dossier=labelled),
        "label": label,
        "suivi": suivi,
        "suivi_point": PointSuivi.objects.filter(suivi=suivi).first(),
        "campagne": labelled.campagne,
        "referentiel": labelled.campagne.referentiel,
    }


def valid_kwargs(name: str, route: str, w: dict[str, Any]) -> dict[str, Any]:
    """A valid value of each parameter of the route (None when nobody provides it)."""
    top = route.split("/", 1)[0]
    pk_of = {
        "structures": w["structure"].pk,
        "dossiers": w["dossier"].pk,
        "campagnes": w["campagne"].pk,
        "commission": w["seance"].pk,
        "suivis": w["suivi"].pk,
        "fiches": w["fiche"].pk,
        "pilotage": w["export"].pk,
        "administration": w["directions"][0].pk,
        "comptes": 1,
        "pratiques": w["pratique"].pk,
        "valorisation": w["pratique"].pk,
    }
    point = w["suivi_point"].pk if top == "suivis" else w["point"].pk
    action = w["suivi_action"].pk if top == "suivis" else w["action"].pk
    if top == "dossiers" and name.startswith(("audit_", "document_")):
        pk_of["dossiers"] = w["labelled"].pk
    if top == "api":  # /api/v1/<resource>/<pk>/…/<row_pk>/ (the API's own sweep: tests/api)
        resource = route.split("/")[2]
        pk_of["api"] = {
            "referentiels": w["referentiel"].pk,
            "structures": w["structure"].pk,
            "campagnes": w["campagne"].pk,
        }.get(resource, w["dossier"].pk)
    providers: dict[str, Any] = {
        "pk": pk_of.get(top),
        "reponse_pk": w["reponse"].pk,
        "synthese_pk": w["synthese"].pk,
        "preuve_pk": w["preuve"].pk,
        "empreinte": w["preuve"].empreinte,
        "action_pk": action,
        "invitation_pk": w["invitation"].pk,
        "element_pk": w["element"].pk,
        "constat_pk": w["constat"].pk,
        "document_pk": w["document"].pk,
        "point_pk": point,
        "code": (
            w["referentiel"].code
            if top == "referentiels"
            else w["labelled"].structure.code
            if top == "valorisation"
            else w["critere"].code
        ),
        "version": w["referentiel"].version,
        "numero": w["label"].numero if top in ("labels", "commission", "valorisation") else 1,
        "token": w["invitation"].token,
        "dataset": "dossiers",
        "which": "logo",
        "key": "abc",
        "uidb36": "1",
        "row_pk": {"reponse": w["reponse"].pk, "synthese": w["synthese"].pk}.get(
            name.removeprefix("api_"), w["action"].pk
        ),
    }
    return {param: providers.get(param) for _, param in params_of(route)}


def test_every_url_parameter_has_a_provider(world):
    for name, route in app_routes():
        missing = [p for p, v in valid_kwargs(name, route, world).items() if v is None]
        assert not missing, f"{name} ({route}) : paramètre sans fournisseur {missing}"


# --- bad values -----------------------------------------------------------------------------

BAD_INTS = ["0", "999999", str(2**63), "9" * 30]
BAD_STRS = ["abc", "9" * 30, "x" * 300, "é", "a\x00b"]


def bad_values(converter: str) -> list[str]:
    return BAD_INTS if converter == "int" else BAD_STRS


def url(name: str, kwargs: dict[str, Any]) -> str | None:
    try:
        return reverse(name, kwargs=kwargs)
    except Exception:  # noqa: BLE001 - a value the route's pattern refuses: no such URL
        return None


def token_of(user: Any) -> str:
    from labelml.api.tokens import create_token

    return create_token(user=user, nom="Essais", portee="ecriture", jours=1)[1]


def clients(world: dict[str, Any]) -> dict[str, Client]:
    out = {}
    for label, user in [
        ("direction", world["directions"][0]),
        ("direction du dossier labellisé", world["directions"][1]),
        ("administrateur national", world["admin"]),
    ]:
        client = Client(raise_request_exception=False)
        client.force_login(user)
        # The API (/api/v1/) reads a personal token, the pages the session.
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token_of(user)}"
        out[label] = client
    return out


def request_rolled_back(
    client: Client, method: str, path: str, *, check: bool = False, **kwargs: Any
) -> Any:
    """One request whose writes are undone afterwards (every request sees the same world), with
    the client's cookies put back (a logout or a password change does not end the sweep)."""
    from http.cookies import SimpleCookie

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    saved = {k: v.value for k, v in client.cookies.items()}
    connection.queries_log.clear()  # bounded (9000): one request's queries only
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(path, **kwargs)
        # An error must not have written anything (compared by the caller); the tables are
        # read only when a write statement was sent.
        response.fingerprint = None
        if check and response.status_code >= 400 and any(wrote(q["sql"]) for q in queries):
            response.fingerprint = fingerprint()
        transaction.set_rollback(True)
    client.cookies = SimpleCookie(saved)
    return response


def wrote(sql: str) -> bool:
    return sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))


def fingerprint() -> dict[str, int]:
    """Every row of the project's tables (small here), per model: equal means nothing was
    written."""
    return {
        model._meta.label: hash(repr(list(model.objects.order_by("pk").values_list())))
        for label in APP_LABELS
        for model in apps.get_app_config(label).get_models()
    }


def changed(before: dict[str, int], after: dict[str, int]) -> list[str]:
    return [label for label, value in after.items() if before.get(label) != value]


# Answers other than 404/405 that are right, with the reason. 403: the role may not do this
# at all, said before any lookup (the same for a real id: nothing is revealed).
NOT_404 = {
    "account_confirm_email": (200, "allauth : page « lien invalide ou expiré »"),
    "account_reset_password_from_key": (200, "allauth : page « lien invalide ou expiré »"),
    "audits:audit_answer_gap": (302, "GET : renvoie vers la page des écarts avant toute recherche"),
    "audits:audit_extend_gaps": (302, "GET : renvoie vers la page des écarts, sans rien changer"),
}


@pytest.mark.parametrize("namespace", namespaces())
def test_unknown_or_malformed_ids_answer_404(world, namespace):
    failures: list[str] = []
    all_users = clients(world)
    for name, route in routes_of(namespace):
        params = params_of(route)
        if not params:
            continue
        for label, client in users_for(route, world, all_users).items():
            valid = valid_kwargs(name, route, world)
            variants = []
            for conv, param in params:
                for bad in bad_values(conv):
                    variants.append({**valid, param: bad})
            variants.append({param: bad_values(conv)[-2] for conv, param in params})
            paths = [url(name, kwargs) for kwargs in variants]
            # Each address once (with one parameter, the last variant is one of the others).
            for path in dict.fromkeys(path for path in paths if path is not None):
                for method in ("get", "post"):
                    response = request_rolled_back(client, method, path)
                    status = response.status_code
                    expected = NOT_404.get(name, (404, ""))[0]
                    # A NUL character in a code: PostgreSQL refuses it, 400
                    # (labelml/core/errors.py).
                    nul = "%00" in path and status == 400
                    if status == 500 or not (nul or status in (404, 405, 403, 429, expected)):
                        failures.append(
                            f"{label} {method.upper()} {name} {path[:120]} → {response.status_code}"
                        )
    assert not failures, "\n".join(failures)


# --- malformed form data --------------------------------------------------------------------

# Keys read straight from request.POST by the views (the forms' fields are added below).
POST_KEYS = {
    "armls",
    "avancement",
    "bilan",
    "campagne",
    "champ",
    "conclusion",
    "contributeur",
    "critere",
    "criteres",
    "dataset",
    "date_cloture_autoevaluation",
    "date_debut",
    "date_effet",
    "date_expiration",
    "date_fin",
    "date_ouverture",
    "date_validation",
    "decision",
    "description",
    "echeance",
    "element",
    "element_source",
    "envoyer",
    "fichier",
    "type",
    "labels",
    "lien",
    "motivation",
    "national",
    "next",
    "password",
    "password1",
    "password2",
    "preambule",
    "principes",
    "quorum_pourcentage",
    "region",
    "regions",
    "relu",
    "remarques",
    "responsable",
    "retrait_par",
    "synthese",
    "valeurs",
    "version",
    "niveau",
    "justification",
    "points_forts",
    "axes_amelioration",
    "observation",
    "preuves_examinees",
    "avis_global",
    "progres",
    "recommandation",
    "choix",
    "motif",
    "titre",
    "statut",
    "email",
    "role",
    "login",
    "code",
    "oldpassword",
    "action_corrective",
    "preuves",
    "action_plan",
    "date",
    "lieu",
    "president",
    "membres",
    "rapporteur",
    "auditeur",
    "sites",
    "priorite",
    "commentaire",
    "numero",
    "structures",
    "nom",
    "referentiel",
}


def field_names() -> list[str]:
    """Every field of the project's forms, and the keys the views read themselves."""
    names = set(POST_KEYS)
    for label in APP_LABELS:
        config = apps.get_app_config(label)
        for module_name in ("forms", "forms_auditeur", "preuves_forms"):
            try:
                module = importlib.import_module(f"{config.name}.{module_name}")
            except ModuleNotFoundError:
                continue
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                    names.update(getattr(cls, "base_fields", {}))
    return sorted(names)


def payloads(names: list[str]) -> dict[str, dict[str, Any]]:
    def every(value: Any) -> dict[str, Any]:
        return {name: value for name in names}

    return {
        "vide": {},
        "texte partout": every("abc"),
        "négatifs": every("-1"),
        "entiers trop grands": every("9" * 30),
        "2^63": every(str(2**63)),
        "dates invalides": every("2025-02-30"),
        "octet nul": every("a\x00b"),
        "clés dupliquées": every(["1", "abc", "", "-5"]),
        "valeurs énormes": every("é" * 10_000),
        "chiffres unicode": every("²"),
        "chiffres pleine largeur": every("１２"),
        "version décimale": {**every("1"), "version": "1.5", "champ": "justification"},
        "version négative": {**every("x"), "version": "-3", "champ": "niveau"},
    }


RAW_BODIES = {
    "octets non UTF-8 (urlencoded)": (
        "application/x-www-form-urlencoded",
        b"version=\xff\xfe&champ=justification&justification=\xc3\x28&type=\xe9&titre=%FF",
    ),
    "octets non UTF-8 (multipart)": (
        "multipart/form-data; boundary=XyZ",
        b'--XyZ\r\nContent-Disposition: form-data; name="titre"\r\n\r\n\xff\xfe\xfd\r\n'
        b'--XyZ\r\nContent-Disposition: form-data; name="fichier"; filename="\xe9.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n%PDF-1.4\r\n--XyZ--\r\n",
    ),
    "multipart tronqué": ("multipart/form-data; boundary=XyZ", b"--XyZ\r\nContent-Disp"),
    "multipart sans boundary": ("multipart/form-data", b"titre=abc"),
    "JSON": ("application/json", b'{"version": "abc", "titre": [1, 2'),
}


# Cases also sent as htmx requests (the views answer fragments then).
HTMX_CASES = {"texte partout", "chiffres unicode"}


def users_for(route: str, world: dict[str, Any], users: dict[str, Client]) -> dict[str, Client]:
    """The direction of the dossier the URL designates, and the national administrator."""
    name_of = {c: n for n, c in users.items()}
    labelled = route.startswith("suivis/") or any(
        part in route for part in ("/audit/", "/rapports/")
    )
    direction = users["direction du dossier labellisé" if labelled else "direction"]
    admin = users["administrateur national"]
    return {name_of[direction]: direction, name_of[admin]: admin}


def test_the_payloads_fill_the_fields_the_forms_have():
    assert {"version", "niveau", "justification", "date_debut"} <= set(field_names())


@pytest.mark.parametrize("namespace", namespaces())
def test_malformed_form_data_never_answers_500_nor_changes_data(world, namespace):
    cases = payloads(field_names())
    all_users = clients(world)
    baseline = fingerprint()
    failures: list[str] = []
    for name, route in routes_of(namespace):
        path = url(name, valid_kwargs(name, route, world))
        assert path, name
        for label, client in users_for(route, world, all_users).items():
            attempts: list[tuple[str, dict[str, Any]]] = []
            for case, data in cases.items():
                attempts.append((case, {"data": data}))
                if case in HTMX_CASES:
                    attempts.append((f"{case}, htmx", {"data": data, "HTTP_HX_REQUEST": "true"}))
            attempts += [
                (case, {"data": body, "content_type": ctype})
                for case, (ctype, body) in RAW_BODIES.items()
            ]
            refused_unread = False
            kinds_sent: set[tuple[str, bool]] = set()
            for case, kwargs in attempts:
                kind = (kwargs.get("content_type", ""), "HTTP_HX_REQUEST" in kwargs)
                if refused_unread and kind in kinds_sent:
                    continue  # refused before its body was read: this payload cannot matter
                kinds_sent.add(kind)
                response = request_rolled_back(client, "post", path, check=True, **kwargs)
                status = response.status_code
                where = f"{label} POST {name} [{case}]"
                if status == 500:
                    failures.append(f"{where} → 500")
                elif response.fingerprint is not None and response.fingerprint != baseline:
                    failures.append(
                        f"{where} → {status} mais des données ont changé : "
                        f"{changed(baseline, response.fingerprint)}"
                    )
                if status == 405:
                    break  # not a POST endpoint: the payload does not matter
                refused_unread = status in (403, 404) and not body_was_read(response)
    assert not failures, "\n".join(failures)


def body_was_read(response: Any) -> bool:
    """Whether the view (or a middleware) read the request's body: parsed its form, read its
    bytes or started reading its stream. A request refused without that answers the same
    whatever its body says; another body is then worth sending only with other headers (a
    content type, htmx), which the view may read before refusing."""
    request = response.wsgi_request
    state = vars(request)
    return bool(request._read_started or "_post" in state or "_body" in state)


@pytest.mark.parametrize("namespace", namespaces())
def test_pages_and_their_query_strings_never_answer_500(world, namespace):
    """Every URL read with valid ids (downloads whose file is missing included), then with
    malformed filters in the query string."""
    names = field_names()
    cases = {
        case: data
        for case, data in payloads(names).items()
        if case
        in {
            "vide",
            "texte partout",
            "entiers trop grands",
            "chiffres unicode",
            "octet nul",
            "clés dupliquées",
            "dates invalides",
        }
    }
    all_users = clients(world)
    failures: list[str] = []
    for name, route in routes_of(namespace):
        path = url(name, valid_kwargs(name, route, world))
        assert path, name
        for label, client in users_for(route, world, all_users).items():
            for case, data in cases.items():
                response = request_rolled_back(client, "get", path, data=data)
                if response.status_code == 500:
                    failures.append(f"{label} GET {name} [{case}] → 500")
                if response.status_code == 405:
                    break
    assert not failures, "\n".join(failures)


def test_a_missing_file_is_a_french_404(world):
    client = clients(world)["administrateur national"]
    for path, what in [
        (
            reverse(
                "documents:document_download", args=[world["labelled"].pk, world["document"].pk]
            ),
            "Le fichier de ce rapport est introuvable",
        ),
        (reverse("pilotage:pilotage_export_download", args=[world["export"].pk]), "cet export"),
        (reverse("autoevaluations:fiche_download", args=[world["fiche"].pk]), "cette fiche"),
    ]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert what in response.content.decode(), path


# --- bodies too large -----------------------------------------------------------------------

MB = 1024 * 1024


class CountingInput:
    """wsgi.input that makes up `size` bytes of a multipart body and counts what is read."""

    def __init__(self, size: int, *, multipart: bool) -> None:
        self.size = size
        head = (
            b'--XyZ\r\nContent-Disposition: form-data; name="fichier"; filename="gros.pdf"\r\n'
            b"Content-Type: application/pdf\r\n\r\n%PDF-1.4\n"
            if multipart
            else b"justification="
        )
        self.head = head
        self.read_bytes = 0

    def read(self, n: int = -1) -> bytes:
        left = self.size - self.read_bytes
        n = left if n is None or n < 0 else min(n, left)
        start, self.read_bytes = self.read_bytes, self.read_bytes + n
        data = (self.head + b"x" * n)[start : start + n] if start < len(self.head) else b"x" * n
        return data

    def readline(self, n: int = -1) -> bytes:
        return self.read(n if n and n > 0 else 65536)


def raw_post(client: Client, path: str, stream: CountingInput, content_type: str) -> Any:
    """The request through the real WSGI handler (CSRF enforced, as for a browser), its body
    read from `stream`."""
    from django.core import signals
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import close_old_connections

    status: list[str] = []
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": stream,
        "wsgi.errors": __import__("sys").stderr,
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(stream.size),
        "HTTP_COOKIE": "; ".join(f"{k}={v.value}" for k, v in client.cookies.items()),
        "HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value,
    }
    # As Django's test client: the test's transaction (and connection) outlives the request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        response = WSGIHandler()(environ, lambda s, h, *a: status.append(s))
        body = b"".join(response)
        response.close()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    return int(status[0].split()[0]), body.decode()


@pytest.mark.parametrize("multipart", [True, False], ids=["fichier", "formulaire"])
def test_a_50_mb_body_is_refused_with_413_before_being_read(world, multipart):
    from campagnes.autoevaluations.models import Preuve

    client = clients(world)["direction"]
    dossier = world["dossier"]
    page = client.get(
        reverse("autoevaluations:preuve_add", args=[dossier.pk])
    )  # sets the CSRF cookie
    assert page.status_code == 200
    if multipart:
        path = reverse("autoevaluations:preuve_add", args=[dossier.pk])
        content_type = "multipart/form-data; boundary=XyZ"
    else:
        path = reverse(
            "autoevaluations:autoevaluation_save_reponse", args=[dossier.pk, world["reponse"].pk]
        )
        content_type = "application/x-www-form-urlencoded"
    before = Preuve.objects.count(), world["reponse"].version
    stream = CountingInput(50 * MB, multipart=multipart)
    status, body = raw_post(client, path, stream, content_type)
    assert status == 413, body[:500]
    assert "Envoi trop volumineux" in body
    assert stream.read_bytes < MB, stream.read_bytes  # refused on its declared length
    world["reponse"].refresh_from_db()
    assert (Preuve.objects.count(), world["reponse"].version) == before


def test_the_upload_limit_lets_the_largest_evidence_through():
    from campagnes.autoevaluations.preuves import PREUVE_MAX_BYTES
    from labelml.core.uploads import MAX_REQUEST_BYTES

    # A file a little too large gets the form's own message (tests/preuves); 50 MB a 413.
    assert PREUVE_MAX_BYTES + 2 * MB < MAX_REQUEST_BYTES < 50 * MB


def test_a_form_over_the_limit_through_the_test_client_is_a_413(world):
    client = clients(world)["direction"]
    dossier, reponse = world["dossier"], world["reponse"]
    response = client.post(
        reverse("autoevaluations:autoevaluation_save_reponse", args=[dossier.pk, reponse.pk]),
        {"champ": "justification", "version": reponse.version, "justification": "x" * (3 * MB)},
    )
    assert response.status_code == 413
    assert "Envoi trop volumineux" in response.content.decode()
