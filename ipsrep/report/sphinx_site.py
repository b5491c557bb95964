"""The report site, rendered with the stack Jupyter Book 1 is built on: Sphinx, MyST-NB
(rendering the notebooks papermill executed; nothing is executed again) and
sphinx-book-theme.

:func:`render_sphinx_site` writes the site into an empty folder. It prepares a Sphinx
source folder in a private working folder (:func:`write_sources`: the configuration and
assets of ``ipsrep/report/sphinx_files/``, the pages of
:func:`ipsrep.report.myst_pages.prepare_notebook`, the front page of
:func:`ipsrep.report.front_page.index_markdown`), builds it into a fresh output folder
(:func:`run_sphinx`; MyST-NB writes next to the output folder, and Sphinx keeps its
environment there), gives every page its Content-Security-Policy
(:func:`secure_pages`) and copies the site out, so that two builds of the same pages
are byte-identical.
"""
from __future__ import annotations

import contextlib
import html
import io
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from ipsrep import paths
from ipsrep.inputs.markup import MATHJAX_IGNORE, html_text
from ipsrep.report.front_page import TITLE, index_markdown
from ipsrep.report.ledger import ledger_csv_text
from ipsrep.report.myst_pages import LEDGER_DOWNLOADS, glossary_terms, prepare_notebook
from ipsrep.report.pages import Page, uses_participant_data

__all__ = ["CONTENT_SECURITY_POLICY", "SITE_LIBRARIES", "SiteError", "render_sphinx_site", "run_sphinx",
           "secure_pages", "write_sources"]

SITE_LIBRARIES = ("sphinx", "myst-nb", "myst-parser", "sphinx-book-theme", "pydata-sphinx-theme",
                  "sphinx-exercise", "sphinx-togglebutton", "sphinxcontrib-bibtex", "pybtex", "docutils",
                  "itables", "django-static-mathjax", "beautifulsoup4", "pygments")
"""Libraries whose versions shape the site."""

LIGHT_BANNER = ("This page uses published numbers only, no participant-level data; the pages that do "
                "use participant-level data are computed from {what}.")

SPHINX_PAGES = ("glossary", "references", "search", "genindex")
"""Pages Sphinx writes beside the notebooks' pages: they show no data and carry no data banner."""


class SiteError(Exception):
    """Sphinx could not build the site; the message says why."""


def datatables_script() -> tuple[str, str]:
    """DataTables as itables ships it (an ES module bundle and its CSS), turned into a
    classic script that sets ``window.ipsrepDataTables``: module scripts cannot be loaded
    from ``file://`` pages, classic scripts can."""
    import itables

    folder = Path(itables.__file__).parent / "html"
    source = (folder / "dt_bundle.js").read_text(encoding="utf-8")
    matches = list(re.finditer(r"(?<![\w$.])export\s*\{([^}]*)\}\s*;?", source))
    match = matches[-1] if len(matches) == 1 else None
    if match is None:
        raise SiteError("itables' dt_bundle.js has an unexpected shape (no final export); "
                        "pin itables to a version this renderer knows")
    names = {}
    for part in match.group(1).split(","):
        inner, _, outer = part.strip().partition(" as ")
        names[(outer or inner).strip()] = inner.strip()
    exports = ", ".join(f"{json.dumps('DataTable' if k == 'default' else k)}: {v}" for k, v in sorted(names.items()))
    script = ("/* DataTables (itables' dt_bundle.js) as a classic script: ipsrep report */\n"
              "(function () {\n" + source[: match.start()] + f"\nwindow.ipsrepDataTables = {{{exports}}};\n"
              + source[match.end():] + "\n})();\n")
    return script, (folder / "dt_bundle.css").read_text(encoding="utf-8")


def _banners(data) -> tuple[str, str]:
    """The strong and the light banner as HTML: the data's name is a user string, inert
    (:func:`ipsrep.inputs.markup.html_text`) and out of MathJax's reach."""
    kind = "ipsrep-banner-synthetic" if data.bundled else "ipsrep-banner-user"
    short = "Synthetic data" if data.bundled else f"Data: {data.label}"
    strong = (f'<span class="ipsrep-banner {kind} {MATHJAX_IGNORE}" role="note" data-short="{html.escape(short)}">'
              f'{_inert_text(data.banner_text)}</span>')
    what = "a synthetic reconstruction of the trial's data" if data.bundled else _inert_text(data.label)
    light = (f'<span class="ipsrep-banner ipsrep-banner-light {MATHJAX_IGNORE}" role="note" '
             'data-short="Published numbers only">'
             f'{LIGHT_BANNER.format(what=what)}</span>')
    return strong, light


