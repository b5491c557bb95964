"""Tables as a reader of the paper expects them: labels instead of codes, no row index,
no NaN, p-values as the trial's tables print them, no "-0.000".

Two entry points:

- :func:`publication_table` formats a DataFrame for display (a pandas ``Styler``), for
  notebooks that build a table beside the paper's;
- :func:`tidy_html_table` applies the same rules to the HTML of a DataFrame a notebook
  displayed as it is (pandas' ``to_html``), when the report is rendered: the index
  column is dropped when it only counts rows, codes become labels, missing values
  become empty cells, p columns are printed as the paper prints them
  (:func:`ipsrep.methods.formatting.format_p`), a negative zero loses its sign and a
  number written in scientific notation is written out.
"""
from __future__ import annotations

import hashlib

import math
import re

import pandas as pd

from ipsrep.inputs.measures import FOLLOW_UPS, MEASURE_BY_NAME, VISITS
from ipsrep.methods.formatting import format_p

__all__ = ["label", "readable_codes", "is_p_column", "format_cell", "publication_table", "tidy_html_table", "use_report_tables"]

WORDS = {
    "ips": "IPS", "tau": "TAU", "ci": "CI", "or": "OR", "sd": "SD", "se": "SE", "n": "n", "p": "p",
    "df": "df", "icc": "ICC", "odi": "ODI", "bpi": "BPI", "hscl": "HSCL-25", "eqvas": "EQ-VAS",
    "chi2": "χ²", "pct": "%", "id": "id", "lo": "low", "hi": "high", "ml": "ML", "reml": "REML",
}
"""How single words of a snake_case code are written in a label."""

_MISSING = {"nan", "NaN", "None", "<NA>", "NaT", "nan%"}
_CODE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
_SCIENTIFIC = re.compile(r"(?<![\w.])([-+]?\d+(?:\.\d+)?[eE][-+]?\d+)(?![\w.])")
_NUMERIC_TEXT = re.compile(r"^[<>≤≥~−-]?\s*[-+]?\d[\d.,]*\s*%?(\s*\([^()]{1,24}\))?%?$")
_NEGATIVE_ZERO = re.compile(r"(?<![\w.])-(0(?:\.0+)?)(?![\d.])")


def _visit(code: str) -> str | None:
    m = re.fullmatch(r"(\d+)m", code)
    if m and (code in VISITS or code in FOLLOW_UPS):
        return "baseline" if m.group(1) == "0" else f"{m.group(1)} months"
    return None


def use_report_tables() -> None:
    """Display options for the report's notebooks: pandas shows every character of a
    cell (no "..." in the middle of a note), whatever the width."""
    pd.set_option("display.max_colwidth", None)


def label(code: str) -> str:
    """A readable label for a column or row code.

    Measure names become their labels (:data:`ipsrep.inputs.measures.MEASURES`),
    visits become "6 months", and other snake_case codes become words with the
    abbreviations of :data:`WORDS` spelled as the paper spells them. Anything that is
    not a code (contains spaces or capitals) is returned unchanged.

    >>> label("bpi_worst"), label("6m"), label("p_chi2"), label("ips_n"), label("IPS mean (SD)")
    ('Pain intensity, worst (BPI)', '6 months', 'p χ²', 'IPS n', 'IPS mean (SD)')
    """
    text = str(code)
    if text in MEASURE_BY_NAME:
        return MEASURE_BY_NAME[text].label
    visit = _visit(text)
    if visit:
        return visit
    if not _CODE.match(text):
        return text
    words = [WORDS.get(w, w) for w in text.split("_")]
    out = " ".join(words)
    return out[:1].upper() + out[1:] if words[0] not in WORDS.values() else out


_CODE_WORD = re.compile(r"(?<![\w.-])(ips|tau|odi|eqvas|hscl|bpi_current|bpi_worst|bpi_average|bpi_least)(?![\w.-])")


