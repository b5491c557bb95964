"""The report site, rendered with the stack Jupyter Book 1 is built on: Sphinx, MyST-NB
(rendering the notebooks papermill executed; nothing is executed again) and
sphinx-book-theme.

:func:`render_sphinx_site` writes the site into an empty folder. It prepares a Sphinx
source folder in a private working folder (MyST-NB writes next to the output folder, and
Sphinx keeps its environment there), builds it into a fresh output folder, and copies the
site out, so that two builds of the same pages are byte-identical. The preparation
(:func:`prepare_notebook`) only rewrites notebook JSON:

- code cells are folded (tag ``hide-input``) unless code is shown; the parameters cells
  are removed; stderr outputs (progress bars, warnings) are dropped;
- the notebook's data banner output is dropped: the theme's announcement bar carries the
  banner on every page, the lighter one on pages computed without participant data
  (:func:`uses_participant_data`);
- a figure followed by a Markdown cell "*Figure N. ...*" gets that caption, alt text and
  a label ``fig-<NN>-<N>`` (MyST-NB cell metadata), so Sphinx numbers it and
  ``{numref}`` links to it;
- ledger outputs become a ledger table (:func:`ledger_html`): folded when long, one anchor
  per row, searchable and sortable in the browser (DataTables from itables, shipped in
  ``_static``); the page offers its ledger rows as CSV and its executed notebook;
- pandas tables are tidied (:func:`ipsrep.report.tables.tidy_html_table`);
- the first use of a glossary term on a page links to the glossary.

The front page is a generated MyST page (:func:`index_markdown`): the research questions
answered from the ledger (:mod:`ipsrep.report.scorecard`), the scorecard, the
parameters a variant report was built with, and the pages.
"""
from __future__ import annotations

import ast
import contextlib
import copy
import html
import io
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from ipsrep.report import scorecard
from ipsrep.report.context import PARAMETERS_MIMETYPE
from ipsrep.report.ledger import LEDGER_MIMETYPE, ledger_csv_text
from ipsrep.report.tables import format_cell, readable_codes, tidy_html_table
from ipsrep.synthetic.ensemble import UNSEARCHED_DIR, read_ensemble

__all__ = ["SITE_DIR", "SITE_LIBRARIES", "render_sphinx_site", "prepare_notebook", "index_markdown",
           "ledger_html", "uses_participant_data", "SiteError"]

SITE_DIR = Path(__file__).resolve().with_name("site")
"""Sphinx configuration, style, script, glossary and bibliography of the site."""

SITE_LIBRARIES = ("sphinx", "myst-nb", "myst-parser", "sphinx-book-theme", "pydata-sphinx-theme",
                  "sphinx-exercise", "sphinx-togglebutton", "sphinxcontrib-bibtex", "pybtex", "docutils",
                  "itables", "django-static-mathjax", "beautifulsoup4", "pygments")
"""Libraries whose versions shape the site."""

TITLE = "IPS in Pain: replication report"
LEDGER_DOWNLOADS = "ledger-rows"
"""Folder of the site holding each page's ledger rows as CSV."""
FOLD_LEDGER_ROWS = 12
"""Ledgers with more rows than this are folded."""

LIGHT_BANNER = ("This page uses published numbers only, no participant-level data; the pages that do "
                "use participant-level data are computed from {what}.")

_CAPTION = re.compile(r"^\s*[*_]{1,2}\s*Figure\s+(\d+)\.\s*(.*?)\s*[*_]{1,2}\s*(.*)$", re.DOTALL)
_HEADING = re.compile(r"^(\s{0,3}#\s+)(.+?)\s*$", re.MULTILINE)
_NUMBERED = re.compile(r"^\s*\d+\s*[·.:-]\s*")
_PARTICIPANT_DATA = re.compile(r"\bctx\.trial\b")


class SiteError(Exception):
    """Sphinx could not build the site; the message says why."""


