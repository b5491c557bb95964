"""Shared pytest configuration and the fixtures more than one test file uses.

``trial`` is the bundled synthetic reconstruction as ``ipsrep.inputs.contract.load_trial``
reads it: read once per session, a fresh copy for every test (a test may change it).
Files that need other data build it under their own fixture names (``table2_trial``,
``hours_trial``, ``simulated``, ...), so that ``trial`` means one thing everywhere.

``tests/fixtures/`` holds notebooks (jupytext ``.py`` files) that ``ipsrep build`` runs in
``tests/test_build.py``; they are inputs, not test modules, so ``--doctest-modules``
(set in pyproject.toml) must not import them.

``fixture_report`` builds the two fixture notebooks of ``tests/fixtures/notebooks/ok`` on a
five-participant file once per session (``tests/fixture_build.py``); ``test_build.py`` and
``test_safety.py`` each take a copy of its report and cache (``FixtureReport.copy_to``), since
they rebuild into them and tamper with the cache.

``bundled_report`` builds the real report (every notebook, the bundled reconstruction)
once per test session into a temporary folder, for the tests that need a whole report:
the browser test and the re-execution test. It uses the project's build cache, so after
a ``make report`` it takes seconds.
"""
from __future__ import annotations

import contextlib
import io
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

collect_ignore_glob = ["fixtures/*"]

SLOW_FIXTURES = frozenset({
    # builds of a report (the fixture notebooks or the real ones)
    "fixture_report", "site", "built", "bundled_report", "report", "report_copy", "hostile_site",
    "renamed", "odi_changed", "work", "resampled_300", "release_300", "holder_file",
    # peers and services: Chromium, R, a Dask cluster
    "chromium", "browser", "r_12m", "cases", "cluster",
})
"""Fixtures that build a report or start a peer: every test using one is marked ``slow``
(``make check`` leaves those out); a slow test without one carries the mark itself."""


def pytest_collection_modifyitems(config, items):
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def _bundled_trial() -> pd.DataFrame:
    from ipsrep import paths
    from ipsrep.inputs.contract import load_trial

    return load_trial(paths.RECONSTRUCTED_CSV)


@pytest.fixture
def trial(_bundled_trial) -> pd.DataFrame:
    """The bundled synthetic reconstruction (``data/reconstructed/ips_in_pain.csv``)."""
    return _bundled_trial.copy()


@pytest.fixture(scope="session")
def bundled_report(tmp_path_factory) -> Path:
    """Folder of a fresh ``ipsrep build`` of the real notebooks on the bundled data."""
    from ipsrep import cli

    out = tmp_path_factory.mktemp("bundled") / "report"
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        status = cli.build_command(out=out)
    assert status == 0, err.getvalue()[-3000:]
    return out


@dataclass(frozen=True)
class FixtureReport:
    """One build of the fixture notebooks: its data file, report folder, cache, exit status
    and standard error."""

    data: Path
    out: Path
    cache: Path
    status: int
    err: str

    def copy_to(self, root: Path) -> dict:
        """The report and cache copied under `root` (file times kept), the data file shared
        (no test changes it): the keys ``root data out cache status err``."""
        shutil.copytree(self.out, root / "report", symlinks=True)
        shutil.copytree(self.cache, root / "cache", symlinks=True)
        return {"root": root, "data": self.data, "out": root / "report", "cache": root / "cache",
                "status": self.status, "err": self.err}


@pytest.fixture(scope="session")
def fixture_report(tmp_path_factory) -> FixtureReport:
    """The ok fixture notebooks built once on the five-participant file (two jobs, own cache)."""
    from ipsrep.inputs import contract
    from tests.fixture_build import OK, run_build, write_trial

    root = tmp_path_factory.mktemp("fixture-report")
    data = write_trial(root / "trial.csv")
    assert contract.check_trial_file(data) == []
    status, err = run_build(data=str(data), out=root / "report", notebooks_dir=OK, jobs=2, cache_dir=root / "cache")
    return FixtureReport(data=data, out=root / "report", cache=root / "cache", status=status, err=err)
