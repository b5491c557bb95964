"""HTML pages of the report: one page per executed notebook and the index linking them.

Pages are rendered in-process with nbconvert's JupyterLab template, through the
project's own template (``ipsrep/templates/ipsrep_report``) that loads nothing from the
network: the lab template's require.js, MathJax, Mermaid and widget scripts (fetched
from CDNs) are left out, images are inline ``data:`` URIs and the styles are inlined.
Code cells are folded into ``<details>`` elements, with one small inline script that
opens or closes them all. :func:`external_loads` checks a page for anything a browser
would fetch from elsewhere; the build refuses to write a page that has any.

Every page carries, besides the notebook itself:

- a navigation bar (back to the index, the previous and next page, every page by
  number) and the same links again at the foot of the page;
- a banner saying what data the page was computed from (the synthetic-data notice on
  the bundled reconstruction; the file name and SHA-256 on a user's file);
- a caption and alt text for every figure (:func:`figure_notes`): a notebook's own
  Markdown caption ("*Figure 2. ...*" right after the figure) when it has one, else
  one made from the plotting function's name and the paragraph that introduces it;
- ledger tables marked for reading: each status cell carries a colour as well as its
  word (:func:`mark_status_cells`), and each ledger row an anchor (``#ledger-<key>``)
  that the index's scorecard links to (:func:`anchor_ledger_rows`).

The index (:func:`render_index`) is plain HTML written here: title and citations, the
data banner, the research questions answered from the ledger, the scorecard and the
list of pages (:mod:`ipsrep.report.scorecard` does the counting).
"""
from __future__ import annotations

import copy
import html
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ipsrep.report import scorecard
from ipsrep.report.ledger import STATUSES

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "ipsrep_report"
TRIAL_DOI = "https://doi.org/10.1093/pm/pnac032"

SOURCES = (
    ("Trial", "Sveinsdottir V, Jacobsen HB, Ljosaa TM, Linnemorken LTB, Knutzen T, Ghiasvand R, Reme SE. "
              "The Individual Placement and Support (IPS) in Pain Trial: a randomized controlled trial of IPS "
              "for patients with chronic pain conditions. Pain Medicine 2022;23(10):1757-66.",
     TRIAL_DOI, "doi:10.1093/pm/pnac032"),
    ("Pilot", "Rødevand L, Ljosaa TM, Granan LP, Knutzen T, Jacobsen HB, Reme SE. A pilot study of the "
              "individual placement and support model for patients with chronic pain. BMC Musculoskeletal "
              "Disorders 2017;18:550.", "https://doi.org/10.1186/s12891-017-1908-3",
     "doi:10.1186/s12891-017-1908-3"),
    ("Process measures", "Reme SE. Individuell jobbstøtte for pasienter med langvarige smerter [Individual "
                         "job support for patients with long-lasting pain]. Tidsskrift for Norsk "
                         "psykologforening 2022;59(10):896-8.", None, None),
)
"""The three publications the report replicates: label, reference, link, link text."""

STATUS_CSS = """
.ipsrep-status { font-weight: 600; white-space: nowrap; border-radius: 3px; }
.ipsrep-status::before { display: inline-block; width: 1.1em; text-align: center; }
.ipsrep-status-reproduced { color: #1a5e2e; background: #e3f3e7; }
.ipsrep-status-reproduced::before { content: "\\2713"; }
.ipsrep-status-discrepant { color: #8f1118; background: #fbe3e4; }
.ipsrep-status-discrepant::before { content: "\\2717"; }
.ipsrep-status-approximate { color: #6b4d00; background: #fdf2cc; }
.ipsrep-status-approximate::before { content: "\\2248"; }
.ipsrep-status-source_inconsistent { color: #4f2479; background: #efe5fb; }
.ipsrep-status-source_inconsistent::before { content: "!"; }
.ipsrep-status-consistent { color: #1d4f73; background: #e2eef8; }
.ipsrep-status-consistent::before { content: "="; }
.ipsrep-status-inconsistent { color: #7a3b00; background: #fbe9d9; }
.ipsrep-status-inconsistent::before { content: "\\2260"; }
.ipsrep-status-not-printed { color: #57606a; background: #eef1f4; }
.ipsrep-status-printed_only { color: #57606a; background: #f6f1e7; }
.ipsrep-status-not-printed::before { content: "\\00b7"; }
"""

