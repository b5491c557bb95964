"""HTML pages of the report: one page per executed notebook and the index linking them.

Pages are rendered in-process with nbconvert's JupyterLab template, through the
project's own template (``ipsrep/templates/ipsrep_report``) that loads nothing from the
network: the lab template's require.js, MathJax, Mermaid and widget scripts (fetched
from CDNs) are left out, images are inline ``data:`` URIs and the styles are inlined.
Code cells are folded into ``<details>`` elements, with one small inline script that
opens or closes them all. :func:`external_loads` checks a page for anything a browser
would fetch from elsewhere; the build refuses to write a page that has any.
"""
from __future__ import annotations

import html
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .ledger import STATUSES

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "ipsrep_report"
TRIAL_DOI = "https://doi.org/10.1093/pm/pnac032"

REPORT_CSS = """
.ipsrep-nav { position: sticky; top: 0; z-index: 10; display: flex; gap: 1em; align-items: center;
  padding: 0.4em 1em; background: #f5f7fa; border-bottom: 1px solid #d0d7de; font-size: 0.9em; }
.ipsrep-nav button { font: inherit; padding: 0.15em 0.8em; cursor: pointer; }
details.ipsrep-code > summary { cursor: pointer; color: #57606a; font-size: 0.8em;
  font-family: var(--jp-code-font-family, monospace); padding: 0.1em 0.5em; }
details.ipsrep-code:not([open]) > summary { opacity: 0.7; }
.ipsrep-banner { margin: 0.5em 0; padding: 0.6em 0.9em; border-left: 4px solid #d1495b;
  background: #fdf1f2; font-weight: 600; }
.ipsrep-banner-user { border-left-color: #1b6ca8; background: #eef5fb; }
table.ledger { border-collapse: collapse; font-size: 0.85em; }
table.ledger th, table.ledger td { padding: 0.2em 0.6em; border-bottom: 1px solid #e1e4e8; text-align: left; }
"""

TOGGLE_JS = """
(function () {
  var button = document.getElementById("ipsrep-toggle-code");
  if (!button) { return; }
  button.addEventListener("click", function () {
    var open = button.getAttribute("aria-pressed") !== "true";
    document.querySelectorAll("details.ipsrep-code").forEach(function (d) { d.open = open; });
    button.setAttribute("aria-pressed", open ? "true" : "false");
    button.textContent = open ? "Hide all code" : "Show all code";
  });
})();
"""

INDEX_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; max-width: 60em;
  margin: 2em auto; padding: 0 1em; color: #1f2328; line-height: 1.5; }
