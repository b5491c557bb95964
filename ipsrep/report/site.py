"""The report site, rendered with the stack Jupyter Book 1 is built on: Sphinx, MyST-NB
(rendering the notebooks papermill executed; nothing is executed again) and
sphinx-book-theme.

:func:`render_sphinx_site` writes the site into an empty folder. It prepares a Sphinx
source folder in a private working folder (MyST-NB writes next to the output folder, and
Sphinx keeps its environment there), builds it into a fresh output folder, and copies the
site out, so that two builds of the same pages are byte-identical. The preparation
(:func:`prepare_notebook`) only rewrites notebook JSON:

- code cells are folded (tag ``hide-input``) unless code is shown; the parameters cells
  are folded under "Show the parameters of this page"; stderr outputs (progress bars, warnings) are dropped;
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
import html
import io
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from ipsrep import paths
from ipsrep.inputs.markup import MATHJAX_IGNORE, html_text
from ipsrep.report import scorecard
from ipsrep.report.context import PARAMETERS_MIMETYPE
from ipsrep.report.ledger import LEDGER_MIMETYPE, ledger_csv_text, ours_text
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
FOLD_LEDGER_ROWS = 6
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

    >>> page_title("05_pilot", "The pilot study"), page_title("00_trial", "00 · The trial")
    ('05 · The pilot study', '00 · The trial')
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
    "Kuznetsova et al. 2017": "kuznetsova2017lmertest",
    "Zimmerman 2004": "zimmerman2004", "Altman 1985": "altman1985", "Moher et al. 2010": "moher2010",
    "Malterud 2012": "malterud2012", "Malterud (2012)": "malterud2012",
    "Bond, Campbell and Drake 2012": "bond2012measures",
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
                role = "cite:t" if "(" in text else "cite:alp"  # "Malterud (2012)": the author is part of the sentence
                parts[i] = parts[i].replace(text, f"{{{role}}}`{key}`")
    return "".join(p for p in parts if p is not None)


def _source_name(source) -> str:
    """A ledger row's source as the page shows it: the pilot's first author with her ø
    (the data files write ASCII "Rodevand").

    >>> _source_name("Rodevand et al. 2017, Results")
    'Rødevand et al. 2017, Results'
    """
    return str(source).replace("Rodevand", "Rødevand")


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
    summary_counts = ", ".join(f"{k} {str(s).replace('_', ' ')}" for s, k in tally.items())
    body = []
    for _, r in rows.iterrows():
        status = str(r["status"]) if isinstance(r["status"], str) else ""
        mark = (f'<span class="ipsrep-status ipsrep-status-{esc(status)}">{esc(status.replace("_", " "))}</span>'
                if status else "")
        note = str(r["note"]) if isinstance(r["note"], str) else ""
        note_cell = f"see note {letters[note]}" if note in letters else esc(note)
        ours = esc(ours_text(r["key"], r["reproduced"], r["published"]))
        published = "" if r["published"] is None or (isinstance(r["published"], float) and pd.isna(r["published"])) \
            else esc(str(r["published"]))
        if not published.strip():
            published = '<span class="ipsrep-muted">not printed</span>'
        body.append(
            f'<tr id="{esc(scorecard.anchor(str(r["key"])))}">'
            f'<td class="ipsrep-quantity">{esc(readable_codes(r["quantity"]))}'
            f'<span class="ipsrep-key"><code>{esc(str(r["key"]))}</code> · {esc(_source_name(r["source"]))}</span></td>'
            f'<td class="ipsrep-num">{published}</td><td class="ipsrep-num">{ours}</td><td>{mark}</td>'
            f'<td class="ipsrep-note">{note_cell}</td></tr>')
    legend = "".join(f"<li><strong>Note {letters[note]}.</strong> {esc(str(note))}</li>" for note in shared[:26])
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
            # the parameters a reader can change ("Try it"), folded under their own label
            if not show_code and "hide-input" not in tags:
                tags.append("hide-input")
            prompt = "parameters of this page" if "parameters" in tags else "parameters this build set"
            cell["metadata"]["mystnb"] = {"code_prompt_show": f"Show the {prompt}",
                                          "code_prompt_hide": f"Hide the {prompt}"}
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
    out = _summary_first(out)
    for k, c in enumerate(out):
        c["id"] = f"c{k:03d}"
    nb["cells"] = out
    nb.setdefault("metadata", {}).pop("papermill", None)
    return nb


def _summary_first(cells: list[dict]) -> list[dict]:
    """The cells tagged ``summary`` (a page's summary: its heading and its table, computed
    at the end of the notebook) moved up to just after the page's learning objectives, or
    after its downloads line: the page opens with its summary and the detail follows.

    >>> cells = [{"cell_type": "markdown", "source": "# T"},
    ...          {"cell_type": "markdown", "source": '<p class="ipsrep-downloads">'},
    ...          {"cell_type": "markdown", "source": "## 1"},
    ...          {"cell_type": "markdown", "source": "## S", "metadata": {"tags": ["summary"]}}]
    >>> [c["source"] for c in _summary_first(cells)]
    ['# T', '<p class="ipsrep-downloads">', '## S', '## 1']
    """
    summary = [c for c in cells if "summary" in c.get("metadata", {}).get("tags", [])]
    if not summary:
        return cells
    rest = [c for c in cells if not any(c is s for s in summary)]
    at = next((i + 1 for i, c in enumerate(rest) if c["cell_type"] == "markdown"
               and "Learning objectives" in _source(c)), None)
    if at is None:
        at = next((i + 1 for i, c in enumerate(rest) if "ipsrep-downloads" in _source(c)), 0)
    return rest[:at] + summary + rest[at:]


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
            with contextlib.suppress(ValueError):
                found[node.targets[0].id] = ast.literal_eval(node.value)
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


def _evidence_tiles(kinds: pd.DataFrame) -> str:
    esc = html.escape
    items = []
    for _, k in kinds.iterrows():
        statuses = ", ".join(f"{n} {_status_span(st)}" for st, n in k["statuses"].items())
        items.append(f'<li class="ipsrep-evidence ipsrep-evidence-{esc(k["evidence"].replace(" ", "-"))}">'
                     f'<span class="count">{int(k["rows"])}</span><strong>{esc(k["heading"])}</strong> '
                     f'({statuses})<span class="meaning">{esc(k["meaning"])}</span></li>')
    return f'<ul class="ipsrep-tiles ipsrep-evidence-kinds">{"".join(items)}</ul>'


def evidence_markdown(ledger: pd.DataFrame, *, synthetic: bool) -> list[str]:
    """Front-page lines saying what the verdicts mean: the ledger's rows with a verdict
    split by the kind of evidence they give (:func:`ipsrep.report.scorecard.evidence_counts`)."""
    kinds = scorecard.evidence_counts(ledger, synthetic=synthetic)
    if not len(kinds):
        return []
    lead = ("**What the verdicts mean.** The participant data here are a synthetic reconstruction built from "
            "the paper's printed summaries, so a number reproduced from them says little about the paper. "
            "The verdicts are of three kinds; only the first tells you something about the paper:"
            if synthetic else "**What the verdicts mean.** The verdicts are of these kinds:")
    return [lead, "", _evidence_tiles(kinds), ""]


def reproduction_markdown(ledger: pd.DataFrame) -> list[str]:
    """Front-page section for participant data compared with the paper
    (``--compare-with-paper`` on a file other than the reconstruction): does the paper
    reproduce, the verdicts counted by status and kind, and every discrepant row linked
    to its row on its page, with its note."""
    esc = html.escape
    lines = ["## Does the paper reproduce from these data?", "", esc(scorecard.reproduction_verdict(ledger)), ""]
    lines += evidence_markdown(ledger, synthetic=False)
    bad = scorecard.discrepant_rows(ledger)
    if len(bad):
        body = "".join(
            f'<tr><td><a href="{esc(r["link"])}"><code>{esc(r["key"])}</code></a></td>'
            f'<td>{esc(str(r["quantity"]))}</td><td class="ipsrep-num">{esc(str(r["published"]))}</td>'
            f'<td class="ipsrep-num">{format_cell(r["reproduced"])}</td><td>{esc(str(r["note"] or ""))}</td></tr>'
            for _, r in bad.iterrows())
        opened = " open" if len(bad) <= FOLD_LEDGER_ROWS else ""
        lines += ["The discrepant numbers, each linked to its row on the page that computes it; the note says by "
                  "how much and, where one is found, which other computation gives the printed value:", "",
                  f'<details class="ipsrep-open-items"{opened}><summary>{_status_span("discrepant")} {len(bad)} '
                  f'number{"s" if len(bad) != 1 else ""}</summary>'
                  '<div class="ipsrep-scroll"><table class="dataframe ipsrep-discrepant"><thead><tr><th>Key</th>'
                  '<th>Quantity</th><th>Published</th><th>Ours</th><th>Note</th></tr></thead>'
                  f"<tbody>{body}</tbody></table></div></details>", ""]
    return lines
PAPER_CONCLUSIONS = ("Conclusions", "Abstract, Conclusions")
"""Locations in ``data/sources/claims.csv`` of the trial paper's own conclusions, shown
on the front page (the paper's Conclusions section first)."""


def _citation() -> dict:
    """How to cite the report: authors, version and licence from ``pyproject.toml`` (or
    the installed package's metadata), and the commit with its date when the package
    runs from a git checkout."""
    import subprocess
    import tomllib
    from importlib import metadata

    root = Path(__file__).resolve().parents[2]
    info = {"authors": "The ipsrep contributors", "version": "", "licence": "", "commit": "", "date": ""}
    try:
        project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
        names = [a.get("name", "") for a in project.get("authors", []) if a.get("name")]
        info.update(version=str(project.get("version", "")), licence=str(project.get("license", "")))
        if names:
            info["authors"] = ", ".join(names)
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        with contextlib.suppress(metadata.PackageNotFoundError):
            meta = metadata.metadata("ipsrep")
            # PackageMetadata is an email.message.Message at run time; its protocol lists no get()
            info.update(version=meta.get("Version", ""),  # type: ignore[attr-defined]
                        licence=meta.get("License-Expression") or meta.get("License") or "")  # type: ignore[attr-defined]
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        done = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%h %cs"], capture_output=True,
                              text=True, timeout=10)
        if done.returncode == 0 and done.stdout.strip():
            info["commit"], info["date"] = (done.stdout.split() + [""])[:2]
    return info


