"""Shared pytest configuration.

``tests/fixtures/`` holds notebooks (jupytext ``.py`` files) that ``ipsrep build`` runs in
``tests/test_build.py``; they are inputs, not test modules, so ``--doctest-modules``
(set in pyproject.toml) must not import them.

``bundled_report`` builds the real report (every notebook, the bundled reconstruction)
once per test session into a temporary folder, for the tests that need a whole report:
the browser test and the re-execution test. It uses the project's build cache, so after
a ``make report`` it takes seconds.
"""
from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

collect_ignore_glob = ["fixtures/*"]


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
