"""`make security`, first half: pip-audit of the pinned production dependencies
(requirements/base.txt) against PyPI's vulnerability data.

Exit 1 on any known vulnerability not accepted below, and when some dependencies could not be
checked while others could (a gap, as with --strict). When the vulnerability service answers
for none of them (no network, or a package mirror without PyPI's per-version JSON API), say so
clearly and exit 0: the audit could not run, which is not a finding; CI with access to
pypi.org runs it for real.

Accepted findings: ACCEPTED maps a vulnerability id to the reason it does not apply (listed in
docs/security.md too). Empty today."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements" / "base.txt"
ACCEPTED: dict[str, str] = {}
UNREACHABLE = ("ConnectionError", "ProxyError", "ConnectTimeout", "ReadTimeout", "SSLError")


def main() -> int:
    pip_audit = Path(sys.executable).with_name("pip-audit")
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "audit.json"
        command = [
            str(pip_audit),
            "--requirement",
            str(REQUIREMENTS),
            # The file is fully pinned by `make lock`: read the pins, resolve nothing.
            "--no-deps",
            "--disable-pip",
            "--progress-spinner",
            "off",
            "--format",
            "json",
            "--output",
            str(report),
            *(f"--ignore-vuln={vuln}" for vuln in ACCEPTED),
        ]
        result = subprocess.run(command, capture_output=True, text=True)  # noqa: S603
        if not report.exists():
            if any(name in result.stderr for name in UNREACHABLE):
                print(
                    "pip-audit : service de vulnérabilités injoignable (pas de réseau vers "
                    "pypi.org) — audit des dépendances NON effectué."
                )
                return 0
            sys.stderr.write(result.stdout + result.stderr)
            return result.returncode or 2
        dependencies = json.loads(report.read_text())["dependencies"]

    findings = [
        (dep["name"], dep["version"], vuln)
        for dep in dependencies
        for vuln in dep.get("vulns", [])
        if vuln["id"] not in ACCEPTED
    ]
    skipped = [dep for dep in dependencies if dep.get("skip_reason")]
    for name, version, vuln in findings:
        fixes = ", ".join(vuln.get("fix_versions") or []) or "aucune"
        print(f"VULNÉRABILITÉ {name} {version} : {vuln['id']} (corrigée en : {fixes})")
        print(f"    {(vuln.get('description') or '').strip()[:300]}")
    if findings:
        print(f"pip-audit : {len(findings)} vulnérabilité(s) connue(s) — à corriger (make lock).")
        return 1
    if skipped and len(skipped) == len(dependencies):
        print(
            f"pip-audit : le service de vulnérabilités n'a répondu pour aucune des "
            f"{len(dependencies)} dépendances ({skipped[0]['skip_reason']}) : miroir sans "
            "l'API JSON par version de PyPI ? — audit des dépendances NON effectué."
        )
        return 0
    if skipped:
        for dep in skipped:
            print(f"NON VÉRIFIÉE {dep['name']} : {dep['skip_reason']}")
        print(f"pip-audit : {len(skipped)} dépendance(s) non vérifiée(s).")
        return 1
    accepted = f" ({len(ACCEPTED)} acceptée(s), docs/security.md)" if ACCEPTED else ""
    print(
        f"pip-audit : aucune vulnérabilité connue dans {len(dependencies)} dépendances{accepted}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
