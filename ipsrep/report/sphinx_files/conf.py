"""Sphinx configuration of the ipsrep report site (copied into the build's source folder
by :mod:`ipsrep.report.sphinx_site`, which also writes ``ipsrep_site.json`` beside it).

MyST-NB renders the notebooks papermill executed and never executes them;
sphinx-book-theme lays them out; every asset is served from ``_static`` (MathJax 3 from
the django-static-mathjax wheel, DataTables from itables), so nothing leaves ``file://``.
"""
from __future__ import annotations

import json
from pathlib import Path

import mathjax  # the django-static-mathjax wheel: MathJax 3 as plain files

SITE = json.loads((Path(__file__).parent / "ipsrep_site.json").read_text(encoding="utf-8"))

project = SITE["title"]
author = "ipsrep contributors"
copyright = "ipsrep contributors"  # no year: the build date must not enter the pages
language = "en"

extensions = [
    "myst_nb",
    "sphinx.ext.mathjax",
    "sphinx_exercise",
    "sphinx_togglebutton",
    "sphinxcontrib.bibtex",
]

# ---- notebooks: render only ------------------------------------------------------------
nb_execution_mode = "off"
nb_output_stderr = "remove"         # no progress bars or warnings in pages
nb_merge_streams = True
nb_render_markdown_format = "myst"  # text/markdown outputs may hold MyST ({table}, math, roles)
nb_mime_priority_overrides = [
    ("*", "application/vnd.ipsrep.ledger+json", None),
    ("*", "application/vnd.ipsrep.parameters+json", None),
]
nb_code_prompt_show = "Show code cell {type}"
nb_code_prompt_hide = "Hide code cell {type}"
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist", "substitution"]
myst_dmath_double_inline = True
myst_heading_anchors = 3
suppress_warnings = ["mystnb.unknown_mime_type", "myst.header", "misc.highlighting_failure"]

# ---- numbering, citations ----------------------------------------------------------------
numfig = True
numfig_format = {"figure": "Figure %s", "table": "Table %s", "code-block": "Listing %s"}
math_numfig = True
math_eqref_format = "({number})"
bibtex_bibfiles = ["refs.bib"]
bibtex_default_style = "plain"
bibtex_reference_style = "author_year"

# ---- HTML ---------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = SITE["title"]
html_last_updated_fmt = None
html_copy_source = False            # the executed notebook is offered next to each page instead
html_show_sourcelink = False
html_show_sphinx = False
html_show_search_summary = False    # the summary is fetch()ed per page: blocked under file://
html_show_copyright = False
html_theme_options = {
    "announcement": SITE["banner"],  # the data banner, on every page
    "show_toc_level": 2,             # per-page contents in the right-hand sidebar
    "use_download_button": False,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "home_page_in_toc": True,
    "navigation_with_keys": False,
    "search_bar_text": "Search the report…",
}
_MATHJAX = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5" / "tex-svg-full.js"
html_static_path = ["_static", str(_MATHJAX)]
mathjax_path = "tex-svg-full.js"
# TeX without the macros that reach outside mathematics: html's \href, \class, \style and
# \cssId (a javascript: link, a class or style from a data file's name), bbox's CSS
# styles, \unicode's fonts, and \require/autoload, which would load them back.
MATHJAX_REMOVED_PACKAGES = ["html", "bbox", "unicode", "require", "autoload"]
mathjax3_config = {"svg": {"fontCache": "global"}, "options": {"enableMenu": False},
                   "tex": {"packages": {"[-]": MATHJAX_REMOVED_PACKAGES}}}
html_css_files = ["ipsrep.css"]
html_js_files = ["ipsrep.js"] + (["ipsrep-datatables.js"] if SITE["datatables"] else [])
if SITE["datatables"]:
    html_css_files.append("ipsrep-datatables.css")
html_context = {"default_mode": "auto"}
exclude_patterns = ["_build", "**.ipynb_checkpoints", "ipsrep_site.json"]


def _singlehtml_inherits_html_handlers(app):
    """sphinx-exercise registers its nodes for "singlehtml" by name, so Sphinx stops
    falling back to the "html" handlers of other extensions (MyST-NB's folded code);
    give singlehtml every html handler it lacks (the PDF is printed from singlehtml)."""
    handlers = app.registry.translation_handlers
    if "singlehtml" in handlers:
        for node, pair in handlers.get("html", {}).items():
            handlers["singlehtml"].setdefault(node, pair)


PAGE_NUMBERED = ("figure", "table")
"""What the report numbers with its page's number ("Figure 3.2": page 03's second figure),
so that the report's own figures and tables are never read as the paper's Figure 2 or
Table 1."""


def _numbers_per_page(app, env):
    """Number figures, tables and exercises page by page, not across the whole report
    (Sphinx numbers continuously when the contents are not section-numbered); figures and
    tables carry their page's number first (:data:`PAGE_NUMBERED`): "Figure 3.2"."""
    for docname, types in env.toc_fignumbers.items():
        page = docname[:2]
        for kind, ids in types.items():
            for number, key in enumerate(sorted(ids, key=lambda k: ids[k]), start=1):
                ids[key] = (int(page), number) if kind in PAGE_NUMBERED and page.isdigit() else (number,)
    return []


def _page_banner(app, pagename, templatename, context, doctree):
    """Pages computed without participant-level data get the lighter banner; Sphinx's own
    pages (glossary, references, search, index of terms) show no data and no banner."""
    if pagename in SITE["pages_without_banner"]:
        context["theme_announcement"] = ""
    elif pagename in SITE["pages_without_data"]:
        context["theme_announcement"] = SITE["banner_no_data"]


def setup(app):
    app.connect("builder-inited", _singlehtml_inherits_html_handlers)
    app.connect("html-page-context", _page_banner)
    app.connect("env-get-updated", _numbers_per_page, priority=900)