# --------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------
def _source(cell) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def _tags(cell) -> list:
    return cell.setdefault("metadata", {}).setdefault("tags", [])


def uses_participant_data(nb) -> bool:
    """True when a code cell of the notebook reads the participant table (``ctx.trial``).

    Every notebook loads the data file to say what it is; only those that read
    ``ctx.trial`` compute anything from participant-level rows.
    """
    return any(c.get("cell_type") == "code" and _PARTICIPANT_DATA.search(_source(c)) for c in nb["cells"])


def page_title(stem: str, title: str) -> str:
    """The title as the navigation shows it: the notebook's number, a middle dot, its title.

    >>> page_title("04_pilot", "The pilot study"), page_title("00_trial", "00 · The trial")
    ('04 · The pilot study', '00 · The trial')
    """
    number = stem.split("_", 1)[0]
    plain = _NUMBERED.sub("", title).strip()
    return f"{number} · {plain}" if number.isdigit() else plain


def _glossary_terms() -> list[str]:
    text = (SITE_DIR / "glossary.md").read_text(encoding="utf-8")
    block = text.split("```{glossary}", 1)[1].split("```", 1)[0]
    return [line.strip() for line in block.splitlines() if line.strip() and not line.startswith((" ", "\t"))]


_PROTECTED = re.compile(
    r"(```.*?```|~~~.*?~~~|`[^`\n]*`|\$\$.*?\$\$|\$[^$\n]+\$|\[[^\]\n]*\]\([^)\n]*\)|\[[^\]\n]*\]|<[^>\n]+>"
    r"|\{[a-z:]+\}`[^`]*`|^\s{0,3}#.*?$|https?://\S+)",
    re.DOTALL | re.MULTILINE,
)


def _term_pattern(term: str) -> re.Pattern:
    core = re.escape(term)
    if term.isupper() or "-" in term:
        return re.compile(rf"(?<![\w-])({core})(?![\w-])")
    if term[0].isupper():
        return re.compile(rf"(?<![\w-])({core}(?:'s)?)(?![\w-])")
    return re.compile(rf"(?<![\w-])({core}s?)(?![\w-])", re.IGNORECASE)


def link_terms(markdown: str, terms: list[str], seen: set[str]) -> str:
    """`markdown` with the first use on the page (terms in `seen` already had theirs) of
    each glossary term linked to the glossary, outside code, math, links and headings.

    >>> link_terms("The ODI and `ODI` and ODI; IPS.", ["ODI", "IPS"], set())
    'The {term}`ODI <ODI>` and `ODI` and ODI; {term}`IPS <IPS>`.'
    """
    parts = _PROTECTED.split(markdown)
    out = []
    for i, part in enumerate(parts):
        if i % 2 == 1 or not part:
            out.append(part)
            continue
        for term in terms:
            if term in seen:
                continue
            pattern = _term_pattern(term)
            match = pattern.search(part)
            if match:
                text = match.group(1).replace("`", "")
                part = part[: match.start(1)] + f"{{term}}`{text} <{term}>`" + part[match.end(1):]
                seen.add(term)
        out.append(part)
    return "".join(out)


CITATIONS = {
    "Woolf 1955": "woolf1955", "Cochran 1954": "cochran1954", "Brown, Cai and DasGupta 2001": "brown2001",
    "Brown and Heathers 2017": "brown2017grim", "Anaya 2016": "anaya2016grimmer",
    "Heathers et al. 2018": "heathers2018sprite", "Fleiss, Tytun and Ury 1980": "fleiss1980",
    "Delacre, Lakens and Leys 2017": "delacre2017", "Strand et al. 2003": "strand2003", "Reme 2022": "reme2022",
    "Holm 1979": "holm1979", "Welch 1947": "welch1947", "Levene 1960": "levene1960", "Wilson 1927": "wilson1927",
    "Bates et al. 2015": "bates2015lme4", "Rødevand et al. 2017": "rodevand2017",
}
"""Author-year citations as the notebooks write them -> keys of ``site/refs.bib``."""


