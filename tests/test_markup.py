"""No user string becomes live markup in a page (issue 20, failures 1a, 1b, 1c).

- In a browser: the real report's pages rendered again (Sphinx, MyST-NB, MathJax) with a
  hostile data file name (1b: ``\\(\\href{javascript:alert(1)}{CLICK}\\).csv``), a hostile
  ``-p`` value (1a: a backtick closing inline code, then an ``onerror`` handler) and a
  hostile Markdown output; nothing runs, MathJax makes no link, and the
  Content-Security-Policy stops an inline script and a handler planted in a page after
  the build, while the site's own scripts (moved to files) still run.
- 1c: an ensemble folder whose ``metadata.json`` or ``keys.csv`` carries markup is refused
  by its one reader, in one line.
- A property (hypothesis): random Markdown, MyST, TeX and HTML fragments escaped for
  MyST (:func:`ipsrep.inputs.markup.markdown_text`) or HTML (``html_text``) render, through
  the same MyST parser the site uses, to one inert element whose text is the fragment.
"""
from __future__ import annotations

import copy
import json
import os
import shutil
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipsrep.inputs.contract import terminal_safe
from ipsrep.inputs.markup import MATHJAX_IGNORE, html_text, markdown_code, markdown_text

HOSTILE_NAME = "\\(\\href{javascript:window.__pwned_b=1}{CLICK}\\)<img src=x onerror=window.__pwned_n=1>.csv"
HOSTILE_VALUE = "x`<img src=x onerror=window.__pwned_a=1>`"
HOSTILE_MARKDOWN = (
    "\n\n```{raw} html\n<script>window.__pwned_c=1</script>\n```\n\n$\\href{javascript:window.__pwned_m=1}{M}$"
)
FRAGMENTS = [
    "`",
    "``",
    "```",
    "```{raw} html",
    ":::{note}",
    "{raw}`<b>`",
    "{doc}`index`",
    "$",
    "$$",
    "\\(",
    "\\)",
    "\\[",
    "\\href{javascript:alert(1)}{x}",
    "\\class{c}{x}",
    "\\style{color:red}{x}",
    "<script>",
    "</script>",
    "<img src=x onerror=alert(1)>",
    "<a href='javascript:1'>",
    "&lt;",
    "&amp;",
    "[x](javascript:1)",
    "![i](http://example.com/i.png)",
    "<http://example.com>",
    "*",
    "**",
    "_",
    "#",
    "|",
    "\n",
    "\n\n",
    "\r",
    "\x1b[2J",
    "{{",
    "}}",
    "-->",
    "<!--",
    "%",
    "^",
    "~",
    ":",
    "=",
    "@",
    "\\",
    "'",
    '"',
    "a",
    " ",
    "é",
    "\u202e",
]


# --------------------------------------------------------------------------------------
# The property: escaped fragments render to inert text through MyST
# --------------------------------------------------------------------------------------
class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _myst_html(markdown: str) -> str:
    from docutils.core import publish_parts
    from myst_parser.parsers.docutils_ import Parser

    settings_ = {"myst_enable_extensions": ["dollarmath", "amsmath", "colon_fence", "deflist", "substitution"],
                 "myst_dmath_double_inline": True, "report_level": 5, "halt_level": 5, "raw_enabled": True,
                 "file_insertion_enabled": False}
    return publish_parts(markdown, parser=Parser(), writer="html5", settings_overrides=settings_)["body"]