def readable_codes(text: str) -> str:
    """`text` (a ledger quantity, say) with the data's codes for groups and instruments
    written as the paper writes them.

    >>> readable_codes("ips n of odi"), readable_codes("tau mean of bpi_worst at 6m"), readable_codes("t3.odi.6m.p")
    ('IPS n of ODI', 'TAU mean of BPI worst at 6m', 't3.odi.6m.p')
    """
    def word(m):
        code = m.group(1)
        if code.startswith("bpi_"):
            return "BPI " + code[4:]
        return WORDS[code]

    return _CODE_WORD.sub(word, str(text))


def is_p_column(name) -> bool:
    """True when a column holds p-values, judged by its name (``p``, ``p_fisher``,
    ``Holm p (ours)``, ``p value``, ``P``).

    >>> [is_p_column(c) for c in ["p", "p_chi2", "Holm p (ours)", "P value", "pct", "power"]]
    [True, True, True, True, False, False]
    """
    words = re.split(r"[\s_()\-]+", str(name).strip().lower())
    return "p" in words or "p-value" in str(name).lower() or ("p" in words[:1])


def format_cell(value, *, p: bool = False) -> str:
    """One cell as text: empty for a missing value, a p-value as the paper prints it
    when `p`, no sign on a zero, and no scientific notation.

    >>> format_cell(float("nan")), format_cell(1.6897e-52, p=True), format_cell(-0.0), format_cell(1.6897e-52)
    ('', '< 0.001', '0', '0')
    >>> format_cell(0.33559, p=True), format_cell(12.5), format_cell("odi")
    ('0.336', '12.5', 'odi')
    """
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        v = float(value)
        if p:
            return format_p(v)
        if v == 0 or abs(v) < 5e-7:
            return "0"
        if float(v).is_integer() and abs(v) < 1e15:
            return f"{int(v)}"
        return f"{v:.6g}" if abs(v) >= 1e-4 else f"{v:.2e}"
    return str(value)


def publication_table(df: pd.DataFrame, *, labels: dict | None = None, p_columns=None,
                      caption: str | None = None):
    """`df` as a publication table (a pandas ``Styler``).

    Parameters
    ----------
    df : pandas.DataFrame
        The table; a RangeIndex (row numbers) is hidden, any other index is kept as
        row labels.
    labels : dict, optional
        Column or row code -> label; codes not named here go through :func:`label`.
    p_columns : list, optional
        Columns printed as p-values; default the columns :func:`is_p_column` picks.
    caption : str, optional
        Table caption.
    """
    labels = labels or {}
    shown = df.copy()
    p_columns = [c for c in shown.columns if is_p_column(c)] if p_columns is None else list(p_columns)

    def relabel(x):
        return labels.get(x, label(x)) if isinstance(x, str) else x

    formats = {c: (lambda v, _p=(c in p_columns): format_cell(v, p=_p)) for c in shown.columns}
    styler = shown.style.format(formats).format_index(relabel, axis=1)
    if isinstance(shown.index, pd.RangeIndex):
        styler = styler.hide(axis="index")
    else:
        styler = styler.format_index(relabel, axis=0)
    if caption:
        styler = styler.set_caption(caption)
    # pandas draws a random id per Styler; one derived from the content keeps rebuilds byte-identical
    styler = styler.set_uuid(hashlib.sha256(shown.to_csv().encode()).hexdigest()[:8])
    return styler.set_table_attributes('class="dataframe ipsrep-table"')


# --------------------------------------------------------------------------------------
# Render-time tidying of pandas HTML
# --------------------------------------------------------------------------------------
def _clean_text(text: str, *, p: bool) -> str:
    stripped = text.strip()
    if stripped in _MISSING:
        return ""
    if _NUMBER.match(stripped):
        try:
            value = float(stripped)
        except ValueError:
            return text
        if p:
            return format_p(value)
        if "e" in stripped.lower():
            return format_cell(value)
        if _NEGATIVE_ZERO.fullmatch(stripped):
            return stripped[1:]
        return stripped
    text = _NEGATIVE_ZERO.sub(r"\1", text)
    text = _SCIENTIFIC.sub(lambda m: format_cell(float(m.group(1)), p=p), text)
    return text