def link_citations(markdown: str) -> str:
    """`markdown` with author-year citations (:data:`CITATIONS`) linked to the
    references, outside code, math and links.

    >>> link_citations("standard error (Woolf 1955); `Woolf 1955`")
    'standard error ({cite:alp}`woolf1955`); `Woolf 1955`'
    """
    parts = _PROTECTED.split(markdown)
    for i in range(0, len(parts), 2):
        for text, key in CITATIONS.items():
            if parts[i] and text in parts[i]:
                parts[i] = parts[i].replace(text, f"{{cite:alp}}`{key}`")
    return "".join(p for p in parts if p is not None)


def ledger_html(rows: pd.DataFrame, *, stem: str) -> str:
    """HTML of one ledger output: a table with one anchored row per ledger key (id
    ``ledger-<key>``), status marks, notes shared by several rows stated once above the
    table, folded in a ``<details>`` when longer than :data:`FOLD_LEDGER_ROWS` rows."""
    esc = html.escape
    rows = rows.reset_index(drop=True)
    n = len(rows)
    notes = rows["note"].fillna("").astype(str) if n else pd.Series(dtype=str)
    counts = notes[notes != ""].value_counts()
    shared = [note for note, k in counts.items() if k >= 3]
    letters = {note: chr(ord("A") + i) for i, note in enumerate(shared[:26])}
    statuses = rows["status"].fillna("").astype(str) if n else pd.Series(dtype=str)
    tally = statuses[statuses != ""].value_counts()
    summary_counts = ", ".join(f"{k} {s.replace('_', ' ')}" for s, k in tally.items())
    body = []
    for _, r in rows.iterrows():
        status = str(r["status"]) if isinstance(r["status"], str) else ""
        mark = (f'<span class="ipsrep-status ipsrep-status-{esc(status)}">{esc(status.replace("_", " "))}</span>'
                if status else "")
        note = str(r["note"]) if isinstance(r["note"], str) else ""
        note_cell = f"see note {letters[note]}" if note in letters else esc(note)
        try:
            ours = format_cell(float(r["reproduced"]))
        except (TypeError, ValueError):
            ours = esc(str(r["reproduced"] or ""))
        published = "" if r["published"] is None or (isinstance(r["published"], float) and pd.isna(r["published"])) \
            else esc(str(r["published"]))
        body.append(
            f'<tr id="{esc(scorecard.anchor(str(r["key"])))}"><td class="ipsrep-quantity">{esc(readable_codes(r["quantity"]))}'
            f'<span class="ipsrep-key"><code>{esc(str(r["key"]))}</code> · {esc(str(r["source"]))}</span></td>'
            f'<td class="ipsrep-num">{published}</td><td class="ipsrep-num">{ours}</td><td>{mark}</td>'
            f'<td class="ipsrep-note">{note_cell}</td></tr>')
    legend = "".join(f"<li><strong>Note {letters[note]}.</strong> {esc(note)}</li>" for note in shared[:26])
    table = ('<div class="ipsrep-ledger-body">'
             + (f'<ul class="ipsrep-ledger-notes">{legend}</ul>' if legend else "")
             + '<table class="ipsrep-ledger-table dataframe"><thead><tr><th>Quantity (ledger key · source)</th>'
             '<th>Published</th><th>Ours</th><th>Status</th><th>Note</th></tr></thead>'
             f'<tbody>{"".join(body)}</tbody></table></div>')
    opened = "" if n > FOLD_LEDGER_ROWS else " open"
    what = f"{n} ledger row{'s' if n != 1 else ''}" + (f" ({summary_counts})" if summary_counts else "")
    return (f'<details class="ipsrep-ledger"{opened}><summary>Ledger: {esc(what)}</summary>{table}</details>')