BANNER_CSS = """
.ipsrep-banner { margin: 0.5em 0; padding: 0.6em 0.9em; border-left: 4px solid #d1495b;
  background: #fdf1f2; font-weight: 600; }
.ipsrep-banner-user { border-left-color: #1b6ca8; background: #eef5fb; }
.ipsrep-banner-compact { flex-basis: 100%; margin: 0.1em 0 0; padding: 0.15em 0.6em; font-size: 0.9em;
  font-weight: 600; overflow-wrap: anywhere; }
"""

REPORT_CSS = BANNER_CSS + STATUS_CSS + """
.ipsrep-nav { position: sticky; top: 0; z-index: 10; display: flex; flex-wrap: wrap; gap: 0.4em 1em;
  align-items: center; padding: 0.4em 1em; background: #f5f7fa; border-bottom: 1px solid #d0d7de;
  font-size: 0.9em; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.ipsrep-nav a { text-decoration: none; color: #0b5cad; }
.ipsrep-nav a:hover, .ipsrep-nav a:focus { text-decoration: underline; }
.ipsrep-nav ol { display: flex; flex-wrap: wrap; gap: 0 0.2em; list-style: none; margin: 0; padding: 0; }
.ipsrep-nav ol a { display: inline-block; padding: 0.05em 0.45em; border-radius: 3px; }
.ipsrep-nav ol a[aria-current="page"] { background: #0b5cad; color: #fff; }
.ipsrep-nav .ipsrep-spacer { flex: 1; }
.ipsrep-nav button { font: inherit; padding: 0.15em 0.8em; cursor: pointer; }
.ipsrep-pagefoot { display: flex; justify-content: space-between; gap: 1em; margin: 2em 0 1em;
  padding-top: 0.6em; border-top: 1px solid #d0d7de; font-size: 0.9em; }
details.ipsrep-code > summary { cursor: pointer; color: #57606a; font-size: 0.8em;
  font-family: var(--jp-code-font-family, monospace); padding: 0.1em 0.5em; }
details.ipsrep-code:not([open]) > summary { opacity: 0.7; }
.jp-RenderedHTMLCommon table { font-variant-numeric: tabular-nums; }
.jp-RenderedHTMLCommon table.ledger td, .jp-RenderedHTMLCommon table.ledger th { text-align: left; }
figure.ipsrep-figure { margin: 0.4em 0; }
figure.ipsrep-figure figcaption { font-size: 0.9em; color: #3d444d; margin-top: 0.3em; max-width: 55em; }
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

INDEX_CSS = BANNER_CSS + STATUS_CSS + """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; max-width: 62em;
  margin: 2em auto; padding: 0 1em; color: #1f2328; line-height: 1.5; }