def tidy_html_table(html: str) -> str:
    """The HTML of one pandas DataFrame display, tidied for reading (see the module).

    Only ``<table class="dataframe">`` elements are changed; other HTML is returned as
    it came. Numeric cells are marked ``ipsrep-num`` (right-aligned by the report's
    style).

    >>> out = tidy_html_table('<table border="1" class="dataframe"><thead><tr><th></th><th>p_chi2</th>'
    ...     '<th>diff</th></tr></thead><tbody><tr><th>0</th><td>1.6897e-52</td><td>-0.000</td></tr>'
    ...     '<tr><th>1</th><td>NaN</td><td>0.5</td></tr></tbody></table>')
    >>> "<th>0</th>" in out, "&lt; 0.001" in out or "< 0.001" in out, "-0.000" in out, "NaN" in out, "p χ²" in out
    (False, True, False, False, True)
    """
    if 'class="dataframe' not in html:
        return html
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for style in soup.find_all("style"):
        style.decompose()
    for table in soup.find_all("table", class_="dataframe"):
        _tidy_table(table)
    return str(soup)


def _tidy_table(table) -> None:
    if table.has_attr("border"):
        del table["border"]
    thead, tbody = table.find("thead"), table.find("tbody")
    body_rows = tbody.find_all("tr", recursive=False) if tbody else []
    head_rows = thead.find_all("tr", recursive=False) if thead else []
    for tr in head_rows:
        if tr.has_attr("style"):
            del tr["style"]
    # a row-number index: every body row starts with one <th> holding 0, 1, 2, ...
    firsts = [tr.find(["th", "td"], recursive=False) for tr in body_rows]
    n_index = len(body_rows[0].find_all("th", recursive=False)) if body_rows else 0
    if (body_rows and n_index == 1 and all(f is not None and f.name == "th" for f in firsts)
            and [f.get_text(strip=True) for f in firsts] == [str(i) for i in range(len(body_rows))]
            and all(not tr.find(["th", "td"], recursive=False).get_text(strip=True) for tr in head_rows)):
        for f in firsts:
            f.decompose()
        for tr in head_rows:
            tr.find(["th", "td"], recursive=False).decompose()
        n_index = 0
    # which columns hold p-values: by the header of the last header row
    p_cols: set[int] = set()
    if head_rows:
        col = 0
        for cell in head_rows[0].find_all(["th", "td"], recursive=False):
            span = int(cell.get("colspan", 1))
            if is_p_column(cell.get_text(strip=True)):
                p_cols.update(range(col, col + span))
            col += span
        if len(head_rows) > 1:
            col = 0
            for cell in head_rows[-1].find_all(["th", "td"], recursive=False):
                if is_p_column(cell.get_text(strip=True)) and col >= n_index:
                    p_cols.add(col)
                col += int(cell.get("colspan", 1))
    for tr in head_rows:
        for cell in tr.find_all(["th", "td"], recursive=False):
            text = cell.get_text(strip=True)
            if text and cell.string is not None:
                cell.string = label(text)
    for tr in body_rows:
        # a cell spanning rows above shifts the column numbers of this row: count from the right
        cells = tr.find_all(["th", "td"], recursive=False)
        width = max((sum(int(c.get("colspan", 1)) for c in r.find_all(["th", "td"], recursive=False))
                     for r in head_rows), default=len(cells))
        col = width - sum(int(c.get("colspan", 1)) for c in cells)
        for cell in cells:
            if cell.string is not None:
                text = str(cell.string)
                if cell.name == "th":
                    cell.string = label(text.strip())
                elif text.strip() in MEASURE_BY_NAME:
                    cell.string = label(text.strip())
                else:
                    new = _clean_text(text, p=col in p_cols)
                    cell.string = new
                    if _NUMBER.match(new.strip()) or new.strip().startswith("<") or _NUMERIC_TEXT.match(new.strip()):
                        cell["class"] = cell.get("class", []) + ["ipsrep-num"]
            col += int(cell.get("colspan", 1))