def prepare_notebook(nb, stem: str, *, title: str, show_code: bool, ledger_rows: int,
                     terms: list[str] | None = None) -> dict:
    """A copy of the executed notebook `nb` (nbformat node or dict) ready for MyST-NB (see
    the module docstring). `ledger_rows` is the number of rows the page offers as CSV."""
    nb = json.loads(json.dumps(nb))
    cells = nb["cells"]
    terms = _glossary_terms() if terms is None else terms
    seen: set[str] = set()
    out: list[dict] = []
    skip: set[int] = set()
    titled = False
    for i, cell in enumerate(cells):
        if i in skip:
            continue
        if cell["cell_type"] == "markdown":
            text = _source(cell)
            if not titled and _HEADING.search(text):
                text = _HEADING.sub(lambda m: f"{m.group(1)}{page_title(stem, m.group(2))}", text, count=1)
                titled = True
                cell["source"] = link_citations(link_terms(_myst_anchors(text), terms, seen))
                out.append(cell)
                out.append(_downloads_cell(stem, ledger_rows))
                continue
            cell["source"] = link_citations(link_terms(_myst_anchors(text), terms, seen))
            out.append(cell)
            continue
        if cell["cell_type"] != "code":
            out.append(cell)
            continue
        tags = _tags(cell)
        if "parameters" in tags or "injected-parameters" in tags:
            tags.append("remove-cell")
        elif not show_code and not {"hide-input", "remove-input", "remove-cell"} & set(tags):
            tags.append("hide-input")
        outputs = []
        for o in cell.get("outputs", []):
            if o["output_type"] == "stream" and o.get("name") == "stderr":
                continue
            data = o.get("data", {})
            if PARAMETERS_MIMETYPE in data:
                continue  # the data banner: the announcement bar shows it on every page
            if LEDGER_MIMETYPE in data:
                rows = pd.DataFrame(data[LEDGER_MIMETYPE]["rows"])
                o["data"] = {"text/html": ledger_html(rows, stem=stem)}
            elif "text/html" in data:
                o["data"]["text/html"] = tidy_html_table(_source({"source": data["text/html"]}))
            if "text/markdown" in o.get("data", {}):
                o["data"]["text/markdown"] = _myst_anchors(_source({"source": o["data"]["text/markdown"]}))
            outputs.append(o)
        cell["outputs"] = outputs
        has_image = any("image/png" in o.get("data", {}) for o in outputs)
        nxt = cells[i + 1] if i + 1 < len(cells) else None
        if has_image and nxt is not None and nxt["cell_type"] == "markdown":
            m = _CAPTION.match(_source(nxt))
            if m:
                number, head, rest = m.groups()
                caption = head.strip() + ((" " + " ".join(rest.split())) if rest.strip() else "")
                caption = link_terms(caption, terms, seen)
                alt = re.sub(r"[*_`{}]|\{term\}", "", f"Figure {number}: {head.strip()}")
                cell["metadata"]["mystnb"] = {"figure": {"caption": caption, "name": f"fig-{stem[:2]}-{number}"},
                                              "image": {"alt": alt}}
                skip.add(i + 1)
        out.append(cell)
    for k, c in enumerate(out):
        c["id"] = f"c{k:03d}"
    nb["cells"] = out
    nb.setdefault("metadata", {}).pop("papermill", None)
    return nb


def _myst_anchors(markdown: str) -> str:
    """In-page links written for nbconvert's heading ids (``#Try-it``) pointed at MyST's
    (``#try-it``).

    Links to other pages of the site become plain HTML links.

    >>> _myst_anchors("see [Try it](#Try-it), [x](https://a.org/#B) and [row](03_h.html#ledger-k)")
    'see [Try it](#try-it), [x](https://a.org/#B) and <a href="03_h.html#ledger-k">row</a>'
    """
    markdown = re.sub(r"\]\(#([^)\s]+)\)", lambda m: f"](#{m.group(1).lower()})", markdown)
    return _PAGE_LINK.sub(lambda m: f'<a href="{html.escape(m.group(2))}">{m.group(1)}</a>', markdown)


