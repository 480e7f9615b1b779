"""The simulated people of `make bench-load` (started by run.py: `locust --headless`).

Each locust user is one account of the seeded national data (targets from prepare.py, in
BENCH_TARGETS): quality referents and directions autosaving their self-assessment's answers
(a level, a justification) and reading the criterion page now and then, auditors (password, then
TOTP) autosaving their findings. Every request goes out as the browser's would: htmx headers, the
CSRF token, the session cookie. Each person sends its next request as soon as the previous one is
answered (no think time: each stands for many people who save every few seconds).

The run is bounded and paced by a controller, not by locust's -t: everyone logs in (not
measured), then BENCH_SECONDS of saves, then BENCH_FLOOR_SECONDS of the floor (the same people
posting to the bench-only minimal view), then a short grace for the answers in flight. Every
request and every save attempt is recorded; the file (BENCH_RESULTS) is read by run.py.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import gevent
from gevent.event import Event
from locust import FastHttpUser, constant, events, task
from locust.env import Environment
from locust.exception import StopUser

from scripts.bench_load.analysis import parse_version, totp

TARGETS: dict[str, Any] = json.loads(Path(os.environ["BENCH_TARGETS"]).read_text("utf-8"))
RESULTS = Path(os.environ["BENCH_RESULTS"])
SAVE_SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
FLOOR_SECONDS = float(os.environ.get("BENCH_FLOOR_SECONDS", "20"))
READ_EVERY = int(os.environ.get("BENCH_READ_EVERY", "10"))
AUDITORS = int(os.environ.get("BENCH_AUDITORS", "8"))
LOGIN_TIMEOUT = float(os.environ.get("BENCH_LOGIN_TIMEOUT", "180"))
GRACE = 5.0
RUN = f"{random.SystemRandom().getrandbits(24):06x}"  # texts never repeat from a run to another
SERVER_PID = int(os.environ.get("BENCH_SERVER_PID", "0"))
DB_NAME = os.environ.get("BENCH_DB", "")

TEXTS = (
    "Les jeunes sont reçus sous huit jours ; le délai est suivi chaque mois en réunion d'équipe "
    "et présenté au conseil d'administration.",
    "Une procédure écrite décrit l'accueil ; elle a été revue cette année avec les conseillers "
    "et affichée dans les trois antennes.",
    "Le partenariat avec France Travail fait l'objet d'une convention locale et de comités "
    "techniques trimestriels, comptes rendus à l'appui.",
    "Les réclamations sont enregistrées dans un registre, analysées chaque trimestre et donnent "
    "lieu à des actions d'amélioration suivies.",
)


class State:
    """What the controller and the users share (one process, gevent)."""

    phase = "login"
    ready = 0
    failed = 0
    go = Event()
    marks: dict[str, float] = {}
    samples: list[tuple[float, dict[str, float]]] = []  # (monotonic time, _processes())
    requests: list[list[Any]] = []  # phase, kind, start, end, status, ok
    attempts: list[list[Any]] = []  # kind, pk, champ, value, version, acked, written
    editors = iter(TARGETS["editors"])
    auditors = iter(TARGETS["auditors"])
    addresses = itertools.count(1)
    results_written = False


def _write_results() -> None:
    if State.results_written:
        return
    State.results_written = True
    RESULTS.write_text(
        json.dumps(
            {
                "marks": State.marks,
                "samples": State.samples,
                "requests": State.requests,
                "attempts": State.attempts,
                "ready": State.ready,
                "failed_logins": State.failed,
            }
        ),
        encoding="utf-8",
    )


def _processes() -> dict[str, float]:
    """CPU seconds used so far by each gunicorn worker ("app:<pid>"), each PostgreSQL backend
    of the bench database ("db:<pid>") and this process ("client")."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[str, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes() if DB_NAME else b""
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        ppid, used = int(fields[1]), (int(fields[11]) + int(fields[12])) / tick
        if SERVER_PID and ppid == SERVER_PID:
            out[f"app:{entry.name}"] = used
        elif cmdline.startswith(b"postgres: ") and f" {DB_NAME} ".encode() in cmdline:
            out[f"db:{entry.name}"] = used
    usage = os.times()
    out["client"] = usage.user + usage.system
    return out


def _sample() -> float:
    """Take a CPU sample; returns its time (a phase's mark)."""
    sample = _processes()
    at = time.monotonic()
    State.samples.append((at, sample))
    return at


def _sampler() -> None:
    """Every second: a backend closed during the run (connections live DATABASE_CONN_MAX_AGE
    seconds) is counted up to its last sample."""
    while State.phase != "done":
        _sample()
        gevent.sleep(1.0)