fragments = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), min_size=1, max_size=8).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fragment=fragments)
def test_property_escaped_fragments_render_inert_through_myst(fragment):
    for piece, tag in ((markdown_text(fragment), "span"), (markdown_code(fragment), "code")):
        for markdown in (f"Data: {piece} and more.\n", f"- item {piece}\n", f"| a | b |\n|---|---|\n| {piece} | x |\n"):
            parsed = _Elements()
            parsed.feed(_myst_html(markdown))
            own = [(t, a) for t, a in parsed.tags if t == tag]
            others = {t for t, _ in parsed.tags} - {"p", "ul", "li", "table", "thead", "tbody", "tr", "th", "td",
                                                     "colgroup", "col", tag}
            assert not others, (fragment, markdown, parsed.tags)
            assert len(own) == 1 and MATHJAX_IGNORE in own[0][1].get("class", ""), (fragment, parsed.tags)
            assert not any(k.startswith("on") or k in ("href", "src", "style") for _, a in parsed.tags for k in a)
            assert terminal_safe(fragment) in "".join(parsed.text)
    parsed = _Elements()
    parsed.feed(html_text(fragment))
    assert [t for t, _ in parsed.tags] == ["span"] and "".join(parsed.text) == terminal_safe(fragment)


# --------------------------------------------------------------------------------------
# 1c: an ensemble folder with markup is refused
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("where", ["version", "quantity", "key"])
def test_1c_ensemble_folder_with_markup_is_refused_in_one_line(tmp_path, where):
    from ipsrep import paths
    from ipsrep.synthetic.ensemble import read_ensemble

    folder = tmp_path / "ens"
    shutil.copytree(paths.DATA_DIR / "ensemble", folder)
    if where == "version":
        meta = json.loads((folder / "metadata.json").read_text())
        meta["version"] = "1" + HOSTILE_MARKDOWN
        (folder / "metadata.json").write_text(json.dumps(meta))
    elif where == "quantity":
        lines = (folder / "keys.csv").read_text().splitlines()
        head, first = lines[1].split(",", 1)
        lines[1] = head + ',"<script>window.__pwned_q=1</script>"' + first[first.index(","):]
        (folder / "keys.csv").write_text("\n".join(lines) + "\n")
    else:
        text = (folder / "results.csv").read_text().splitlines()
        parts = text[1].split(",")
        parts[2] = "t1`{raw}`"
        text[1] = ",".join(parts)
        (folder / "results.csv").write_text("\n".join(text) + "\n")
    with pytest.raises(ValueError) as err:
        read_ensemble(folder)
    message = str(err.value)
    assert "\n" not in message and str(folder) in message
    assert {"version": "'version'", "quantity": "'quantity', line 2", "key": "'key', line 2"}[where] in message


# --------------------------------------------------------------------------------------
# 1a, 1b and the Content-Security-Policy, in Chromium
# --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def hostile_site(request, tmp_path_factory) -> Path:
    """The bundled report's pages rendered again as if built from a data file with a
    hostile name, with a hostile ``-p`` value and a hostile Markdown output escaped as
    the notebooks escape user text."""
    from ipsrep.report.context import DataInUse
    from ipsrep.report.pages import pages_from_report
    from ipsrep.report.sphinx_site import render_sphinx_site

    given = os.environ.get("IPSREP_TEST_REPORT")  # a report built already, as in test_browser.py
    report = Path(given) if given else request.getfixturevalue("bundled_report")
    pages, parameters = pages_from_report(report, bundled=True)
    trial = pages[0].notebook
    at = next(i for i, c in enumerate(trial.cells) if "parameters" in c.metadata.get("tags", [])) + 1
    injected = copy.deepcopy(trial.cells[at - 1])
    injected.metadata["tags"] = ["injected-parameters"]
    injected.source = f"randomised = {HOSTILE_VALUE!r}\n"
    injected.outputs = []
    trial.cells.insert(at, injected)
    note = copy.deepcopy(trial.cells[at])
    note.cell_type, note.outputs = "code", [{"output_type": "display_data", "metadata": {},
                                            "data": {"text/markdown": "Version " + markdown_text(HOSTILE_MARKDOWN)}}]
    note.metadata["tags"] = []
    note.source = "Markdown(...)"
    note.pop("attachments", None)
    trial.cells.insert(at + 1, note)
    data = DataInUse(given=f"/tmp/{HOSTILE_NAME}", file=Path(f"/tmp/{HOSTILE_NAME}"), bundled=False, sha256="0" * 64)
    site = tmp_path_factory.mktemp("hostile") / "site"
    site.mkdir()
    parameters.setdefault("alpha", 0.05)
    render_sphinx_site(pages, data=data, parameters=parameters, show_code=False, dest=site)
    return site


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    import importlib.util

    spec = importlib.util.spec_from_file_location("ipsrep_test_browser", Path(__file__).with_name("test_browser.py"))
    harness = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(harness)  # the DevTools harness of test_browser.py
    Chromium, find_chromium = harness.Chromium, harness.find_chromium

    found = find_chromium()
    if found is None:
        pytest.skip("Chromium is not installed")
    profile = Path(tempfile.mkdtemp(prefix="ipsrep-chromium-", dir=tmp_path_factory.mktemp("profile")))
    with Chromium(found, profile) as b:
        yield b