_PAGE_LINK = re.compile(r"(?<!!)\[([^\]\n]+)\]\(([\w.-]+\.html(?:#[^)\s]*)?)\)")
"""A Markdown link to another page of the site (``[x](03_rq3_health.html#ledger-k)``):
MyST would read it as a reference to resolve; it is written as an HTML link instead."""


def _downloads_cell(stem: str, ledger_rows: int) -> dict:
    links = [f'<a href="{stem}.ipynb" download>the executed notebook ({stem}.ipynb)</a>']
    if ledger_rows:
        links.append(f'<a href="{LEDGER_DOWNLOADS}/{stem}.csv" download>this page\'s {ledger_rows} ledger '
                     f'row{"s" if ledger_rows != 1 else ""} (CSV)</a>')
    return {"cell_type": "markdown", "metadata": {},
            "source": f'<p class="ipsrep-downloads">Download: {" · ".join(links)}</p>\n'}


# --------------------------------------------------------------------------------------
# The front page
# --------------------------------------------------------------------------------------
class _PageInfo:
    """What the scorecard needs of a page: stem, title, href, ledger."""

    def __init__(self, stem: str, title: str, ledger: pd.DataFrame):
        self.stem, self.title, self.ledger = stem, title, ledger

    @property
    def href(self) -> str:
        return f"{self.stem}.html"


