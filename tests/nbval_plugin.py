"""pytest plugin for ``make nbval``: re-run the committed notebooks as the build ran them.

``ipsrep build`` executes every notebook with the project root as working directory and
with :data:`ipsrep.report.build.KERNEL_ENV` in the kernel's environment (a fixed hash seed, so
set-ordered output reads the same every run). nbval would start its kernel in the
notebook's own folder (``reports/``) with the caller's environment; this plugin gives
it the build's working directory and environment instead, so that relative paths in
notebook parameters resolve the same way and outputs can be compared as stored.

It also executes cells with ``store_history=True``, as Jupyter and papermill do: nbval
sends them with ``store_history=False``, and then IPython cannot see a trailing ``;``
and shows the value a plotting cell meant to hide (``Text(0, 0.5, ...)``).

Loaded explicitly: ``python -m pytest -p tests.nbval_plugin --nbval reports/*.ipynb``.
"""
from __future__ import annotations

import os

import nbval.plugin

from ipsrep.paths import PROJECT_ROOT
from ipsrep.report.build import KERNEL_ENV

_NbvalKernel = nbval.plugin.RunningKernel


class ProjectRootKernel(_NbvalKernel):
    """nbval's kernel, started in the project root whatever folder the notebook is in,
    executing cells as a notebook front end does."""

    def __init__(self, kernel_name, cwd=None, startup_timeout=60):
        super().__init__(kernel_name, cwd=str(PROJECT_ROOT), startup_timeout=startup_timeout)

    def execute_cell_input(self, cell_input, allow_stdin=None):
        return self.kc.execute(cell_input, store_history=True, allow_stdin=allow_stdin,
                               stop_on_error=False)


def pytest_configure(config):
    os.environ.update(KERNEL_ENV)
    nbval.plugin.RunningKernel = ProjectRootKernel