def _inert_text(text: str) -> str:
    return html_text(text)[len(f'<span class="{MATHJAX_IGNORE}">'):-len("</span>")]


@contextlib.contextmanager
def _build_environment():
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = saved or "0"  # no build date anywhere (an empty value breaks Sphinx)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved


def write_sources(src: Path, pages: list[Page], *, data, parameters: dict, show_code: bool, alpha: float) -> None:
    """Fill the Sphinx source folder `src`: configuration, assets and one notebook per page."""
    shutil.copytree(paths.SPHINX_FILES_DIR, src, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    script, css = datatables_script()
    (src / "_static" / "ipsrep-datatables.js").write_text(script, encoding="utf-8")
    (src / "_static" / "ipsrep-datatables.css").write_text(css, encoding="utf-8")
    strong, light = _banners(data)
    without = [p.stem for p in pages if not uses_participant_data(p.notebook)]
    (src / "ipsrep_site.json").write_text(json.dumps({
        "title": TITLE, "banner": strong, "banner_no_data": light, "pages_without_data": without,
        "pages_without_banner": list(SPHINX_PAGES),
        "datatables": True, "show_code": show_code}, indent=1, sort_keys=True), encoding="utf-8")
    terms = glossary_terms()
    for page in pages:
        nb = prepare_notebook(page.notebook, page.stem, title=page.title, show_code=show_code,
                              ledger_rows=len(page.ledger), terms=terms)
        (src / f"{page.stem}.ipynb").write_text(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                                                encoding="utf-8")
    (src / "index.md").write_text(index_markdown(pages, data=data, parameters=parameters, alpha=alpha),
                                  encoding="utf-8")


def run_sphinx(src: Path, out: Path, doctrees: Path, builder: str = "html", jobs: int = 1) -> list[str]:
    """Build `src` into `out` with Sphinx in this process; return the warnings (one line
    each). Nothing is printed. Raises :class:`SiteError` when Sphinx fails."""
    import warnings as python_warnings

    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    warnings = io.StringIO()
    with _build_environment(), patch_docutils(str(src)), docutils_namespace(), python_warnings.catch_warnings(), \
            contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        python_warnings.simplefilter("ignore", DeprecationWarning)  # the theme's use of Sphinx APIs due to change
        try:
            app = Sphinx(str(src), str(src), str(out), str(doctrees), builder, status=None, warning=warnings,
                         freshenv=True, parallel=jobs, keep_going=True)
            app.build(force_all=True)
        except Exception as exc:  # Sphinx's own errors carry their message
            raise SiteError(f"Sphinx could not build the report: {type(exc).__name__}: {exc}") from None
    text = re.sub(r"\x1b\[[0-9;]*m", "", warnings.getvalue())
    return [line for line in text.splitlines() if line.strip()]


CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data:; font-src 'self' data:; connect-src 'none'; media-src 'none'; "
                           "object-src 'none'; frame-src 'none'; worker-src 'none'; base-uri 'none'; "
                           "form-action 'self'")
"""The Content-Security-Policy of every page: scripts only from the site's own files (no
inline script, no event-handler attribute, no ``javascript:`` URL runs), nothing from the
network, no plugins, no ``<base>``. Inline styles stay allowed: MathJax's SVG and the
theme set ``style`` attributes, and a style cannot run code or, under this policy, load
anything from elsewhere."""

INLINE_SCRIPTS = "ipsrep-inline"
"""Folder of ``_static`` holding the scripts Sphinx and the theme write inline, moved to files."""

_INLINE_SCRIPT = re.compile(r"<script(?P<attrs>(?:\s+[a-zA-Z-]+(?:=\"[^\"]*\"|='[^']*'|=[^\s>]+)?)*)\s*>"
                            r"(?P<body>.*?)</script\s*>", re.DOTALL | re.IGNORECASE)