def _control(environment: Environment) -> None:
    """Logins, then the saves, then the floor, then stop: the marks and CPU samples at each
    boundary."""
    expected = environment.parsed_options.num_users if environment.parsed_options else 0
    deadline = time.monotonic() + LOGIN_TIMEOUT
    while State.ready + State.failed < expected and time.monotonic() < deadline:
        gevent.sleep(0.1)
    State.marks["logged_in"] = time.monotonic()
    State.phase = "saves"
    State.marks["saves_start"] = _sample()
    gevent.spawn(_sampler)
    State.go.set()
    gevent.sleep(SAVE_SECONDS)
    State.phase = "floor"
    State.marks["saves_end"] = _sample()
    gevent.sleep(1.0)  # the saves in flight are answered
    State.marks["floor_start"] = _sample()
    gevent.sleep(max(FLOOR_SECONDS - 1.0, 1.0))
    State.phase = "done"
    State.marks["floor_end"] = _sample()
    gevent.sleep(GRACE)  # the answers in flight come back; nobody sends anything new
    _write_results()
    if environment.runner is not None:
        environment.runner.quit()


@events.test_start.add_listener
def _on_test_start(environment: Environment, **_kwargs: Any) -> None:
    gevent.spawn(_control, environment)


@events.quitting.add_listener
def _on_quitting(environment: Environment, **_kwargs: Any) -> None:
    _write_results()


