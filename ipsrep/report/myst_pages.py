"""Executed notebooks turned into the pages MyST-NB renders. :func:`prepare_notebook`
only rewrites notebook JSON:

- code cells are folded (tag ``hide-input``) unless code is shown; the parameters cells
  are folded under "Show the parameters of this page"; stderr outputs (progress bars,
  warnings) are dropped;
- the notebook's data banner output is dropped: the theme's announcement bar carries the
  banner on every page, the lighter one on pages computed without participant data
  (:func:`ipsrep.report.pages.uses_participant_data`);
- a figure followed by a Markdown cell "*Figure N. ...*" gets that caption, alt text and
  a label ``fig-<NN>-<N>`` (MyST-NB cell metadata), so Sphinx numbers it with its page's
  number ("Figure 3.1" on page 03, never the paper's "Figure 1") and ``{numref}`` links to it;
- ledger outputs become a ledger table (:func:`ledger_html`): folded when long, one anchor
  per row, searchable and sortable in the browser; the page offers its ledger rows as
  CSV and its executed notebook;
- pandas tables are tidied (:func:`ipsrep.report.tables.tidy_html_table`) and numbered
  with their page's number ("Table 3.2", :func:`ipsrep.report.tables.number_tables`): the
  caption a notebook stated (:func:`ipsrep.report.tables.captioned`), or else the heading
  of the table's section; the ledger tables are not numbered (they are the page's record
  of checks, each folded under its own "Ledger: ..." summary with an anchor per row);
- the first use of a glossary term on a page links to the glossary
  (:func:`link_terms`), author-year citations link to the references
  (:func:`link_citations`).
"""
from __future__ import annotations

import html
import json
import re

import pandas as pd

from ipsrep import paths
from ipsrep.report import scorecard
from ipsrep.report.context import PARAMETERS_MIMETYPE
from ipsrep.report.ledger import LEDGER_MIMETYPE, ours_text
from ipsrep.report.pages import HEADING, cell_source, page_title
from ipsrep.report.tables import number_tables, readable_codes, tidy_html_table

__all__ = ["CITATIONS", "FOLD_LEDGER_ROWS", "LEDGER_DOWNLOADS", "figure_label", "glossary_terms", "ledger_html",
           "link_citations", "link_terms", "prepare_notebook"]

LEDGER_DOWNLOADS = "ledger-rows"
"""Folder of the site holding each page's ledger rows as CSV."""
FOLD_LEDGER_ROWS = 6
"""Ledgers with more rows than this are folded."""

_CAPTION = re.compile(r"^\s*[*_]{1,2}\s*Figure\s+(\d+)\.\s*(.*?)\s*[*_]{1,2}\s*(.*)$", re.DOTALL)


def figure_label(stem: str, number: int) -> str:
    """A figure's label as the site numbers it (``conf.py``): the page's number first, so
    that the report's figures are never read as the paper's.

    >>> figure_label("03_rq3_health", 2), figure_label("glossary", 1)
    ('Figure 3.2', 'Figure 1')
    """
    page = stem[:2]
    return f"Figure {int(page)}.{number}" if page.isdigit() else f"Figure {number}"


def _tags(cell) -> list:
    return cell.setdefault("metadata", {}).setdefault("tags", [])


def glossary_terms() -> list[str]:
    """The terms the site's glossary defines, in its order."""
    text = (paths.SPHINX_FILES_DIR / "glossary.md").read_text(encoding="utf-8")
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
"""Author-year citations as the notebooks write them -> keys of ``sphinx_files/refs.bib``."""


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
    terms = glossary_terms() if terms is None else terms
    seen: set[str] = set()
    out: list[dict] = []
    skip: set[int] = set()
    titled = False
    for i, cell in enumerate(cells):
        if i in skip:
            continue
        if cell["cell_type"] == "markdown":
            text = cell_source(cell)
            if not titled and HEADING.search(text):
                text = HEADING.sub(lambda m: f"{m.group(1)}{page_title(stem, m.group(2))}", text, count=1)
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
                o["data"]["text/html"] = tidy_html_table(cell_source({"source": data["text/html"]}))
            if "text/markdown" in o.get("data", {}):
                o["data"]["text/markdown"] = _myst_anchors(cell_source({"source": o["data"]["text/markdown"]}))
            outputs.append(o)
        cell["outputs"] = outputs
        has_image = any("image/png" in o.get("data", {}) for o in outputs)
        nxt = cells[i + 1] if i + 1 < len(cells) else None
        if has_image and nxt is not None and nxt["cell_type"] == "markdown":
            m = _CAPTION.match(cell_source(nxt))
            if m:
                number, head, rest = m.groups()
                caption = head.strip() + ((" " + " ".join(rest.split())) if rest.strip() else "")
                caption = link_terms(caption, terms, seen)
                alt = re.sub(r"[*_`{}]|\{term\}", "", f"{figure_label(stem, int(number))}: {head.strip()}")
                cell["metadata"]["mystnb"] = {"figure": {"caption": caption, "name": f"fig-{stem[:2]}-{number}"},
                                              "image": {"alt": alt}}
                skip.add(i + 1)
        out.append(cell)
    out = _summary_first(out)
    _number_tables(out, stem)
    for k, c in enumerate(out):
        c["id"] = f"c{k:03d}"
    nb["cells"] = out
    nb.setdefault("metadata", {}).pop("papermill", None)
    return nb