_HEAD = re.compile(r"<head(\s[^>]*)?>", re.IGNORECASE)
_THEME_BODY_SCRIPTS = frozenset({
    '// Activate the search field on page load let searchInput = document.querySelector("form.bd-search input"); '
    'if (searchInput) { searchInput.focus(); searchInput.select(); console.log("[PST]: Set focus on search field."); }',
})
"""Inline scripts the theme writes in a page's body (pydata-sphinx-theme's search page),
whitespace collapsed: the only body scripts :func:`secure_pages` moves to files."""


def secure_pages(site: Path) -> None:
    """Give every HTML page of `site` its Content-Security-Policy, with the scripts Sphinx
    and the theme write inline (``DOCUMENTATION_OPTIONS``, the MathJax configuration, the
    theme's colour mode, the toggle-button texts) moved to files under
    ``_static/ipsrep-inline/`` named by their SHA-256, in the same place in the page so
    they run in the same order.

    Only the templates' scripts move: those in ``<head>`` (no user string is written
    there) and, in the body, those whose text is one the theme writes
    (:data:`_THEME_BODY_SCRIPTS`). Any other inline script stays inline, where the
    policy stops it: moving it to a file would make it run.

    Raises :class:`SiteError` when a page has no ``<head>`` or an inline script it cannot
    move (a ``type="module"`` or JSON block, which this site does not use).
    """
    import hashlib

    static = site / "_static"
    for page in sorted(site.rglob("*.html")):
        if page.relative_to(site).parts[0] in ("_static", "_images", "_sources"):
            continue  # theme fragments, not pages
        text = page.read_text(encoding="utf-8")
        depth = len(page.relative_to(site).parts) - 1
        prefix = "../" * depth + f"_static/{INLINE_SCRIPTS}/"

        head_end = text.lower().find("</head>")

        def moved(match: re.Match, head_end: int = head_end, page: Path = page, prefix: str = prefix) -> str:
            attrs, body = match.group("attrs") or "", match.group("body")
            if re.search(r"\ssrc\s*=", attrs, re.IGNORECASE):
                return match.group(0)
            if match.start() > head_end and " ".join(body.split()) not in _THEME_BODY_SCRIPTS:
                return match.group(0)
            if re.search(r"\stype\s*=", attrs, re.IGNORECASE) and \
                    not re.search(r"\stype\s*=\s*[\"']?text/javascript", attrs, re.IGNORECASE):
                raise SiteError(f"{page.name}: an inline script of type {attrs.strip()!r} cannot be moved to a file")
            name = hashlib.sha256(body.encode("utf-8")).hexdigest()[:20] + ".js"
            folder = static / INLINE_SCRIPTS
            folder.mkdir(parents=True, exist_ok=True)
            if not (folder / name).exists():
                (folder / name).write_text(body, encoding="utf-8")
            return f'<script{attrs} src="{prefix}{name}"></script>'

        text = _INLINE_SCRIPT.sub(moved, text)
        head = _HEAD.search(text)
        if head is None:
            raise SiteError(f"{page.name}: no <head> to carry the Content-Security-Policy")
        meta = f'\n<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
        at = head.end()
        charset = re.compile(r"\s*<meta charset=[^>]*>", re.IGNORECASE).match(text, at)
        at = charset.end() if charset else at  # the charset stays first
        text = text[:at] + meta + text[at:]
        page.write_text(text, encoding="utf-8")


SEARCH_TEXT = "ipsrep-search-text.js"
"""File of ``_static`` holding every page's text, for the search page's excerpts."""


def page_texts(site: Path) -> dict[str, str]:
    """The text of every page of `site` (its article, without scripts, styles, heading
    anchors, code cells' input and the downloads line; whitespace collapsed), by file name."""
    from bs4 import BeautifulSoup

    texts = {}
    for page in sorted(site.glob("*.html")):
        if page.name in ("search.html", "genindex.html"):
            continue
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        main = soup.select_one("article.bd-article") or soup.select_one('[role="main"]')
        if main is None:
            continue
        for node in main.select("script, style, .headerlink, .ipsrep-downloads, div.cell_input"):
            node.decompose()
        texts[page.name] = " ".join(main.get_text(" ").split())
    return texts