.ipsrep-banner { margin: 1em 0; padding: 0.6em 0.9em; border-left: 4px solid #d1495b;
  background: #fdf1f2; font-weight: 600; }
.ipsrep-banner-user { border-left-color: #1b6ca8; background: #eef5fb; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { padding: 0.3em 0.8em; border-bottom: 1px solid #d0d7de; text-align: left; }
td.num, th.num { text-align: right; }
footer { margin-top: 2em; font-size: 0.85em; color: #57606a; }
"""


@dataclass(frozen=True)
class Page:
    """One notebook's page in the index: file stem, title, and its ledger rows."""

    stem: str
    title: str
    ledger: pd.DataFrame

    @property
    def href(self) -> str:
        return f"{self.stem}.html"


def notebook_title(nb, fallback: str) -> str:
    """Text of the first Markdown heading of `nb` (an nbformat node), else `fallback`."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            match = re.match(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", line)
            if match:
                return re.sub(r"[*_`]", "", match.group(1)).strip()
    return fallback


def _exporter(show_code: bool):
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = ("remove-cell",)
    config.TagRemovePreprocessor.remove_input_tags = ("remove-input",)
    config.TagRemovePreprocessor.remove_all_outputs_tags = ("remove-output",)
    quiet = logging.getLogger("ipsrep.html.nbconvert")
    quiet.addHandler(logging.NullHandler())
    quiet.propagate = False
    quiet.setLevel(logging.ERROR)
    return HTMLExporter(
        config=config,
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        embed_images=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        require_js_url="",
        mathjax_url="",
        jupyter_widgets_base_url="",
        theme="light",
        log=quiet,
    )


class NotebookRenderer:
    """Render executed notebooks to self-contained HTML pages (one exporter, reused).

    Parameters
    ----------
    show_code : bool
        Render code cells unfolded (the default folds them behind a "code" summary).
    """

    def __init__(self, show_code: bool = False):
        self.show_code = show_code
        self._exporter = _exporter(show_code)

    def render(self, nb, title: str) -> str:
        """HTML of the executed notebook `nb` (nbformat node) under the page title `title`."""
        resources = {
            "metadata": {"name": title},
            "ipsrep": {"show_code": self.show_code, "css": REPORT_CSS, "toggle_js": TOGGLE_JS},
        }
        body, _ = self._exporter.from_notebook_node(nb, resources=resources)
        return body if body.endswith("\n") else body + "\n"


_URL_ATTRS = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "input": ("src",),
}
_REMOTE = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)
_CSS_REMOTE = re.compile(
    r"""(url\(\s*['"]?\s*(https?:)?//[^)'"]*|@import\s+['"]\s*(https?:)?//[^'"]*)""", re.IGNORECASE
)
_SCRIPT_REMOTE = re.compile(r"""(https?:)?//[a-z0-9.-]+\.[a-z]{2,}[^\s'"]*""", re.IGNORECASE)


_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)(\s[^>]*)?>", re.DOTALL)
_ATTR = re.compile(r"""([^\s=/>"']+)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""")
_BLOCK = re.compile(r"<(style|script)\b([^>]*)>(.*?)</\1\s*>", re.DOTALL | re.IGNORECASE)


def _attributes(text: str) -> dict[str, str]:
    return {m.group(1).lower(): html.unescape(m.group(2).strip("\"'")) for m in _ATTR.finditer(text or "")}


def external_loads(page: str) -> list[str]:
    """Everything in the HTML text `page` that a browser would fetch from another host.

    Counted: ``src``/``href``/``srcset``/``data``/``poster`` attributes of scripts,
    stylesheets and other links, images, frames and media that point at ``http(s)://``
    or ``//``; ``url(...)`` and ``@import`` of remote addresses in ``<style>`` elements
    and ``style`` attributes; and any remote address written inside an inline
    ``<script>`` (a dynamic ``import()`` or loader). Ordinary ``<a href>`` links are
    navigation, not loads, and are allowed. (Regular expressions rather than a full
    HTML parser: the pages are large, and nbconvert writes them well-formed.)

    >>> external_loads('<script src="https://cdn.example.org/x.js"></script><a href="https://doi.org/1">x</a>')
    ['<script src="https://cdn.example.org/x.js">']
    >>> external_loads('<img src="data:image/png;base64,AAAA"><style>p{color:red}</style>')
    []
    """
    found: list[str] = []
    for match in _TAG.finditer(page):
        name = match.group(1).lower()
        attrs = _attributes(match.group(2))
        for attr in _URL_ATTRS.get(name, ()):
            value = attrs.get(attr)
            if value is None:
                continue
            candidates = [part.strip().split(" ")[0] for part in value.split(",")] if attr == "srcset" else [value]
            if any(_REMOTE.match(c) for c in candidates):
                found.append(f'<{name} {attr}="{value}">')
        style = attrs.get("style")
        if style:
            found.extend(f"<{name} style> {m.group(0)}" for m in _CSS_REMOTE.finditer(style))
    for match in _BLOCK.finditer(page):
        kind, attrs, body = match.group(1).lower(), _attributes(match.group(2)), match.group(3)
        if kind == "style":
            found.extend(f"<style> {m.group(0)}" for m in _CSS_REMOTE.finditer(_strip_css_comments(body)))
        elif "src" not in attrs:
            found.extend(f"<script> {m.group(0)}" for m in _SCRIPT_REMOTE.finditer(body))
    return found


def _strip_css_comments(css: str) -> str:
    return re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)


UNPUBLISHED = "not printed"
"""Index column for ledger rows without a published counterpart (empty status)."""


def _status_counts(ledger: pd.DataFrame) -> dict[str, int]:
    """Ledger rows per status, plus :data:`UNPUBLISHED` for rows with no status."""
    counts = ledger["status"].fillna("").value_counts() if len(ledger) else pd.Series(dtype=int)
    out = {s: int(counts.get(s, 0)) for s in STATUSES}
    out[UNPUBLISHED] = len(ledger) - sum(out.values())
    return out


def render_index(pages: Sequence[Page], *, data_label: str, bundled: bool) -> str:
    """The report's front page: what the data are, and a table linking every notebook page.

    Parameters
    ----------
    pages : sequence of Page
        Notebook pages in report order, each with the ledger rows it displayed.
    data_label : str
        What data the notebooks ran on (file name and checksum for a user's file).
    bundled : bool
        True for the bundled synthetic reconstruction: the index then says so in a
        banner and counts each page's ledger rows by status.
    """
    esc = html.escape
    if bundled:
        banner = (
            '<div class="ipsrep-banner" role="note">Synthetic data: every participant-level '
            "result in this report is computed from a data set reconstructed from the "
            "published summaries, not from the trial's confidential participant records.</div>"
        )
    else:
        banner = f'<div class="ipsrep-banner ipsrep-banner-user" role="note">Data: {esc(data_label)}</div>'
    kinds = [*STATUSES, UNPUBLISHED]
    head = "".join(f'<th class="num">{esc(s.replace("_", " "))}</th>' for s in kinds) if bundled else ""
    rows = []
    for number, page in enumerate(pages, start=1):
        counts = _status_counts(page.ledger)
        cells = "".join(f'<td class="num">{counts[s]}</td>' for s in kinds) if bundled else ""
        rows.append(
            f'<tr><td class="num">{number}</td><td><a href="{esc(page.href)}">{esc(page.title)}</a></td>'
            f'<td class="num">{len(page.ledger)}</td>{cells}</tr>'
        )
    total_rows = sum(len(p.ledger) for p in pages)
    if bundled:
        all_rows = pd.concat([p.ledger for p in pages], ignore_index=True) if pages else pd.DataFrame()
        totals = _status_counts(all_rows) if len(all_rows) else {s: 0 for s in kinds}
        summary = ", ".join(f"{totals[s]} {s.replace('_', ' ')}" for s in STATUSES)
        ledger_line = (f"{total_rows - totals[UNPUBLISHED]} published numbers checked: {summary}; "
                       f"{totals[UNPUBLISHED]} further values computed that the papers do not print.")
    else:
        ledger_line = f"{total_rows} values computed from this data set."
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>IPS in Pain: replication report</title>
<style>{INDEX_CSS}</style>
</head>
<body>
<main>
<h1>IPS in Pain: replication report</h1>
<p>An executable re-analysis of the IPS in Pain randomised trial of Individual Placement and
Support for people with chronic pain (Sveinsdottir et al., Pain Medicine 2022,
<a href="{TRIAL_DOI}">doi:10.1093/pm/pnac032</a>), its pilot study and its process findings.</p>
{banner}
<table>
<thead><tr><th class="num">#</th><th>Notebook</th><th class="num">ledger rows</th>{head}</tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
<p>Ledger: <a href="ledger.csv">ledger.csv</a>. {esc(ledger_line)}</p>
<footer>Built with <code>ipsrep build</code>. Each page folds its code; use the button at the
top of a page to show it.</footer>
</main>
</body>
</html>
"""