def _number_tables(cells: list[dict], stem: str) -> None:
    """The page's tables numbered in the order the page shows them
    (:func:`ipsrep.report.tables.number_tables`), a table without a stated caption
    captioned with the heading of its section."""
    tables, section = 0, ""
    for cell in cells:
        if cell["cell_type"] == "markdown":
            cell["source"], tables, section = _markdown_tables(cell_source(cell), stem, tables, section)
            continue
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if "text/markdown" in data:
                data["text/markdown"], tables, section = _markdown_tables(
                    cell_source({"source": data["text/markdown"]}), stem, tables, section)
            if "text/html" in data:
                data["text/html"], tables = number_tables(cell_source({"source": data["text/html"]}), stem,
                                                          tables, section)


_PIPE_TABLE = re.compile(
    r"(?:^[*_]Table:[ \t]*(?P<caption>[^\n]*?)[ \t]*[*_][ \t]*\n(?:[ \t]*\n)*)?"
    r"(?P<table>^\|[^\n]*\|[ \t]*\n^\|[ \t:|-]*-[ \t:|-]*\|[ \t]*(?:\n^\|[^\n]*\|[ \t]*)*$)",
    re.MULTILINE)
"""A Markdown pipe table, after an optional caption line ``*Table: what it shows*``."""
_ROLE = re.compile(r"\{[a-z:]+\}`([^`<]*?)\s*(?:<[^>`]*>)?`")


def _markdown_tables(markdown: str, stem: str, start: int, section: str) -> tuple[str, int, str]:
    """The pipe tables of one Markdown text written as HTML tables, numbered on from
    `start` like the page's other tables (:func:`ipsrep.report.tables.number_tables`):
    captioned by the line ``*Table: ...*`` just above the table, else by the heading
    above it, each in a box that scrolls sideways on a narrow screen. Returns the text,
    the last number used and the heading in force at its end.

    >>> text, last, section = _markdown_tables("## Linkage\\n\\n*Table: What depends on it*\\n\\n"
    ...     "| a | b |\\n|---|---|\\n| {term}`ICC <ICC>` | 2 |\\n\\nAfter.", "03_x", 2, "")
    >>> last, section, "Table 3.3.</span> What depends on it</caption>" in text, "<td>ICC</td>" in text
    (3, 'Linkage', True, True)
    """
    if "|" not in markdown:
        return markdown, start, _last_heading(markdown, section)
    from markdown_it import MarkdownIt

    out, at, number = [], 0, start
    for m in _PIPE_TABLE.finditer(markdown):
        before = markdown[at:m.start()]
        section = _last_heading(before, section)
        rendered = MarkdownIt("commonmark").enable("table").render(_ROLE.sub(r"\1", m.group("table")))
        rendered = rendered.replace("<table>", '<table class="dataframe ipsrep-prose-table">', 1)
        if m.group("caption"):
            caption = html.escape(" ".join(_ROLE.sub(r"\1", m.group("caption")).split()), quote=False)
            rendered = rendered.replace(">", f'><caption class="ipsrep-caption">{caption}</caption>', 1)
        numbered, number = number_tables(rendered, stem, number, section)
        table = "".join(line for line in numbered.splitlines() if line.strip())
        out += [before, f'\n<div class="ipsrep-table-wrap">{table}</div>\n']  # scrolls sideways on a phone
        at = m.end()
    rest = markdown[at:]
    return "".join(out) + rest, number, _last_heading(rest, section)


_HEADING_LINE = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)


def _last_heading(markdown: str, current: str) -> str:
    """The text of the last heading in `markdown` (outside fenced blocks, without its
    Markdown marks), else `current`.

    >>> _last_heading("## The paper's Table 1: the groups\\n\\ntext\\n### Ledger: `t1`", "")
    'Ledger: t1'
    >>> _last_heading("## Try it\\n```{exercise}\\n# not a heading\\n```", "")
    'Try it'
    >>> _last_heading("no heading", "Before")
    'Before'
    """
    found = _HEADING_LINE.findall(_FENCE.sub("", markdown))
    if not found:
        return current
    return re.sub(r"\{[a-z]+\}`([^`<]*)(?:<[^>]*>)?`|[*_`]", lambda m: m.group(1) or "", found[-1]).strip()


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
               and "Learning objectives" in cell_source(c)), None)
    if at is None:
        at = next((i + 1 for i, c in enumerate(rest) if "ipsrep-downloads" in cell_source(c)), 0)
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
