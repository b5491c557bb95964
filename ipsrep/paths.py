"""Where the project's bundled files live, and how a user-given path is resolved."""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
DATA_DIR = PROJECT_ROOT / "data"
PUBLISHED_DIR = DATA_DIR / "published"
RECONSTRUCTED_CSV = DATA_DIR / "reconstructed" / "ips_in_pain.csv"
BUNDLED_DATA = "data/reconstructed/ips_in_pain.csv"
WITHIN_PERSON_R_CSV = DATA_DIR / "reconstructed" / "within_person_r.csv"
CALIBRATION_CSV = DATA_DIR / "reconstructed" / "mixed_calibration.csv"
RANKING_CSV = DATA_DIR / "reconstructed" / "mixed_ranking.csv"
NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"
REPORT_DIR = PROJECT_ROOT / "reports"
SPHINX_FILES_DIR = PACKAGE_DIR / "report" / "sphinx_files"
"""Sphinx configuration, style, script, glossary and bibliography of the report site."""


def resolve(path: str | os.PathLike) -> Path:
    """Resolve `path`: absolute as given, relative to the working directory when it exists
    there, otherwise relative to the project root (so notebooks executed from `reports/`
    find `data/...`)."""
    p = Path(path)
    if p.is_absolute() or p.exists():
        return p.resolve()
    return (PROJECT_ROOT / p).resolve()


def is_bundled(path: str | Path) -> bool:
    """True when `path` is the bundled synthetic reconstruction."""
    return resolve(path) == RECONSTRUCTED_CSV.resolve()