class Person(FastHttpUser):
    abstract = True
    wait_time = constant(0)
    network_timeout = 30.0
    connection_timeout = 10.0

    email = ""
    csrf = ""

    def on_start(self) -> None:
        n = next(State.addresses)
        # Behind the production proxy each person has their own address (see settings.py).
        self.forwarded = f"127.{n // 62500 % 250}.{n // 250 % 250}.{n % 250 + 1}"
        self.rng = random.Random(n)
        self.tag = f"{RUN}-p{n}"
        self.seq = 0
        self.actions = 0
        try:
            self.assign()
            self.login()
        except Exception as exc:  # noqa: BLE001 - recorded, the run goes on without this person
            State.failed += 1
            State.requests.append(["login", "login", 0.0, 0.0, 0, False])
            print(f"Connexion impossible ({self.email}) : {exc!r}")
            raise StopUser() from exc
        State.ready += 1
        State.go.wait()

    def assign(self) -> None:
        raise NotImplementedError

    # --- HTTP ---------------------------------------------------------------------------------

    def _cookie(self, name: str) -> str:
        for cookie in self.client.cookiejar:
            if cookie.name == name:
                return cookie.value or ""
        return ""

    def send(
        self,
        kind: str,
        method: str,
        path: str,
        *,
        data: dict[str, str] | None = None,
        expect: tuple[int, ...] = (200,),
        htmx: bool = True,
        name: str | None = None,
    ) -> tuple[int, str, str]:
        """One request, recorded; returns its status, body and Location header."""
        headers = {"X-Forwarded-For": self.forwarded}
        if htmx:
            headers["HX-Request"] = "true"
        body = None
        if data is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.csrf
            body = urlencode(data)
        phase = State.phase
        start = time.monotonic()
        with self.client.request(
            method,
            path,
            name=name or kind,
            data=body,
            headers=headers,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            end = time.monotonic()
            status = response.status_code or 0
            text = response.text or ""
            location = (response.headers or {}).get("location") or ""
            ok = status in expect
            if ok:
                response.success()
            else:
                response.failure(f"HTTP {status}")
        State.requests.append([phase, kind, start, end, status, ok])
        return status, text, location

    def login(self) -> None:
        status, _, _ = self.send("login", "GET", "/comptes/login/", htmx=False)
        if status != 200:
            raise RuntimeError(f"page de connexion : HTTP {status}")
        self.csrf = self._cookie("csrftoken")
        status, _, location = self.send(
            "login",
            "POST",
            "/comptes/login/",
            data={
                "login": self.email,
                "password": TARGETS["password"],
                "csrfmiddlewaretoken": self.csrf,
            },
            expect=(302,),
            htmx=False,
        )
        if status != 302:
            raise RuntimeError(f"mot de passe : HTTP {status}")
        if "/2fa/authenticate" in location:
            self.send("login", "GET", location, htmx=False, name="login 2fa")
            self.csrf = self._cookie("csrftoken")
            if time.time() % 30 > 27:  # never a code about to expire
                gevent.sleep(30 - time.time() % 30 + 0.1)
            status, _, _ = self.send(
                "login",
                "POST",
                location,
                data={"code": totp(TARGETS["totp_secret"]), "csrfmiddlewaretoken": self.csrf},
                expect=(302,),
                htmx=False,
                name="login 2fa",
            )
            if status != 302:
                raise RuntimeError(f"code TOTP : HTTP {status}")
        self.csrf = self._cookie("csrftoken")  # rotated at login

    # --- the work -----------------------------------------------------------------------------

    @task
    def step(self) -> None:
        if State.phase == "saves":
            self.actions += 1
            if READ_EVERY and self.actions % READ_EVERY == 0:
                self.read()
            else:
                self.save()
        elif State.phase == "floor":
            self.send("floor", "POST", "/bench/floor/", data={"x": "1"})
        else:
            gevent.sleep(0.2)

    def read(self) -> None:
        raise NotImplementedError

    def save(self) -> None:
        raise NotImplementedError

    def text(self) -> str:
        self.seq += 1
        return f"[{self.tag}-{self.seq}] {self.rng.choice(TEXTS)}"

    def post_save(self, kind: str, path: str, obj: dict[str, Any], champ: str, value: str) -> None:
        """One autosave of `champ` of `obj` (its pk and the version this person last saw)."""
        attempt = [kind, obj["pk"], champ, value, obj["version"] + 1, False, True]
        State.attempts.append(attempt)
        status, text, _ = self.send(
            "save",
            "POST",
            path,
            data={"champ": champ, "version": str(obj["version"]), champ: value},
            expect=(200, 409),
            name=f"save {kind}",
        )
        version = parse_version(text) if status in (200, 409) else None
        if status == 200 and version is not None:
            # Acknowledged; the same value again is acknowledged without a write (same version).
            attempt[4], attempt[5], attempt[6] = version, True, version != obj["version"]
            obj["version"] = version
            obj[champ] = value
        elif status == 409:
            State.attempts.remove(attempt)  # refused: nothing was written
            if version is not None:
                obj["version"] = version
        elif status == 200:
            State.requests[-1][5] = False  # a 200 without the new version is no acknowledgement


class Editor(Person):
    """A quality referent or a direction: levels and justifications of their answers."""

    weight = 1

    def assign(self) -> None:
        target = next(State.editors)
        self.email = target["email"]
        self.dossier = target["dossier"]
        self.reponses = target["reponses"]
        self.niveaux = [str(n) for n in TARGETS["niveaux"][str(target["echelle"])]]
        self.current = 0
        self.champs = itertools.cycle(("niveau", "justification", "justification"))

    def save(self) -> None:
        champ = next(self.champs)
        if champ == "niveau":
            self.current = (self.current + 1) % len(self.reponses)
        reponse = self.reponses[self.current]
        if champ == "niveau":
            value = self.rng.choice([n for n in self.niveaux if n != reponse.get("niveau")])
        else:
            value = self.text()
        path = f"/dossiers/{self.dossier}/autoevaluation/reponses/{reponse['pk']}/"
        self.post_save("reponse", path, reponse, champ, value)

    def read(self) -> None:
        code = self.reponses[self.current]["critere"]
        self.send(
            "read",
            "GET",
            f"/dossiers/{self.dossier}/autoevaluation/criteres/{code}/",
            htmx=False,
            name="read critere",
        )


class Auditor(Person):
    """An assigned auditor: the level, observation and evidence examined of their findings."""

    fixed_count = AUDITORS

    def assign(self) -> None:
        target = next(State.auditors)
        self.email = target["email"]
        self.constats = [
            (m["dossier"], m["echelle"], c) for m in target["missions"] for c in m["constats"]
        ]
        self.current = 0
        self.champs = itertools.cycle(("niveau", "observation", "preuves_examinees"))

    def save(self) -> None:
        champ = next(self.champs)
        if champ == "niveau":
            self.current = (self.current + 1) % len(self.constats)
        dossier, echelle, constat = self.constats[self.current]
        if champ == "niveau":
            niveaux = [str(n) for n in TARGETS["niveaux_audit"][str(echelle)]]
            value = self.rng.choice([n for n in niveaux if n != constat.get("niveau")])
        else:
            value = self.text()
        path = f"/dossiers/{dossier}/audit/constats/{constat['pk']}/"
        self.post_save("constat", path, constat, champ, value)

    def read(self) -> None:
        dossier, _, constat = self.constats[self.current]
        self.send(
            "read",
            "GET",
            f"/dossiers/{dossier}/audit/criteres/{constat['critere']}/",
            htmx=False,
            name="read audit",
        )
