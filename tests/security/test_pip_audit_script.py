"""scripts/pip_audit.py (`make security`): fails on a known vulnerability or a partial audit,
says so without failing when the vulnerability service answers for nothing."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from scripts import pip_audit

OK = {"name": "django", "version": "5.2.19", "vulns": []}
SKIPPED = {"name": "amqp", "skip_reason": "Dependency not found on PyPI"}
VULNERABLE = {
    "name": "django",
    "version": "5.2.0",
    "vulns": [{"id": "PYSEC-0000-1", "fix_versions": ["5.2.1"], "description": "Une faille."}],
}


def fake_run(dependencies: list[dict[str, Any]] | None, stderr: str = "") -> Any:
    def run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        if dependencies is not None:
            output = Path(command[command.index("--output") + 1])
            output.write_text(json.dumps({"dependencies": dependencies}))
        return subprocess.CompletedProcess(command, 1 if stderr else 0, "", stderr)

    return run


@pytest.mark.parametrize(
    ("dependencies", "stderr", "code", "said"),
    [
        ([OK], "", 0, "aucune vulnérabilité connue"),
        ([OK, VULNERABLE], "", 1, "PYSEC-0000-1"),
        ([OK, SKIPPED], "", 1, "non vérifiée"),
        ([SKIPPED, SKIPPED], "", 0, "NON effectué"),
        (None, "requests.exceptions.ConnectionError: pypi.org", 0, "injoignable"),
        (None, "Traceback: ValueError", 1, ""),
    ],
)
def test_exit_codes(monkeypatch, capsys, dependencies, stderr, code, said):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(pip_audit.subprocess, "run", fake_run(dependencies, stderr))
    assert pip_audit.main() == code
    assert said in capsys.readouterr().out


def test_the_pins_are_read_as_they_are(monkeypatch):  # type: ignore[no-untyped-def]
    seen: list[list[str]] = []

    def run(command: list[str], **kwargs: Any) -> Any:
        seen.append(command)
        return fake_run([OK])(command)

    monkeypatch.setattr(pip_audit.subprocess, "run", run)
    pip_audit.main()
    assert "--no-deps" in seen[0] and "--disable-pip" in seen[0]
    assert seen[0][seen[0].index("--requirement") + 1].endswith("requirements/base.txt")