def _cell_literals(source: str) -> dict:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                found[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                pass
    return found


def variant_parameters(pages) -> list[tuple[str, object, object, list[str]]]:
    """Parameters papermill injected with a value other than the notebook's default:
    (name, value, default, page stems), ``data_path`` left out (the banner names the data)."""
    found: dict[tuple[str, str, str], list[str]] = {}
    for page in pages:
        defaults, injected = {}, {}
        for cell in page.notebook["cells"]:
            tags = cell.get("metadata", {}).get("tags", [])
            if "parameters" in tags:
                defaults.update(_cell_literals(_source(cell)))
            elif "injected-parameters" in tags:
                injected.update(_cell_literals(_source(cell)))
        for name, value in injected.items():
            if name == "data_path" or (name in defaults and defaults[name] == value):
                continue
            key = (name, repr(value), repr(defaults.get(name)))
            found.setdefault(key, []).append(page.stem)
    return [(name, ast.literal_eval(v), ast.literal_eval(d) if d != "None" else None, stems)
            for (name, v, d), stems in sorted(found.items())]


def _status_span(status: str) -> str:
    cls = "not-printed" if status == scorecard.NOT_PRINTED else status
    return f'<span class="ipsrep-status ipsrep-status-{cls}">{html.escape(status.replace("_", " "))}</span>'


def _bundled_ensemble(data, directory=None):
    """A committed ensemble (default the searched one, ``data/ensemble/``), for the bundled
    reconstruction only (None elsewhere or when the folder holds none): the front page says
    what decides each answer."""
    if not data.bundled:
        return None
    try:
        return read_ensemble() if directory is None else read_ensemble(directory)
    except FileNotFoundError:
        return None


def index_markdown(pages, *, data, parameters: dict, alpha: float) -> str:
    """The front page as MyST Markdown: introduction and sources, the research questions
    answered from the ledger, a variant report's parameters, the scorecard and the pages."""
    esc = html.escape
    infos = [_PageInfo(p.stem, p.title, p.ledger) for p in pages]
    ledger = scorecard.ledger_by_page(infos)
    counts = scorecard.status_counts(ledger)
    ensemble = _bundled_ensemble(data)
    unsearched = _bundled_ensemble(data, UNSEARCHED_DIR)
    answers = scorecard.research_answers(ledger, alpha=alpha, ensemble=ensemble, unsearched=unsearched)
    stems = [p.stem for p in pages]
    lines = [f"# {TITLE}", "",
             "An executable re-analysis of a randomised trial of Individual Placement and Support ({term}`IPS`) "
             "for people with chronic pain {cite:p}`sveinsdottir2022`, of its pilot study {cite:p}`rodevand2017` "
             "and of its process findings {cite:p}`reme2022`. Each page is a notebook executed on the data named in "
             "the banner above; the ledger sets every published number beside the value computed here.", ""]
    variant = variant_parameters(pages)
    if variant:
        lines += ["```{admonition} A variant report", ":class: warning", "",
                  "This report was built with parameters other than the notebooks' defaults "
                  "(`ipsrep build -p NAME VALUE`):", ""]
        for name, value, default, where in variant:
            lines.append(f"- `{name} = {value!r}` (default `{default!r}`) on "
                         + ", ".join(f"{{doc}}`{s}`" for s in where))
        lines += ["", "Statuses in the ledger judge these values against the paper's numbers.", "```", ""]
    lines += ["## Research questions", "",
              f"Answered from the values the notebooks computed on the data in use, read at $\\alpha = {alpha:g}$.", ""]
    if not answers:
        lines += ["No research question could be answered: the build produced none of the values they need.", ""]
    for a in answers:
        more = f' <a href="{esc(a.link)}">Worked out here</a>.' if a.link else ""
        caveat = f'<br><em>Note: {esc(a.caveat)}.</em>' if a.caveat else ""
        robust = (f'<br><span class="ipsrep-robustness">Across ensembles of reconstructions: '
                  f'{esc(a.robustness)} <a href="08_ensemble.html">What the reconstruction decides</a>.</span>'
                  if a.robustness else "")
        lines += [f'<dl class="ipsrep-answer"><dt>{esc(a.question)}</dt>'
                  f'<dd>{esc(a.answer or "not computed in this build")}{more}{caveat}{robust}</dd></dl>', ""]
    lines += ["## Scorecard", ""]
    if data.bundled:
        checked = int(counts.loc[counts["status"] != scorecard.NOT_PRINTED, "rows"].sum())
        extra = int(counts.loc[counts["status"] == scorecard.NOT_PRINTED, "rows"].iloc[0])
        lines += [f"The notebooks set {checked} published numbers beside the values they compute and compute "
                  f"{extra} further values the papers do not print; every row is in "
                  '<a href="ledger.csv" download>ledger.csv</a>. Each status is counted once, by its word:', ""]
        tiles = "".join(
            f'<li><span class="count">{int(r["rows"])}</span>{_status_span(r["status"])}'
            f'<span class="meaning">{esc(r["meaning"])}</span></li>' for _, r in counts.iterrows())
        lines += [f'<ul class="ipsrep-tiles">{tiles}</ul>', ""]
        items = scorecard.open_items(ledger)
        if len(items):
            lines += ["Numbers not reproduced, most serious first; each links to its row on the page that "
                      "discusses it:", ""]
            parts = []
            for status in scorecard.OPEN_STATUSES:
                rows = items[items["status"] == status]
                if not len(rows):
                    continue
                body = "".join(
                    f'<tr><td><a href="{esc(r["link"])}"><code>{esc(r["key"])}</code></a></td>'
                    f'<td>{esc(str(r["quantity"]))}</td><td class="ipsrep-num">{esc(str(r["published"]))}</td>'
                    f'<td class="ipsrep-num">{format_cell(r["reproduced"])}</td></tr>'
                    for _, r in rows.iterrows())
                parts.append(
                    f'<details class="ipsrep-open-items"><summary>{_status_span(status)} {len(rows)} '
                    f'number{"s" if len(rows) != 1 else ""}: {esc(scorecard.STATUS_TEXT[status])}</summary>'
                    '<div class="ipsrep-scroll"><table class="dataframe"><thead><tr><th>Key</th><th>Quantity</th>'
                    f'<th>Published</th><th>Ours</th></tr></thead><tbody>{body}</tbody></table></div></details>')
            lines += ["".join(parts), ""]
    else:
        lines += [f"{len(ledger)} values computed from this data set, under the same keys as for the bundled "
                  'reconstruction (<a href="ledger.csv" download>ledger.csv</a>). The comparison with the '
                  "published numbers is made only on the bundled reconstruction.", ""]
    by_page = scorecard.counts_by_page(ledger, infos)
    lines += ["## Pages", "",
              "{numref}`tbl-pages` lists the pages with the ledger rows each shows; the left-hand menu and the "
              "search box (top left) reach every page.", "",
              "```{list-table} The report's pages and their ledger rows",
              ":name: tbl-pages", ":header-rows: 1", "",
              "* - Page", "  - Ledger rows", "  - Reproduced", "  - Not reproduced or approximate"]
    for _, r in by_page.iterrows():
        open_n = int(sum(r[s] for s in scorecard.OPEN_STATUSES))
        lines += [f"* - {{doc}}`{r['page']}`", f"  - {int(r['rows'])}", f"  - {int(r['reproduced'])}",
                  f"  - {open_n}"]
    lines += ["```", ""]
    further = []
    if any(s.startswith("07_") for s in stems):
        further.append(f"The claims page ({{doc}}`{next(s for s in stems if s.startswith('07_'))}`) takes the "
                       "sources' statements one by one and says which the numbers support.")
    if any(s.startswith("08_") for s in stems):
        further.append(f"The ensemble page ({{doc}}`{next(s for s in stems if s.startswith('08_'))}`) shows "
                       "which results the printed numbers decide, which the reconstruction was built to match, and what "
                       "the printed summaries alone allow for Table 4.")
    if further:
        lines += [" ".join(further), ""]
    lines += ["Terms are explained in the {doc}`glossary`; the sources and methods are listed under "
              "{doc}`references`. Code is folded on every page: open a cell, or use *Show all code* at the "
              "top of a page.", "",
              "```{toctree}", ":maxdepth: 1", ":caption: Pages", "", *stems, "glossary", "references", "```", ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------
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
    esc = html.escape
    kind = "ipsrep-banner-synthetic" if data.bundled else "ipsrep-banner-user"
    strong = f'<span class="ipsrep-banner {kind}" role="note">{esc(data.banner_text)}</span>'
    what = "a synthetic reconstruction of the trial's data" if data.bundled else esc(data.label)
    light = f'<span class="ipsrep-banner ipsrep-banner-light" role="note">{LIGHT_BANNER.format(what=what)}</span>'
    return strong, light


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


def write_sources(src: Path, pages, *, data, parameters: dict, show_code: bool, alpha: float) -> None:
    """Fill the Sphinx source folder `src`: configuration, assets and one notebook per page."""
    shutil.copytree(SITE_DIR, src, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    script, css = datatables_script()
    (src / "_static" / "ipsrep-datatables.js").write_text(script, encoding="utf-8")
    (src / "_static" / "ipsrep-datatables.css").write_text(css, encoding="utf-8")
    strong, light = _banners(data)
    without = [p.stem for p in pages if not uses_participant_data(p.notebook)]
    (src / "ipsrep_site.json").write_text(json.dumps({
        "title": TITLE, "banner": strong, "banner_no_data": light, "pages_without_data": without,
        "datatables": True, "show_code": show_code}, indent=1, sort_keys=True), encoding="utf-8")
    terms = _glossary_terms()
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
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    import warnings as python_warnings

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


_UNUSED_ASSETS = shutil.ignore_patterns("*.map", "locales", "*.LICENSE.txt.map")
"""Theme files no page loads: source maps and the theme's message catalogues."""


def render_sphinx_site(pages, *, data, parameters: dict, show_code: bool, dest: Path,
                       builder: str = "html", jobs: int = 1, workdir: Path | None = None) -> list[str]:
    """Write the report site into the empty folder `dest`; return Sphinx's warnings.

    Parameters
    ----------
    pages : list of ipsrep.report.render.PageSource
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
    work = Path(tempfile.mkdtemp(prefix="ipsrep-site-")) if own else Path(workdir)
    try:
        src, out, doctrees = work / "src", work / "build" / builder, work / "doctrees"
        for folder in (src, out, doctrees, work / "build" / "jupyter_execute"):
            shutil.rmtree(folder, ignore_errors=True)
        src.mkdir(parents=True)
        write_sources(src, pages, data=data, parameters=parameters, show_code=show_code, alpha=alpha)
        warnings = run_sphinx(src, out, doctrees, builder=builder, jobs=jobs)
        if not (out / "index.html").is_file():
            raise SiteError("Sphinx wrote no index.html: " + "; ".join(warnings[:3]))
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


# --------------------------------------------------------------------------------------
# The PDF
# --------------------------------------------------------------------------------------
def pages_from_report(report_dir: Path, *, bundled: bool = True) -> tuple[list, dict]:
    """The pages of a built report folder (its executed ``NN_*.ipynb``) and the
    parameters they recorded, to render them again without executing anything."""
    import nbformat

    from ipsrep.report.context import recorded_parameters
    from ipsrep.report.ledger import rows_from_notebook
    from ipsrep.report.render import PageSource

    pages, parameters = [], {}
    for path in sorted(Path(report_dir).glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        heading = next((m.group(2) for c in nb.cells if c.cell_type == "markdown"
                        for m in [_HEADING.search(c.source)] if m), path.stem)
        rows = rows_from_notebook(nb)
        if not bundled:
            rows = rows.assign(published="", status="")
        pages.append(PageSource(path.stem, heading, nb, rows))
        for name, value in (recorded_parameters(nb) or {}).items():
            parameters.setdefault(name, value)
    return pages, parameters


def pdf_command(report_dir: str = "reports", out: str = "report.pdf") -> int:
    """``make pdf``: the whole report as one PDF.

    The executed notebooks of `report_dir` are rendered once more as a single HTML page
    (Sphinx's ``singlehtml`` builder; the print style hides the navigation and folded
    code) and printed by headless Chromium, which runs MathJax first. Returns 0, or 1
    with one line on stderr. The PDF embeds its creation date, so two PDFs differ.
    """
    import subprocess
    import sys

    from ipsrep.report.context import data_in_use

    report = Path(report_dir)
    chromium = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")
                     if shutil.which(n)), None)
    if chromium is None:
        print("ipsrep pdf: no Chromium found (apt-get install chromium); it prints the PDF", file=sys.stderr)
        return 1
    data = data_in_use()
    pages, parameters = pages_from_report(report, bundled=data.bundled)
    if not pages:
        print(f"ipsrep pdf: no executed notebooks (NN_*.ipynb) in {report}; run make report first", file=sys.stderr)
        return 1
    parameters.setdefault("alpha", 0.05)
    target = Path(out).resolve()
    with tempfile.TemporaryDirectory(prefix="ipsrep-pdf-") as tmp:
        site = Path(tmp) / "site"
        site.mkdir()
        try:
            render_sphinx_site(pages, data=data, parameters=parameters, show_code=False, dest=site,
                               builder="singlehtml", workdir=Path(tmp) / "work")
        except SiteError as err:
            print(f"ipsrep pdf: {err}", file=sys.stderr)
            return 1
        done = subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
             "--disable-background-networking", "--no-pdf-header-footer", "--virtual-time-budget=60000",
             f"--user-data-dir={Path(tmp) / 'profile'}", f"--print-to-pdf={target}", (site / "index.html").as_uri()],
            capture_output=True, text=True, timeout=600)
    if done.returncode != 0 or not target.is_file():
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"ipsrep pdf: Chromium could not print the report: {last}", file=sys.stderr)
        return 1
    print(f"ipsrep pdf: wrote {target} ({target.stat().st_size // 1024} KiB, {len(pages)} pages of the report)")
    return 0


if __name__ == "__main__":  # python -m ipsrep.report.site [REPORT_DIR] [OUT.pdf]
    import sys

    sys.exit(pdf_command(*sys.argv[1:3]))