PWNED = "Object.keys(window).filter(k => k.startsWith('__pwned'))"
MATHJAX_DONE = ("(async () => { if (window.MathJax && MathJax.startup) { await MathJax.startup.promise; }"
                " return document.querySelectorAll('mjx-container').length; })()")


def test_1a_1b_hostile_name_value_and_markdown_stay_text_in_the_browser(hostile_site, browser):
    for name in ("index.html", "00_trial.html", "01_rq1_employment.html", "glossary.html"):
        page = hostile_site / name
        html = page.read_text(encoding="utf-8")
        assert "Content-Security-Policy" in html and "<script>" not in html.split("</head>")[0]
        browser.load(page.as_uri())
        browser.evaluate(MATHJAX_DONE)
        browser.settle(0.5)
        assert browser.evaluate(PWNED) == [], name
        links = browser.evaluate("Array.from(document.querySelectorAll('a[href], [onerror], [onclick]'))"
                                 ".map(a => a.getAttribute('href') || a.outerHTML.slice(0, 80))")
        assert not [h for h in links if "javascript" in h.lower() or "onerror" in h.lower()], name
        typeset = browser.evaluate("Array.from(document.querySelectorAll('mjx-container a, .ipsrep-banner "
                                   "mjx-container, .ipsrep-variant mjx-container, span.mathjax_ignore mjx-container'))"
                                   ".map(e => e.outerHTML.slice(0, 400))")
        assert typeset == [], (name, typeset)
        if name == "glossary.html":  # Sphinx's own pages show no data and carry no banner
            assert browser.evaluate("document.querySelector('.ipsrep-banner')") is None
        else:
            banner = browser.evaluate("document.querySelector('.ipsrep-banner').textContent")
            assert "\\href{javascript:" in banner and "CLICK" in banner, banner
        assert browser.evaluate("typeof DOCUMENTATION_OPTIONS !== 'undefined' && DOCUMENTATION_OPTIONS.pagename") \
            == page.stem
    front = browser.load((hostile_site / "index.html").as_uri())
    assert front is not None
    text = browser.evaluate("document.querySelector('.ipsrep-variant').textContent")
    assert HOSTILE_VALUE in text
    browser.load((hostile_site / "00_trial.html").as_uri())
    assert "```{raw} html" in browser.evaluate("document.body.textContent")


def test_csp_stops_an_inline_script_and_a_handler_planted_after_the_build(hostile_site, browser, tmp_path):
    page = tmp_path / "planted.html"
    html = (hostile_site / "index.html").read_text(encoding="utf-8")
    html = html.replace("<body", "<body onload=\"window.__pwned_onload=1\"", 1).replace(
        "</body>", "<script>window.__pwned_inline=1</script><img src=x onerror=\"window.__pwned_img=1\">"
                   "<a id=js href=\"javascript:window.__pwned_js=1\">x</a></body>", 1)
    page.write_text(html, encoding="utf-8")
    shutil.copytree(hostile_site / "_static", tmp_path / "_static")
    browser.load(page.as_uri())
    browser.evaluate("document.getElementById('js').click()")
    browser.settle(0.5)
    assert browser.evaluate(PWNED) == []
    assert browser.evaluate("DOCUMENTATION_OPTIONS.pagename") == "index"  # the moved scripts ran