h1 { margin-bottom: 0.2em; }
h2 { margin-top: 1.6em; border-bottom: 1px solid #d0d7de; padding-bottom: 0.2em; }
a { color: #0b5cad; }
.subtitle { color: #57606a; margin-top: 0; }
table { border-collapse: collapse; margin: 0.8em 0; font-variant-numeric: tabular-nums; }
th, td { padding: 0.3em 0.7em; border-bottom: 1px solid #d0d7de; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #8c959f; }
td.num, th.num { text-align: right; }
ol.sources li { margin-bottom: 0.4em; }
dl.answers dt { font-weight: 600; margin-top: 0.9em; }
dl.answers dd { margin: 0.2em 0 0 1.2em; }
dl.answers .caveat { color: #6b4d00; font-size: 0.9em; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(10.5em, 1fr)); gap: 0.6em;
  margin: 1em 0; padding: 0; list-style: none; }
.tiles li { padding: 0.5em 0.8em; border-radius: 4px; border: 1px solid #d0d7de; background: #fafbfc; }
.tiles .count { display: block; font-size: 1.9em; font-weight: 700; line-height: 1.2; }
.tiles .ipsrep-status, table.pages th .ipsrep-status { white-space: normal; }
.tiles .meaning { display: block; font-size: 0.85em; color: #3d444d; margin-top: 0.2em; }
.tile-reproduced { border-top: 4px solid #2f8a4a !important; }
.tile-discrepant { border-top: 4px solid #c0262f !important; }
.tile-approximate { border-top: 4px solid #c99a06 !important; }
.tile-source_inconsistent { border-top: 4px solid #7a3fb5 !important; }
.tile-consistent { border-top: 4px solid #2b6ea3 !important; }
.tile-inconsistent { border-top: 4px solid #b35900 !important; }
.tile-not-printed { border-top: 4px solid #8c959f !important; }
.tile-printed_only { border-top: 4px solid #b8a57a !important; }
table.pages { width: 100%; }
table.pages td:first-child { min-width: 16em; }
table.pages th.num { font-size: 0.85em; }
details.open-items { margin: 0.6em 0; }
details.open-items > summary { cursor: pointer; font-weight: 600; }
footer { margin-top: 2.5em; font-size: 0.85em; color: #57606a; }
"""


@dataclass(frozen=True)
class Page:
    """One notebook's page in the report: file stem, title, and its ledger rows."""

    stem: str
    title: str
    ledger: pd.DataFrame

    @property
    def href(self) -> str:
        return f"{self.stem}.html"

    @property
    def label(self) -> str:
        """Short name for navigation, from the file stem (``01_rq1_employment`` -> ``01 RQ1 employment``).

        >>> Page("01_rq1_employment", "", pd.DataFrame()).label
        '01 RQ1 employment'
        """
        words = [w.upper() if re.fullmatch(r"rq\d+", w) else w for w in self.stem.split("_")]
        return " ".join(words)


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


# --------------------------------------------------------------------------------------
# Figures: captions and alt text
# --------------------------------------------------------------------------------------
IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml")
_CAPTION = re.compile(r"^\s*[*_]{0,2}\s*(Figure|Fig\.)\s+(\d+[a-z]?)\s*[.:]", re.IGNORECASE)
_PLOT_CALL = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*(?:_figure|_forest|_plot|plot))\s*\(")


@dataclass(frozen=True)
class FigureNote:
    """Caption and alt text of one figure output.

    ``alt`` always; ``caption`` only when the notebook gives none of its own (a
    Markdown cell right after the figure that starts "Figure N.").
    """

    number: int
    alt: str
    caption: str | None


def plain_text(markdown: str) -> str:
    """Markdown reduced to one line of plain text (emphasis, code marks, links, headings,
    HTML tags removed).

    >>> plain_text("*Figure 2.* The **odds** ratio, see [Woolf](#woolf) and `level`.")
    'Figure 2. The odds ratio, see Woolf and level.'
    """
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"^\s{0,3}#{1,6}\s*", "", text, flags=re.MULTILINE)
    text = re.sub(r"(\*\*|__|\*|`)", "", text)
    text = re.sub(r"(?<!\w)_(?=\S)|(?<=\S)_(?!\w)", "", text)
    return " ".join(text.split())


def _sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z(\"'*])", text)
    return [p.strip() for p in parts if p.strip()]


def _shorten(text: str, limit: int = 320) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _last_sentence(markdown: str) -> str:
    """Last sentence of the last paragraph of `markdown` that is not a heading.

    >>> _last_sentence("## Table 4\\n\\nThe model. It is fitted below.\\n\\n### Next")
    'It is fitted below.'
    """
    paragraphs = [p for p in re.split(r"\n\s*\n", markdown)
                  if p.strip() and not re.match(r"^\s{0,3}#{1,6}\s", p.strip())]
    if not paragraphs:
        return ""
    sentences = _sentences(plain_text(paragraphs[-1]))
    return sentences[-1] if sentences else ""


def _plot_name(source: str) -> str | None:
    """Readable name of the last plotting call in a code cell (``odds_ratio_forest`` ->
    ``Odds ratio forest plot``), or None."""
    calls = _PLOT_CALL.findall(source)
    if not calls:
        return None
    name = calls[-1]
    name = re.sub(r"_figure$", "", name)
    name = re.sub(r"(?<=[a-z])(\d+)", r" \1", name).replace("_", " ").strip()
    if name.endswith("forest"):
        name += " plot"
    return name[:1].upper() + name[1:]


def figure_notes(nb) -> dict[tuple[int, int], FigureNote]:
    """Caption and alt text for every figure of `nb`, by (cell index, output index).

    The notebook's own caption is used when the next cell is Markdown starting "Figure
    N." (or "*Figure N.*"): the alt text is then its first sentence after the number,
    and no caption is added. Otherwise the alt text is the plotting function's name
    (:func:`_plot_name`) and the last sentence of the Markdown before the figure (which
    introduces it), and the caption reads "Figure k. <name>." with k counting the
    page's figures.
    """
    notes: dict[tuple[int, int], FigureNote] = {}
    number = 0
    last_markdown = ""
    heading = ""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            last_markdown = cell.source
            found = [m.group(1) for m in re.finditer(r"^\s{0,3}#{1,6}\s+(.+)$", cell.source, re.MULTILINE)]
            if found:
                heading = plain_text(found[-1])
            continue
        if cell.cell_type != "code":
            continue
        following = nb.cells[i + 1] if i + 1 < len(nb.cells) else None
        own = following is not None and following.cell_type == "markdown" and _CAPTION.match(following.source)
        for j, output in enumerate(cell.get("outputs", [])):
            if not any(t in output.get("data", {}) for t in IMAGE_TYPES):
                continue
            number += 1
            if own:
                text = plain_text(following.source)
                body = _CAPTION.sub("", text, count=1).strip() if _CAPTION.match(text) else text
                body = re.sub(r"^[.:*_\s]+", "", body)
                first = _sentences(body)[0] if _sentences(body) else body
                label = re.match(r"(Figure|Fig\.)\s+\d+[a-z]?", text, re.IGNORECASE)
                alt = f"{label.group(0)}: {first}" if label else first
                notes[(i, j)] = FigureNote(number, _shorten(alt), None)
                continue
            name = _plot_name(cell.source) or (f"Figure for “{heading}”" if heading else "Figure")
            context = _last_sentence(last_markdown)
            alt = f"{name}. {context}" if context else f"{name}."
            where = f" (section “{heading}”)" if heading and heading not in name else ""
            notes[(i, j)] = FigureNote(number, _shorten(alt), f"Figure {number}. {name}{where}.")
    return notes


def annotate_figures(nb):
    """A copy of `nb` whose figure outputs carry their :class:`FigureNote` as
    ``output.metadata["ipsrep"]`` (read by the page template)."""
    notes = figure_notes(nb)
    if not notes:
        return nb
    nb = copy.deepcopy(nb)
    for (i, j), note in notes.items():
        output = nb.cells[i].outputs[j]
        output.setdefault("metadata", {})["ipsrep"] = {
            "number": note.number, "alt": note.alt, "caption": note.caption or ""}
    return nb


# --------------------------------------------------------------------------------------
# Tables: status marks and ledger anchors
# --------------------------------------------------------------------------------------
_STATUS_CELL = re.compile(
    r"<td(\s[^>]*)?>\s*(" + "|".join(STATUSES) + r")\s*</td>")
_LEDGER_TABLE = re.compile(r"(<table\b[^>]*\bclass=\"[^\"]*\bledger\b[^\"]*\"[^>]*>)(.*?)(</table>)", re.DOTALL)
_LEDGER_ROW = re.compile(r"<tr>(\s*)<td>([a-z0-9_.\-]+)</td>")


def mark_status_cells(page: str) -> str:
    """Give every table cell that holds exactly a ledger status a class per status, so
    that it is shown in colour next to its word (the word stays: colour is not the
    only cue).

    >>> mark_status_cells("<td>reproduced</td><td class='x'>approximate</td><td>reproduced!</td>")
    '<td class="ipsrep-status ipsrep-status-reproduced">reproduced</td><td class=\\'x ipsrep-status ipsrep-status-approximate\\'>approximate</td><td>reproduced!</td>'
    """

    def mark(m: re.Match) -> str:
        attrs, status = m.group(1) or "", m.group(2)
        classes = f"ipsrep-status ipsrep-status-{status}"
        existing = re.search(r"""\bclass=(["'])(.*?)\1""", attrs)
        if existing:
            quote = existing.group(1)
            attrs = attrs[: existing.start()] + f"class={quote}{existing.group(2)} {classes}{quote}" + attrs[existing.end():]
        else:
            attrs = f'{attrs} class="{classes}"'
        return f"<td{attrs}>{status}</td>"

    return _STATUS_CELL.sub(mark, page)


def anchor_ledger_rows(page: str) -> str:
    """Give each row of a ledger table (``table.ledger``) the id ``ledger-<key>`` (first
    occurrence of a key on the page only), the target of the index's links.

    >>> anchor_ledger_rows('<table class="dataframe ledger"><tr>\\n<td>t2.12m.p</td></tr></table>')
    '<table class="dataframe ledger"><tr id="ledger-t2.12m.p">\\n<td>t2.12m.p</td></tr></table>'
    """
    seen: set[str] = set()

    def row(m: re.Match) -> str:
        key = m.group(2)
        if key in seen:
            return m.group(0)
        seen.add(key)
        return f'<tr id="{html.escape(scorecard.anchor(key))}">{m.group(1)}<td>{key}</td>'

    def table(m: re.Match) -> str:
        return m.group(1) + _LEDGER_ROW.sub(row, m.group(2)) + m.group(3)

    return _LEDGER_TABLE.sub(table, page)


# --------------------------------------------------------------------------------------
# Banner and navigation
# --------------------------------------------------------------------------------------
def banner_html(data_label: str, bundled: bool, *, compact: bool = False) -> str:
    """The data banner: the synthetic-data notice, or the user's file name and checksum.

    `compact` gives the one-line form that sits in every page's sticky navigation bar
    (so it stays in view while the reader scrolls); the index shows the full form.
    """
    kind = "ipsrep-banner" + ("" if bundled else " ipsrep-banner-user") + (" ipsrep-banner-compact" if compact else "")
    if bundled:
        text = ("Synthetic data: every participant-level result in this report is computed from a data set "
                "reconstructed from the published summaries, not from the trial's confidential participant "
                "records.")
    else:
        text = (f"Data: {data_label}. Comparisons with the published numbers are shown only for the bundled "
                "reconstruction.")
    return f'<div class="{kind}" role="note">{html.escape(text)}</div>'


def nav_html(pages: Sequence[Page], current: int, show_code: bool, banner: str = "") -> tuple[str, str]:
    """Top navigation bar and foot-of-page links of page number `current` (0-based).

    With no `pages` the bar holds only the link to the index and the code toggle.
    `banner` (the compact data banner) becomes the bar's second row.
    """
    esc = html.escape
    items = []
    for i, page in enumerate(pages):
        mark = ' aria-current="page"' if i == current else ""
        items.append(f'<li><a href="{esc(page.href)}" title="{esc(page.title)}"{mark}>'
                     f"{esc(page.label.split(' ')[0])}</a></li>")
    prev = pages[current - 1] if current > 0 else None
    nxt = pages[current + 1] if current + 1 < len(pages) else None
    prev_link = f'<a href="{esc(prev.href)}" rel="prev">&larr; {esc(prev.label)}</a>' if prev else ""
    next_link = f'<a href="{esc(nxt.href)}" rel="next">{esc(nxt.label)} &rarr;</a>' if nxt else ""
    pressed = "true" if show_code else "false"
    toggle = "Hide all code" if show_code else "Show all code"
    top = (
        '<nav class="ipsrep-nav" aria-label="Report pages">'
        '<a href="index.html">&uarr; Report index</a>'
        f"{prev_link}"
        + (f'<ol aria-label="All pages">{"".join(items)}</ol>' if items else "")
        + f"{next_link}"
        '<span class="ipsrep-spacer"></span>'
        f'<button type="button" id="ipsrep-toggle-code" aria-pressed="{pressed}">{toggle}</button>'
        f"{banner}"
        "</nav>"
    )
    foot = (
        '<nav class="ipsrep-pagefoot" aria-label="Previous and next page">'
        f"<span>{prev_link}</span>"
        '<a href="index.html">Report index</a>'
        f"<span>{next_link}</span>"
        "</nav>"
    )
    return top, foot


# --------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------
def _exporter(show_code: bool):
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.CoalesceStreamsPreprocessor.enabled = True  # a progress bar shows its last state only
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = ("remove-cell",)
    config.TagRemovePreprocessor.remove_input_tags = ("remove-input",)
    config.TagRemovePreprocessor.remove_all_outputs_tags = ("remove-output",)
    quiet = logging.getLogger("ipsrep.report.html.nbconvert")
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

    def render(self, nb, title: str, *, pages: Sequence[Page] = (), current: int = 0,
               banner: str = "") -> str:
        """HTML of the executed notebook `nb` (nbformat node) under the page title `title`.

        `pages` (all pages of the report, in order) and `current` (this page's position)
        make the navigation; `banner` is the compact data banner's HTML
        (:func:`banner_html`), shown in the navigation bar.
        """
        top, foot = nav_html(pages, current, self.show_code, banner)
        resources = {
            "metadata": {"name": title},
            "ipsrep": {"show_code": self.show_code, "css": REPORT_CSS, "toggle_js": TOGGLE_JS,
                       "nav": top, "footnav": foot},
        }
        body, _ = self._exporter.from_notebook_node(annotate_figures(nb), resources=resources)
        body = anchor_ledger_rows(mark_status_cells(body))
        return body if body.endswith("\n") else body + "\n"


# --------------------------------------------------------------------------------------
# The network check
# --------------------------------------------------------------------------------------
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


# --------------------------------------------------------------------------------------
# The index page
# --------------------------------------------------------------------------------------
UNPUBLISHED = scorecard.NOT_PRINTED


def _status_span(status: str) -> str:
    cls = "not-printed" if status == scorecard.NOT_PRINTED else status
    return f'<span class="ipsrep-status ipsrep-status-{cls}">{html.escape(status.replace("_", " "))}</span>'


def _number(value) -> str:
    """A reproduced value for reading: up to six significant digits."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return ""
    if math.isnan(v):
        return ""
    return f"{v:.6g}"


def _sources_html() -> str:
    esc = html.escape
    items = []
    for label, reference, link, link_text in SOURCES:
        tail = f' <a href="{esc(link)}">{esc(link_text)}</a>' if link else ""
        items.append(f"<li><strong>{esc(label)}.</strong> {esc(reference)}{tail}</li>")
    return '<ol class="sources">' + "".join(items) + "</ol>"


def _answers_html(answers: Sequence[scorecard.Answer]) -> str:
    esc = html.escape
    if not answers:
        return "<p>No research question could be answered: the build produced none of the values they need.</p>"
    parts = ['<dl class="answers">']
    for a in answers:
        more = f' <a href="{esc(a.link)}">Worked out here</a>.' if a.link else ""
        caveat = f'<br><span class="caveat">Note: {esc(a.caveat)}.</span>' if a.caveat else ""
        parts.append(f"<dt>{esc(a.question)}</dt><dd>{esc(a.answer)}{more}{caveat}</dd>")
    parts.append("</dl>")
    return "".join(parts)


def _tiles_html(counts: pd.DataFrame) -> str:
    esc = html.escape
    items = []
    for _, row in counts.iterrows():
        cls = "not-printed" if row["status"] == scorecard.NOT_PRINTED else row["status"]
        items.append(f'<li class="tile tile-{cls}"><span class="count">{row["rows"]}</span>'
                     f'{_status_span(row["status"])}<span class="meaning">{esc(row["meaning"])}</span></li>')
    return '<ul class="tiles">' + "".join(items) + "</ul>"


def _open_items_html(items: pd.DataFrame) -> str:
    esc = html.escape
    if not len(items):
        return "<p>Every published number the notebooks check is reproduced.</p>"
    parts = []
    for status in scorecard.OPEN_STATUSES:
        rows = items[items["status"] == status]
        if not len(rows):
            continue
        opened = "" if status == "approximate" else " open"
        body = "".join(
            f'<tr><td><a href="{esc(r["link"])}"><code>{esc(r["key"])}</code></a></td>'
            f'<td>{esc(str(r["quantity"]))}</td><td class="num">{esc(str(r["published"]))}</td>'
            f'<td class="num">{_number(r["reproduced"])}</td>'
            f'<td><a href="{esc(r["link"].split("#")[0])}">{esc(r["page"])}</a></td></tr>'
            for _, r in rows.iterrows()
        )
        parts.append(
            f'<details class="open-items"{opened}><summary>{_status_span(status)} {len(rows)} '
            f'number{"s" if len(rows) != 1 else ""}: {esc(scorecard.STATUS_TEXT[status])}</summary>'
            '<table><thead><tr><th>key</th><th>quantity</th><th class="num">published</th>'
            f'<th class="num">reproduced</th><th>page</th></tr></thead><tbody>{body}</tbody></table></details>'
        )
    return "".join(parts)


def _pages_html(by_page: pd.DataFrame, bundled: bool) -> str:
    esc = html.escape
    kinds = [*STATUSES, scorecard.PRINTED_ONLY, scorecard.NOT_PRINTED]
    head = "".join(f'<th class="num">{_status_span(k)}</th>' for k in kinds) if bundled else ""
    rows = []
    for _, r in by_page.iterrows():
        cells = "".join(f'<td class="num">{r[k]}</td>' for k in kinds) if bundled else ""
        rows.append(f'<tr><td><a href="{esc(r["href"])}">{esc(r["title"])}</a></td>'
                    f'<td class="num">{r["rows"]}</td>{cells}</tr>')
    return (f'<table class="pages"><thead><tr><th>Page</th><th class="num">ledger rows</th>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def render_index(pages: Sequence[Page], *, data_label: str, bundled: bool, alpha: float = 0.05) -> str:
    """The report's front page.

    Parameters
    ----------
    pages : sequence of Page
        Notebook pages in report order, each with the ledger rows it displayed.
    data_label : str
        What data the notebooks ran on (file name and checksum for a user's file).
    bundled : bool
        True for the bundled synthetic reconstruction: the page then says so in a banner
        and shows the scorecard (ledger rows per status, each number that is not
        reproduced linked to the page that discusses it). On other data the ledger has
        no statuses, and the page counts the values computed instead.
    alpha : float
        Significance level the research-question answers are read at (the notebooks'
        ``alpha`` parameter).
    """
    esc = html.escape
    ledger = scorecard.ledger_by_page(pages)
    counts = scorecard.status_counts(ledger)
    by_page = scorecard.counts_by_page(ledger, pages)
    answers = scorecard.research_answers(ledger, alpha=alpha)
    if bundled:
        checked = int(counts.loc[counts["status"] != scorecard.NOT_PRINTED, "rows"].sum())
        score = (
            f"<p>The notebooks set {checked} published numbers beside the values they compute from the data "
            f"(each in the ledger, <a href=\"ledger.csv\">ledger.csv</a>), and compute "
            f"{int(counts.loc[counts['status'] == scorecard.NOT_PRINTED, 'rows'].iloc[0])} further values that "
            "the papers do not print.</p>"
            + _tiles_html(counts)
            + "<h3>Numbers not reproduced</h3>"
            + "<p>Each links to the row of its page's ledger; the text around it says why.</p>"
            + _open_items_html(scorecard.open_items(ledger))
        )
    else:
        score = (f"<p>{len(ledger)} values computed from this data set, under the same keys as for the bundled "
                 'reconstruction (<a href="ledger.csv">ledger.csv</a>). The comparison with the published numbers '
                 "(published value and status) is made only on the bundled reconstruction.</p>")
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
<p class="subtitle">An executable re-analysis of a randomised trial of Individual Placement and Support
(IPS) for people with chronic pain, its pilot study and its process findings.</p>
{banner_html(data_label, bundled)}
<nav aria-label="Sections of this page"><a href="#questions">Research questions</a> ·
<a href="#scorecard">Scorecard</a> · <a href="#pages">Pages</a> · <a href="#sources">Sources</a></nav>

<h2 id="questions">Research questions</h2>
<p>Answered from the values the notebooks computed on the data in use, read at α = {alpha:g}.</p>
{_answers_html(answers)}

<h2 id="scorecard">Scorecard</h2>
{score}

<h2 id="pages">Pages</h2>
{_pages_html(by_page, bundled)}

<h2 id="sources">Sources</h2>
<p>The report replicates and re-examines these publications; cite them for their findings.</p>
{_sources_html()}

<footer>Built with <code>ipsrep build</code> from the notebooks in <code>notebooks/</code>. Each page folds
its code; the button at the top of a page shows all of it. Status marks: {" ".join(_status_span(k) for k in
[*STATUSES, scorecard.NOT_PRINTED])}. Data: {esc(data_label)}.</footer>
</main>
</body>
</html>
"""
