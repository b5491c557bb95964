"""The fixture report's inputs and build, shared by ``test_build.py``, ``test_safety.py`` and
the session-scoped ``fixture_report`` of ``conftest.py``.

The two notebooks of ``tests/fixtures/notebooks/ok`` run on a five-participant data file
written here; ``tests/fixtures/notebooks/broken`` holds one that divides by zero in its
fourth cell. Imported as ``tests.fixture_build`` (``pythonpath = ["."]`` in pyproject.toml).
"""
from __future__ import annotations

import contextlib
import csv
import io
from pathlib import Path

import pytest

from ipsrep import cli
from ipsrep.inputs import contract
from ipsrep.report import build

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
OK = FIXTURES / "ok"
BROKEN = FIXTURES / "broken"
FIXED_DIGEST = "0" * 64
"""Stands in for ipsrep.report.build.inputs_digest, so that other people's edits to the ipsrep
package during a test run cannot turn an expected cache hit into a miss."""

PARTICIPANTS = [  # id, group, age
    ("FX-001", "IPS", 30),
    ("FX-002", "IPS", 35),
    ("FX-003", "IPS", 40),
    ("FX-004", "TAU", 45),
    ("FX-005", "TAU", 50),
]


def write_trial(path: Path, rows=PARTICIPANTS, age_override: dict | None = None, **overrides) -> Path:
    """A contract-valid CSV with the given (id, group, age) rows, other columns filled or empty;
    `age_override` maps ids to other ages, `overrides` set cells of every row."""
    columns = contract.column_names()
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, columns)
        writer.writeheader()
        for pid, group, age in rows:
            row = {c: "" for c in columns}
            row.update(participant_id=pid, group=group, age=(age_override or {}).get(pid, age),
                       female=1, higher_education=0, married=1, has_children=0,
                       out_of_work_over_2y=0, benefits="none", employed_6m=0, employed_12m=1,
                       employed_24m=1, hours_12m=12.5, worked_20h_week_12m=0, odi_0m=30,
                       eqvas_0m=55, hscl_0m=2.0, bpi_current_0m=5)
            row.update(overrides)
            writer.writerow(row)
    return path


def run_build(**kwargs) -> tuple[int, str]:
    """cli.build_command with the fixed inputs digest; returns (exit status, stderr text)."""
    err = io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stderr(err):
        mp.setattr(build, "inputs_digest", lambda source, **kw: FIXED_DIGEST)
        status = cli.build_command(**kwargs)
    return status, err.getvalue()
