"""The shipped référentiel is a verbatim transcription of its source document (the seed)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

SEED = ROOT.parent / "shared" / "seeds" / "001_6247309172280f05.txt"
SCRIPT = ROOT / "scripts" / "check_fixture_against_seed.py"


def test_shipped_fixture_is_a_verbatim_transcription_of_the_seed():
    if not SEED.exists():
        reason = f"source du référentiel absente : {SEED}"
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)

    completed = subprocess.run(
        [sys.executable, str(SCRIPT), "--whole"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    report = completed.stdout + completed.stderr
    assert completed.returncode == 0, report
    assert "OK: transcription matches the seed" in completed.stdout
    assert "criteria: 24" in completed.stdout