def key_findings_html(ledger: pd.DataFrame, counts: pd.DataFrame, *, bundled: bool) -> str:
    """The front page's "Key findings" box: what the paper concluded (its Conclusions, in
    our words, from ``data/sources/claims.csv``), what this replication finds, how far to
    trust each of the three kinds of result, and how to cite the report."""
    from ipsrep.analyses import claims as claims_module

    esc = html.escape
    n = dict(zip(counts["status"], counts["rows"].astype(int), strict=True))
    table = claims_module.load_claims()
    own = table[(table["source"] == "trial") & table["location"].isin(PAPER_CONCLUSIONS)]
    own = own.assign(order=own["location"].map(PAPER_CONCLUSIONS.index)).sort_values(["order", "claim_id"])
    concluded = "".join(f"<li>{esc(c)}</li>" for c in own["claim"].head(4))
    verdicts = table["verdict"].value_counts()
    consistent, inconsistent = n.get("consistent", 0), n.get("inconsistent", 0)
    reproduced, discrepant = n.get("reproduced", 0), n.get("discrepant", 0)
    approximate, contradictory = n.get("approximate", 0), n.get("source_inconsistent", 0)
    claims_line = (f"Of the sources' {len(table)} claims, {int(verdicts.get('supported_by_printed_numbers', 0))} are "
                   f"supported by the printed numbers, {int(verdicts.get('not_checkable', 0))} cannot be checked from "
                   f"what is printed and {int(verdicts.get('contradicted', 0))} are contradicted by them "
                   '(<a href="08_claims.html">the claims</a>).')
    if bundled:
        finds = [
            f"The paper's printed numbers mostly agree with each other: {consistent} checks are "
            f'<span class="ipsrep-status ipsrep-status-consistent">consistent</span> and {inconsistent} '
            f'<span class="ipsrep-status ipsrep-status-inconsistent">inconsistent</span>; in {contradictory} places '
            "the sources contradict themselves.",
            claims_line,
            f"On a synthetic data set rebuilt from the paper's summaries, {reproduced} printed numbers are "
            f'<span class="ipsrep-status ipsrep-status-reproduced">reproduced</span> by the analyses the paper '
            f"describes and {discrepant} are not; {approximate} are "
            '<span class="ipsrep-status ipsrep-status-approximate">approximate</span>.',
        ]
        trust = [
            ("Checks of printed numbers against each other", f"{consistent + inconsistent} rows",
             "Trust them as they stand: they use only the paper's own numbers, and would come out the same on "
             "the trial's real data."),
            ("Values matched because the reconstruction was built to match them", f"{reproduced + discrepant} rows",
             "Not evidence about the trial. The synthetic data were built or searched to fit the printed "
             "summaries, so a match shows that the methods as we read them can produce the printed numbers "
             "from one data set, not that the trial's data do."),
            ("Values the reconstruction cannot know", f"{approximate} rows",
             "Do not read them as findings: mixed-model estimates and other results depend on who answered at "
             "which visit, which the summaries do not fix. Only the holders of the trial's records can settle "
             "them, by running this report on the real file."),
        ]
    else:
        finds = ["Every value was computed from the participant-level file named in the banner; the comparison "
                 "with the printed numbers is made on the bundled reconstruction only.", claims_line]
        trust = [("Checks of printed numbers against each other", f"{consistent + inconsistent} rows",
                  "The same on any data: they use only the paper's own numbers."),
                 ("Values computed from your file", f"{len(ledger)} rows",
                  "As reliable as the file and the methods; read each page's notes on the choices made.")]
    cite = _citation()
    when = ", ".join(x for x in (f"commit {cite['commit']}" if cite["commit"] else "", cite["date"]) if x)
    citation = (f"{esc(cite['authors'])}. <em>{esc(TITLE)}</em>"
                + (f", version {esc(cite['version'])}" if cite["version"] else "")
                + (f" ({esc(when)})" if when else "") + "."
                + (f" Licence: {esc(cite['licence'])}." if cite["licence"] else "")
                + " Cite the trial itself as Sveinsdottir et al. (2022), doi:10.1093/pm/pnac032.")
    rows = "".join(f"<tr><th scope=\"row\">{esc(k)}<span class=\"ipsrep-kf-n\">{esc(m)}</span></th>"
                   f"<td>{esc(t)}</td></tr>" for k, m, t in trust)
    return ('<section class="ipsrep-key-findings" aria-labelledby="ipsrep-kf-title">'
            '<h2 id="ipsrep-kf-title">Key findings</h2>'
            f'<h3>What the paper concluded</h3><ul>{concluded}</ul>'
            f'<h3>What this replication finds</h3><ul>{"".join(f"<li>{x}</li>" for x in finds)}</ul>'
            '<h3>How far to trust each part</h3>'
            f'<table class="ipsrep-kf-trust"><tbody>{rows}</tbody></table>'
            f'<h3>How to cite this report</h3><p class="ipsrep-kf-cite">{citation}</p></section>')


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
    lines += [key_findings_html(ledger, counts, bundled=data.bundled), ""]
    variant = variant_parameters(pages)
    if variant:
        lines += ["```{admonition} A variant report", ":class: warning", "",
                  "This report was built with parameters other than the notebooks' defaults "
                  "(`ipsrep build -p NAME VALUE`):", ""]
        items = "".join(  # values are user strings: inert HTML, out of MathJax's reach
            f"<li>{html_text(f'{name} = {value!r}', tag='code', classes='literal')} (default "
            f"{html_text(repr(default), tag='code', classes='literal')}) on "
            + ", ".join(f'<a href="{esc(s)}.html">{esc(s)}</a>' for s in where) + "</li>"
            for name, value, default, where in variant)
        lines.append(f'<ul class="ipsrep-variant {MATHJAX_IGNORE}">{items}</ul>')
        lines += ["", "Statuses in the ledger judge these values against the paper's numbers.", "```", ""]
    if data.with_paper and not data.bundled:
        lines += reproduction_markdown(ledger)
    lines += ["## Research questions", "",
              f"Answered from the values the notebooks computed on the data in use, read at $\\alpha = {alpha:g}$.", ""]
    if not answers:
        lines += ["No research question could be answered: the build produced none of the values they need.", ""]
    for a in answers:
        more = f' <a href="{esc(a.link)}">Worked out here</a>.' if a.link else ""
        caveat = f'<br><em>Note: {esc(a.caveat)}.</em>' if a.caveat else ""
        robust = (f'<br><span class="ipsrep-robustness">Across ensembles of reconstructions: '
                  f'{esc(a.robustness)} <a href="09_ensemble.html">What the reconstruction decides</a>.</span>'
                  if a.robustness else "")
        lines += [f'<dl class="ipsrep-answer"><dt>{esc(a.question)}</dt>'
                  f'<dd>{esc(a.answer or "not computed in this build")}{more}{caveat}{robust}</dd></dl>', ""]
    lines += ["## Scorecard", ""]
    if data.bundled:
        lines += evidence_markdown(ledger, synthetic=True)
    if data.with_paper:
        if not data.bundled:
            counts = counts[counts["status"] != "approximate"]
        checked = int(counts.loc[counts["status"] != scorecard.NOT_PRINTED, "rows"].sum())
        extra = int(counts.loc[counts["status"] == scorecard.NOT_PRINTED, "rows"].iloc[0])
        lines += [f"The notebooks set {checked} published numbers beside the values they compute and compute "
                  f"{extra} further values the papers do not print; every row is in "
                  '<a href="ledger.csv" download>ledger.csv</a>. Each status is counted once, by its word:', ""]
        tiles = "".join(
            f'<li><span class="count">{int(r["rows"])}</span>{_status_span(r["status"])}'
            f'<span class="meaning">{esc(r["meaning"])}</span></li>' for _, r in counts.iterrows())
        lines += [f'<ul class="ipsrep-tiles">{tiles}</ul>', ""]
        open_items = scorecard.open_items(ledger)
        if len(open_items):
            lines += ["Numbers not reproduced, most serious first; each links to its row on the page that "
                      "discusses it:", ""]
            parts = []
            for status in scorecard.OPEN_STATUSES:
                rows = open_items[open_items["status"] == status]
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
                  'reconstruction (<a href="ledger.csv" download>ledger.csv</a>). To set each beside the '
                  "paper's printed number with a verdict, build with `ipsrep build --data FILE "
                  "--compare-with-paper`.", ""]
    by_page = scorecard.counts_by_page(ledger, infos)
    lines += ["## Pages", "",
              "{numref}`tbl-pages` lists the pages with the ledger rows each shows; the left-hand menu and the "
              "search box (top left) reach every page.", "",
              "```{list-table} The report's pages and their ledger rows",
              ":name: tbl-pages", ":header-rows: 1", "",
              "* - Page", "  - Ledger rows", "  - Reproduced", "  - Consistent (checks of printed numbers)",
              "  - Not reproduced, inconsistent or approximate"]
    for _, r in by_page.iterrows():
        open_n = int(sum(r[s] for s in scorecard.OPEN_STATUSES))
        consistent = int(r["consistent"]) if "consistent" in r.index else 0
        lines += [f"* - {{doc}}`{r['page']}`", f"  - {int(r['rows'])}", f"  - {int(r['reproduced'])}",
                  f"  - {consistent}", f"  - {open_n}"]
    lines += ["```", ""]
    further = []
    if any(s.endswith("_claims") for s in stems):
        further.append(f"The claims page ({{doc}}`{next(s for s in stems if s.endswith('_claims'))}`) takes the "
                       "sources' statements one by one and says which the numbers support.")
    if any(s.endswith("_ensemble") for s in stems):
        further.append(f"The ensemble page ({{doc}}`{next(s for s in stems if s.endswith('_ensemble'))}`) shows "
                       "which results the printed numbers decide, which the reconstruction was built to match, "
                       "and what "
                       "the printed summaries alone allow for Table 4.")
    if further:
        lines += [" ".join(further), ""]
    lines += ["Terms are explained in the {doc}`glossary`; the sources and methods are listed under "
              "{doc}`references`. Code is folded on every page: open a cell, or use *Show all code* at the "
              "top of a page.", "",
              "```{toctree}", ":maxdepth: 1", ":caption: Pages", ":hidden:", "",
              *stems, "glossary", "references", "```", ""]
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


