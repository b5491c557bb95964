"""Rendering: executed notebooks in, every HTML file of the report site out.

The one interface between the build and whatever draws the pages is
:func:`render_site`. The build hands it the pages (:class:`ipsrep.report.pages.Page`:
the executed notebook, its title and its ledger rows), the data in use
(:class:`ipsrep.report.context.DataInUse`), the parameters the notebooks ran with and
whether code is shown; it writes ``index.html``, one page per notebook and any asset
into an empty folder. It does not copy the executed notebooks or ``ledger.csv`` (the
build does), check the pages (the build checks every file of the folder, see
:mod:`ipsrep.report.check`) or publish them (:mod:`ipsrep.report.publish`).

This implementation renders with Sphinx, MyST-NB and sphinx-book-theme
(:mod:`ipsrep.report.sphinx_site`).
"""
from __future__ import annotations

import hashlib
from importlib import metadata as importlib_metadata
from pathlib import Path

from ipsrep import paths
from ipsrep.report.context import DataInUse
from ipsrep.report.pages import Page
from ipsrep.report.sphinx_site import SITE_LIBRARIES, render_sphinx_site

__all__ = ["render_site", "renderer_digest"]

RENDERER_FILES = ("report/pages.py", "report/myst_pages.py", "report/front_page.py", "report/sphinx_site.py",
                  "report/sphinx_files", "report/tables.py", "report/scorecard.py", "report/render.py")
"""Parts of the package that shape the pages (their bytes are part of the site's cache key)."""

RENDERER_LIBRARIES = (*SITE_LIBRARIES, "pandas")
"""Libraries whose versions shape the pages."""


def render_site(pages: list[Page], *, data: DataInUse, parameters: dict, show_code: bool,
                dest: Path) -> None:
    """Write every HTML file and asset of the report site into the empty folder `dest`.

    Parameters
    ----------
    pages : list of Page
        The notebooks' pages in report order.
    data : DataInUse
        The data the notebooks ran on (banner on every page and on the index).
    parameters : dict
        Parameters the notebooks ran with, as recorded in their outputs (name -> value,
        for the names on which every notebook that declares them agrees). ``alpha``, the
        significance level the index reads the research questions at, is required.
    show_code : bool
        Pages show their code cells unfolded.
    dest : Path
        An existing, empty folder.

    Writes ``index.html``, ``<stem>.html`` for every page, the glossary, references,
    search page and index, ``_static/`` and ``ledger-rows/<stem>.csv`` (UTF-8); the
    pages link to ``<stem>.ipynb`` and ``ledger.csv``, which the build writes beside them.
    """
    dest = Path(dest)
    if any(dest.iterdir()):
        raise ValueError(f"render_site: {dest} is not empty")
    alpha = parameters.get("alpha")
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)):
        raise ValueError(f"render_site: parameters must hold alpha as a number (got {alpha!r})")
    render_sphinx_site(pages, data=data, parameters=parameters, show_code=show_code, dest=dest)


def renderer_digest() -> str:
    """SHA-256 of what shapes the rendered site besides its inputs: the renderer's
    source, its Sphinx configuration and assets, and the versions of the libraries it uses."""
    h = hashlib.sha256(b"ipsrep-renderer-1")
    for rel in RENDERER_FILES:
        path = paths.PACKAGE_DIR / rel
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for p in files:
            if p.is_file() and "__pycache__" not in p.parts:
                h.update(p.relative_to(paths.PACKAGE_DIR).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    for name in RENDERER_LIBRARIES:
        try:
            h.update(f"{name}={importlib_metadata.version(name)}".encode())
        except importlib_metadata.PackageNotFoundError:
            h.update(f"{name}=absent".encode())
    return h.hexdigest()