def write_search_text(site: Path) -> Path:
    """Write ``_static/ipsrep-search-text.js``: ``window.ipsrepPageText``, every page's text
    (:func:`page_texts`), which the search page's script reads for its excerpts (Sphinx
    would fetch() each page, which a ``file://`` page cannot). Quotes and backticks inside
    the texts are written as ``\\u`` escapes, so that no string of the file reads as an
    address the site check would take for a load."""
    body = ",\n".join(f"{json.dumps(name)}: {_quoted(text)}" for name, text in page_texts(site).items())
    target = site / "_static" / SEARCH_TEXT
    target.write_text(f"/* ipsrep report: the pages' text for the search page's excerpts */\n"
                      f"window.ipsrepPageText = {{\n{body}\n}};\n", encoding="utf-8")
    return target


def _quoted(text: str) -> str:
    r"""`text` as a JavaScript string literal with no quote or backtick inside it.

    >>> _quoted('a "b" \'c\' `d` é')
    '"a \\u0022b\\u0022 \\u0027c\\u0027 \\u0060d\\u0060 \\u00e9"'
    """
    inner = json.dumps(text, ensure_ascii=True)[1:-1].replace('\\"', "\\u0022")
    return '"' + inner.replace("'", "\\u0027").replace("`", "\\u0060") + '"'


_UNUSED_ASSETS = shutil.ignore_patterns("*.map", "locales", "*.LICENSE.txt.map")
"""Theme files no page loads: source maps and the theme's message catalogues."""


def render_sphinx_site(pages: list[Page], *, data, parameters: dict, show_code: bool, dest: Path,
                       builder: str = "html", jobs: int = 1, workdir: Path | None = None) -> list[str]:
    """Write the report site into the empty folder `dest`; return Sphinx's warnings.

    Parameters
    ----------
    pages : list of ipsrep.report.pages.Page
        The notebooks' pages in report order.
    data : ipsrep.report.context.DataInUse
        The data the notebooks ran on (the banners).
    parameters : dict
        Parameters the notebooks ran with; ``alpha`` reads the research questions.
    show_code : bool
        Code cells open instead of folded.
    dest : Path
        An existing, empty folder.
    builder : str
        ``html`` (the site) or ``singlehtml`` (one page, printed to the PDF).
    jobs : int
        Sphinx's parallel reading processes.
    workdir : Path, optional
        Private working folder (default: a temporary folder, removed afterwards).

    Writes the HTML pages, ``_static`` (style, scripts, MathJax, DataTables), the search
    index, the glossary and references, and ``ledger-rows/<stem>.csv`` for each page
    with ledger rows. The executed notebooks the pages link to (``<stem>.ipynb``) are
    copied next to the pages by the build.
    """
    dest = Path(dest)
    alpha = float(parameters.get("alpha", 0.05))
    own = workdir is None
    work = Path(tempfile.mkdtemp(prefix="ipsrep-site-")) if workdir is None else Path(workdir)
    try:
        src, out, doctrees = work / "src", work / "build" / builder, work / "doctrees"
        for folder in (src, out, doctrees, work / "build" / "jupyter_execute"):
            shutil.rmtree(folder, ignore_errors=True)
        src.mkdir(parents=True)
        write_sources(src, pages, data=data, parameters=parameters, show_code=show_code, alpha=alpha)
        warnings = run_sphinx(src, out, doctrees, builder=builder, jobs=jobs)
        if not (out / "index.html").is_file():
            raise SiteError("Sphinx wrote no index.html: " + "; ".join(warnings[:3]))
        secure_pages(out)
        if builder == "html":
            write_search_text(out)
        for item in sorted(out.iterdir()):
            if item.name in (".buildinfo", ".doctrees") or (item.is_dir() and not any(item.iterdir())):
                continue
            target = dest / item.name
            if item.is_dir():
                shutil.copytree(item, target, ignore=_UNUSED_ASSETS)
            else:
                shutil.copyfile(item, target)
        if builder == "html":
            folder = dest / LEDGER_DOWNLOADS
            for page in pages:
                if len(page.ledger):
                    folder.mkdir(exist_ok=True)
                    (folder / f"{page.stem}.csv").write_text(ledger_csv_text(page.ledger), encoding="utf-8")
        return warnings
    finally:
        if own:
            shutil.rmtree(work, ignore_errors=True)