def write_sources(src: Path, pages, *, data, parameters: dict, show_code: bool, alpha: float) -> None:
    """Fill the Sphinx source folder `src`: configuration, assets and one notebook per page."""
    shutil.copytree(SITE_DIR, src, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    script, css = datatables_script()
    (src / "_static" / "ipsrep-datatables.js").write_text(script, encoding="utf-8")
    (src / "_static" / "ipsrep-datatables.css").write_text(css, encoding="utf-8")
    strong, light = _banners(data)
    without = [p.stem for p in pages if not uses_participant_data(p.notebook)]
    without += ["glossary", "references", "search", "genindex"]  # Sphinx's own pages use no data either
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

    pages: list = []
    parameters: dict = {}
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


def report_data(pages) -> tuple[str | None, str | None]:
    """The data file a built report's notebooks ran on, as they recorded it: its
    ``data_path`` parameter (None for the bundled reconstruction) and the SHA-256 their
    banner names (None when it names none)."""
    data_path, sha = None, None
    for page in pages:
        for cell in page.notebook.cells:
            for output in cell.get("outputs", []):
                bundle = output.get("data", {})
                if PARAMETERS_MIMETYPE in bundle:
                    recorded = bundle[PARAMETERS_MIMETYPE].get("parameters", {})
                    data_path = data_path or recorded.get("data_path")
                    found = re.search(r"sha256 ([0-9a-f]{64})", str(bundle.get("text/plain", "")))
                    sha = sha or (found.group(1) if found else None)
    return data_path, sha


def _pdf_target(out: str) -> Path:
    """The PDF's path; refused (ValueError, one line) when something is there that
    Chromium did not print (not a regular file, not a PDF, not Skia's), or in a folder of
    the project other than its root."""
    from ipsrep.ownership import folder_refusal, shown_path

    target = Path(out).resolve()
    if target.parent != paths.PROJECT_ROOT.resolve():
        problem = folder_refusal(target.parent, option="the PDF's folder", what="the PDF", needs_manifest=False)
        if problem:
            raise ValueError(problem)
    if os.path.lexists(target):
        import stat

        info = os.lstat(target)
        head = b""
        if stat.S_ISREG(info.st_mode):
            with open(target, "rb") as f:
                head = f.read(1 << 16)
        if not stat.S_ISREG(info.st_mode) or not head.startswith(b"%PDF-") or b"Skia/PDF" not in head:
            raise ValueError(f"{shown_path(target)}: is there and is not a PDF this command printed; "
                             "move it away or give another file")
    return target


def pdf_command(report_dir: str = "reports", out: str = "report.pdf") -> int:
    """``make pdf``: the whole report as one PDF.

    The executed notebooks of `report_dir` are rendered once more as a single HTML page
    (Sphinx's ``singlehtml`` builder; the print style hides the navigation and folded
    code), labelled with the data those notebooks recorded (not the bundled file), checked
    as the build checks its site (nothing a browser would fetch, none of the data's
    participant ids), and printed by headless Chromium with the network closed (every
    host name unresolvable, a proxy that refuses), which runs MathJax first. Returns 0,
    or 1 with one line on stderr. The PDF embeds its creation date, so two PDFs differ.
    """
    import subprocess
    import sys

    from ipsrep.inputs.contract import terminal_safe
    from ipsrep.report import check
    from ipsrep.report.failures import BuildError

    def fail(message: str) -> int:
        print(terminal_safe(f"ipsrep pdf: {message}"), file=sys.stderr)
        return 1

    report = Path(report_dir)
    chromium = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")
                     if shutil.which(n)), None)
    if chromium is None:
        return fail("no Chromium found (apt-get install chromium); it prints the PDF")
    try:
        target = _pdf_target(out)
    except ValueError as err:
        return fail(str(err))
    pages, parameters = pages_from_report(report)
    if not pages:
        return fail(f"no executed notebooks (NN_*.ipynb) in {report}; run make report first")
    data_path, recorded_sha = report_data(pages)
    from ipsrep.report.build import check_data

    try:
        data, ids = check_data(data_path)  # the same file: its label, and its ids for the check
    except BuildError as err:
        return fail(f"the report in {report} was built from {data_path or 'the bundled data'}, which cannot be "
                    f"checked now ({str(err).split(';')[0]}); the PDF is checked for its participant ids")
    if recorded_sha and data.sha256 != recorded_sha:
        return fail(f"the report in {report} was built from a file with sha256 {recorded_sha}; {data_path} now "
                    "holds other bytes; rebuild the report first")
    if not data.bundled:
        pages, parameters = pages_from_report(report, bundled=False)
    parameters.setdefault("alpha", 0.05)
    with tempfile.TemporaryDirectory(prefix="ipsrep-pdf-") as tmp:
        site = Path(tmp) / "site"
        site.mkdir()
        try:
            render_sphinx_site(pages, data=data, parameters=parameters, show_code=False, dest=site,
                               builder="singlehtml", workdir=Path(tmp) / "work")
        except SiteError as err:
            return fail(str(err))
        problems = check.check_site(site, ids=ids)
        if problems:
            return fail(f"{problems[0]}; not printed" + (f" ({len(problems) - 1} more)" if len(problems) > 1 else ""))
        printed = Path(tmp) / "report.pdf"
        done = subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
             "--disable-background-networking", "--disable-component-update", "--no-pdf-header-footer",
             "--virtual-time-budget=60000", "--host-resolver-rules=MAP * ~NOTFOUND",
             "--proxy-server=socks5://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
             f"--user-data-dir={Path(tmp) / 'profile'}", f"--print-to-pdf={printed}", (site / "index.html").as_uri()],
            capture_output=True, text=True, timeout=600)
        if done.returncode != 0 or not printed.is_file():
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            return fail(f"Chromium could not print the report: {last}")
        shutil.copyfile(printed, target.with_name(f".{target.name}.ipsrep-tmp"))
        os.replace(target.with_name(f".{target.name}.ipsrep-tmp"), target)
    print(terminal_safe(f"ipsrep pdf: wrote {target} ({target.stat().st_size // 1024} KiB, {len(pages)} pages of "
                        f"the report, data: {data.label})"))
    return 0


if __name__ == "__main__":  # python -m ipsrep.report.site [REPORT_DIR] [OUT.pdf]
    import sys

    sys.exit(pdf_command(*sys.argv[1:3]))
