"""Tables as a reader of the paper expects them: labels instead of codes, no row index,
no NaN, p-values as the trial's tables print them, no "-0.000".

Three entry points:

- :func:`publication_table` formats a DataFrame for display (a pandas ``Styler``), for
  notebooks that build a table beside the paper's;
- :func:`captioned` states what a displayed table is, in one call; the report numbers
  the captions per page when it is rendered (:func:`number_tables`: "Table 3.2"), so no
  page carries a typed number and the report's numbers never read as the paper's;
- :func:`tidy_html_table` applies the same rules to the HTML of a DataFrame a notebook
  displayed as it is (pandas' ``to_html``), when the report is rendered: the index
  column is dropped when it only counts rows, codes become labels, missing values
  become empty cells, p columns are printed as the paper prints them
  (:func:`ipsrep.methods.formatting.format_p`), a negative zero loses its sign and a
  number written in scientific notation is written out.
"""
from __future__ import annotations

import hashlib
import html as html_lib
import json
import math
import re
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

import pandas as pd

from ipsrep.inputs.measures import FOLLOW_UPS, MEASURE_BY_NAME, VISITS
from ipsrep.methods.formatting import format_p

if TYPE_CHECKING:  # bs4 is imported where the HTML is parsed
    from bs4 import Tag

__all__ = [
    "label",
    "readable_codes",
    "is_p_column",
    "format_cell",
    "publication_table",
    "tidy_html_table",
    "use_report_tables",
    "captioned",
    "CaptionedTable",
    "table_label",
    "number_tables",
]

WORDS = {
    "ips": "IPS", "tau": "TAU", "ci": "CI", "or": "OR", "sd": "SD", "se": "SE", "n": "n", "p": "p",
    "df": "df", "icc": "ICC", "odi": "ODI", "bpi": "BPI", "hscl": "HSCL-25", "eqvas": "EQ-VAS",
    "chi2": "χ²", "pct": "%", "id": "id", "lo": "low", "hi": "high", "ml": "ML", "reml": "REML",
    "wald": "Wald", "wilson": "Wilson", "levene": "Levene", "welch": "Welch", "student": "Student",
    "fisher": "Fisher", "pearson": "Pearson", "holm": "Holm", "clopper": "Clopper-Pearson", "z": "z",
    "f": "F", "t": "t", "rms": "RMS",
}
"""How single words of a snake_case code are written in a label."""

_MISSING = {"nan", "NaN", "None", "<NA>", "NaT", "nan%"}
_CODE = re.compile(r"^[a-z][a-z0-9]*(_[a-zA-Z0-9]+)*$")
_PERCENTILE = re.compile(r"^[pP](\d+)[_ ](\d+)$")
_WORDY_CODE = re.compile(r"\b([a-z]+(?:_[a-z]+)+)\b")
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
    >>> label("levene_F"), label("p2_5"), label("clopper_pearson width"), label("wald_width")
    ('Levene F', '2.5th percentile', 'Clopper-Pearson width', 'Wald width')
    """
    text = str(code)
    if text in MEASURE_BY_NAME:
        return MEASURE_BY_NAME[text].label
    visit = _visit(text)
    if visit:
        return visit
    m = _PERCENTILE.match(text)
    if m:
        return f"{m.group(1)}.{m.group(2)}th percentile"
    if not _CODE.match(text):
        if "_" in text and " " in text:  # "clopper_pearson width": a code inside a header
            return _WORDY_CODE.sub(lambda w: label(w.group(1)), text)
        return text
    if text.startswith("clopper_pearson"):
        text = text.replace("clopper_pearson", "clopper", 1)
    words = [WORDS.get(w, re.sub(r"^(\d+)se$", r"\1 SE", w)) for w in text.split("_")]
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

    >>> [is_p_column(c) for c in ["p", "p_chi2", "Holm p (ours)", "P value", "pct", "power", "% with p < 0.05"]]
    [True, True, True, True, False, False, False]
    """
    words = re.split(r"[\s_()\-]+", str(name).strip().lower())
    if "%" in str(name) or {"share", "pct", "percent", "proportion"} & set(words):
        return False  # "% with p < 0.05" holds percentages, not p-values
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

    # the value type Styler.format declares (a dict is invariant in it)
    formats: dict[Any, str | Callable[[object], str] | None] = {
        c: partial(format_cell, p=c in p_columns) for c in shown.columns
    }
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


NOTE_HEADERS = {"why", "note", "notes", "reason", "comment", "explanation"}
"""Column headers (lower case) of text columns set as footnotes below the table."""
NOTE_MIN_CHARS = 30
"""A note column becomes footnotes when one of its cells is at least this long."""
LONG_TABLE_ROWS = 25
"""Tables with more body rows than this show their first rows and a "show all rows" button."""
SHOWN_ROWS = 10
"""Rows a long table shows before "show all rows"."""
WIDE_COLUMNS = 8
"""Tables with this many columns or more are set in a smaller type to fit the text column."""
KEEP_DIGITS = ("paper", "printed", "published", "registered", "reported", "key", "id", "seed")
"""Header words of columns whose numbers are shown exactly as they came (the sources' digits, codes)."""
CELL_WORDS = {"True": "yes", "False": "no", "pearson": "Pearson χ²", "fisher": "Fisher's exact",
              "welch": "Welch", "student": "Student", "chi2": "χ²", "wald": "Wald", "wilson": "Wilson",
              "clopper_pearson": "Clopper-Pearson", "satterthwaite": "Satterthwaite",
              "consistent_other_variant": "consistent with the other variant",
              "source_inconsistent": "source inconsistent"}
"""Whole cells written as codes (booleans, test names) and how a reader reads them."""
_SNAKE = re.compile(r"^[a-z]+(_[a-z0-9]+)+$")
_KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
"""A ledger key (``t4.bpi_average.interaction.p``): it may break after its dots and underscores."""
_TUPLE = re.compile(r"^\(\s*([-+]?[\d.eE+-]+)\s*,\s*([-+]?[\d.eE+-]+)\s*\)$")
_NUMBER_TUPLE = re.compile(r"^\(\s*[-+]?\d[\d.]*(\s*,\s*[-+]?\d[\d.]*){2,}\s*,?\s*\)$")
"""A tuple of three or more numbers (counts, say): written as a list."""


def decimals_for(header: str, values: list[float]) -> int | None:
    """Decimals shown for a column of numbers: one for percentages, shares, hours and
    means; three for power and intra-class correlations; otherwise two when the
    numbers are 1 or more, three when smaller. None leaves the column as it is (the
    sources' digits, codes, counts).

    >>> decimals_for("% employed", [52.7778]), decimals_for("Power", [0.1452]), decimals_for("Estimate", [-1.23456])
    (1, 3, 2)
    >>> (decimals_for("Hours, mean", [93.5874, 19.1316]), decimals_for("Median", [0.396, 0.5]),
    ...  decimals_for("Share below alpha", [0.005, 0.0]))
    (1, 3, 3)
    >>> decimals_for("Printed", [0.336]), decimals_for("n", [12.0, 3.0]), decimals_for("SE", [0.01234])
    (None, None, 3)
    """
    words = set(re.split(r"[\s_()/,.-]+", header.lower()))
    if words & set(KEEP_DIGITS) or not values or all(float(v).is_integer() for v in values):
        return None
    typical = sorted(abs(v) for v in values)[len(values) // 2]
    largest = max(abs(v) for v in values)
    if words & {"%", "pct", "percent"} or "%" in header:
        return 1
    if words & {"power", "icc", "ratio"} or (words & {"share", "rate", "proportion"} and largest <= 1):
        return 3
    if words & {"share", "rate", "hours", "h", "mean", "sd", "median", "width"} and typical >= 10:
        return 1
    return 2 if typical >= 1 else 3


def tidy_html_table(html: str) -> str:
    """The HTML of one pandas DataFrame display, tidied for reading (see the module).

    Only ``<table class="dataframe">`` elements are changed; other HTML is returned as
    it came. The index is dropped when it only numbers rows, its name row is folded
    into the header, booleans and test codes become words, numbers get fixed decimals
    per column (:func:`decimals_for`), long note columns become footnotes below the
    table (:data:`NOTE_HEADERS`), numeric cells are marked ``ipsrep-num`` (right-aligned
    by the report's style), each table sits in its own box that scrolls sideways on a
    narrow screen, and a table longer than :data:`LONG_TABLE_ROWS` rows is marked for
    the page's script to show its first :data:`SHOWN_ROWS` rows and a "show all rows"
    button.

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
        _tidy_table(soup, table)
    return str(soup)


def _cells(tr):
    return tr.find_all(["th", "td"], recursive=False)


def _is_int(text: str) -> bool:
    return bool(re.fullmatch(r"-?\d+", text.strip()))


def _drop_row_numbers(head_rows, body_rows) -> int:
    """Remove an index that only numbers rows (0, 1, 2 or any integers left after a
    filter); fold an index-name row into the header. Returns the index columns left."""
    if not body_rows:
        return 0
    n_index = 0
    for c in _cells(body_rows[0]):
        if c.name != "th":
            break
        n_index += 1
    # pandas writes the index names on a header row of their own: move them up one row
    if len(head_rows) >= 2 and n_index:
        last = _cells(head_rows[-1])
        if (len(last) >= n_index and all(not c.get_text(strip=True) for c in last[n_index:])
                and any(c.get_text(strip=True) for c in last[:n_index])):
            above = _cells(head_rows[-2])
            for k in range(min(n_index, len(above))):
                if int(above[k].get("colspan", 1)) == 1:  # the index's name, not the columns' name
                    above[k].string = last[k].get_text(strip=True)
            head_rows[-1].decompose()
            head_rows.pop()
    firsts = [r.find(["th", "td"], recursive=False) for r in body_rows]
    if (n_index == 1 and all(f is not None and f.name == "th" and not f.has_attr("rowspan") for f in firsts)
            and all(_is_int(f.get_text()) for f in firsts)
            and all(not _cells(tr)[0].get_text(strip=True) for tr in head_rows)):
        for f in firsts:
            f.decompose()
        for tr in head_rows:
            _cells(tr)[0].decompose()
        return 0
    return n_index


def _columns(head_rows) -> list[str]:
    """The header text of each column (the last header row that names it)."""
    names: dict[int, str] = {}
    for tr in head_rows:
        col = 0
        for cell in _cells(tr):
            span = int(cell.get("colspan", 1))
            text = cell.get_text(strip=True)
            if text:
                for k in range(col, col + span):
                    names[k] = (names.get(k, "") + " " + text).strip() if span > 1 or k not in names else text
            col += span
    width = max(names) + 1 if names else 0
    return [names.get(k, "") for k in range(width)]


def _add_class(cell: Tag, name: str) -> None:
    from bs4.element import AttributeValueList

    cell["class"] = AttributeValueList([*cell.get_attribute_list("class"), name])


def _row_cells(tr, width: int) -> list[tuple[int, Tag]]:
    cells = _cells(tr)
    col = width - sum(int(c.get("colspan", 1)) for c in cells)  # cells spanning rows above shift the row
    out = []
    for cell in cells:
        out.append((col, cell))
        col += int(cell.get("colspan", 1))
    return out


def _as_float(text: str) -> float | None:
    t = text.strip()
    if not _NUMBER.match(t):
        return None
    try:
        return float(t)
    except ValueError:
        return None


def _tidy_table(soup, table) -> None:
    if table.has_attr("border"):
        del table["border"]
    thead, tbody = table.find("thead"), table.find("tbody")
    body_rows = tbody.find_all("tr", recursive=False) if tbody else []
    head_rows = thead.find_all("tr", recursive=False) if thead else []
    for tr in head_rows:
        if tr.has_attr("style"):
            del tr["style"]
    n_index = _drop_row_numbers(head_rows, body_rows)
    columns = _columns(head_rows)
    width = len(columns) or max((len(_cells(r)) for r in body_rows), default=0)
    p_cols = {k for k, name in enumerate(columns) if k >= n_index and is_p_column(name)}
    for tr in head_rows:
        for cell in _cells(tr):
            text = cell.get_text(strip=True)
            if text and cell.string is not None:
                cell.string = label(text)
    # numbers: fixed decimals per column
    numbers: dict[int, list[float]] = {}
    for tr in body_rows:
        for col, cell in _row_cells(tr, width):
            if cell.name == "td" and cell.string is not None and col not in p_cols:
                v = _as_float(str(cell.string))
                if v is not None and math.isfinite(v):
                    numbers.setdefault(col, []).append(v)
    decimals = {col: decimals_for(label(columns[col]) if col < len(columns) else "", vals)
                for col, vals in numbers.items()}
    for tr in body_rows:
        for col, cell in _row_cells(tr, width):
            if cell.string is None:
                continue
            text = str(cell.string)
            stripped = text.strip()
            if cell.name == "th":
                cell.string = CELL_WORDS.get(stripped, label(stripped))
                continue
            if stripped in MEASURE_BY_NAME:
                cell.string = label(stripped)
                continue
            if stripped in CELL_WORDS:
                cell.string = CELL_WORDS[stripped]
                continue
            if _SNAKE.match(stripped):  # a code of words: written as words
                cell.string = stripped.replace("_", " ")
                continue
            if _NUMBER_TUPLE.match(stripped):
                cell.string = ", ".join(x.strip() for x in stripped.strip("()").split(",") if x.strip())
                continue
            pair = _TUPLE.match(stripped)
            if pair:
                a, b = (_as_float(x) for x in pair.groups())
                if a is not None and b is not None:
                    places = decimals.get(col) or 2
                    cell.string = f"{a:.{places}f} to {b:.{places}f}"
                    _add_class(cell, "ipsrep-num")
                    continue
            if _KEY.match(stripped) and len(stripped) > 12:
                _breakable(soup, cell, stripped)
                continue
            value = _as_float(stripped)
            d = decimals.get(col)
            if value is not None and d is not None and math.isfinite(value) and col not in p_cols:
                new = f"{value:.{d}f}"
                new = new[1:] if _NEGATIVE_ZERO.fullmatch(new) else new
            else:
                new = _clean_text(text, p=col in p_cols)
            cell.string = new
            if _NUMBER.match(new.strip()) or new.strip().startswith("<") or _NUMERIC_TEXT.match(new.strip()):
                _add_class(cell, "ipsrep-num")
    _notes_as_footnotes(soup, table, head_rows, body_rows, columns, width)
    _long_table(table, body_rows)
    shown_columns = max((sum(int(c.get("colspan", 1)) for c in _cells(tr)) for tr in body_rows), default=0)
    if shown_columns >= WIDE_COLUMNS:
        table["class"] = table.get("class", []) + ["ipsrep-wide"]
    if shown_columns >= WIDE_COLUMNS + 2:
        table["class"] = table.get("class", []) + ["ipsrep-tight"]
    wrap = soup.new_tag("div", attrs={"class": "ipsrep-table-wrap"})
    table.wrap(wrap)
    if table.get("data-ipsrep-notes"):
        notes = soup.new_tag("ol", attrs={"class": "ipsrep-footnotes", "type": "a"})
        for text in json.loads(table["data-ipsrep-notes"]):
            li = soup.new_tag("li")
            li.string = text
            notes.append(li)
        del table["data-ipsrep-notes"]
        wrap.insert_after(notes)


def _breakable(soup, cell, text: str) -> None:
    """`cell` holding `text` with a line-break opportunity after each dot and underscore."""
    cell.clear()
    parts = re.split(r"(?<=[._])", text)
    for k, part in enumerate(parts):
        if k:
            cell.append(soup.new_tag("wbr"))
        cell.append(part)
    cell["class"] = cell.get("class", []) + ["ipsrep-code"]


def _notes_as_footnotes(soup, table, head_rows, body_rows, columns, width) -> None:
    """Long text in a note column (:data:`NOTE_HEADERS`) leaves the table: each row
    gets a letter after its first cell, the notes are listed below, one per distinct
    text."""
    targets = [k for k, name in enumerate(columns) if label(name).strip().lower() in NOTE_HEADERS]
    if not targets or not body_rows or len(head_rows) != 1:
        return
    col = targets[-1]
    texts = []
    for tr in body_rows:
        cell = dict(_row_cells(tr, width)).get(col)
        texts.append(cell.get_text(" ", strip=True) if cell is not None else "")
    if max(len(t) for t in texts) < NOTE_MIN_CHARS:
        return
    letters: dict[str, str] = {}
    for tr, text in zip(body_rows, texts, strict=True):
        cells = dict(_row_cells(tr, width))
        cell = cells.get(col)
        if cell is not None:
            cell.decompose()
        if not text:
            continue
        letter = letters.setdefault(text, _letter(len(letters)))
        first = _cells(tr)[0] if _cells(tr) else None
        if first is not None:
            sup = soup.new_tag("sup", attrs={"class": "ipsrep-footnote-mark"})
            sup.string = letter
            first.append(sup)
    header = dict(_row_cells(head_rows[0], width)).get(col)
    if header is not None:
        header.decompose()
    table["data-ipsrep-notes"] = json.dumps(list(letters))
    table["class"] = table.get("class", []) + ["ipsrep-noted"]


def _letter(i: int) -> str:
    return chr(ord("a") + i) if i < 26 else _letter(i // 26 - 1) + chr(ord("a") + i % 26)


def _long_table(table, body_rows) -> None:
    if len(body_rows) > LONG_TABLE_ROWS:
        table["class"] = table.get("class", []) + ["ipsrep-long"]
        table["data-ipsrep-shown"] = str(SHOWN_ROWS)


# --------------------------------------------------------------------------------------
# Captions, numbered per page at render time
# --------------------------------------------------------------------------------------
CAPTION_CLASS = "ipsrep-caption"
"""Class of a table's ``<caption>``; the number the report gives it sits in a
``<span class="ipsrep-table-number">`` at its start."""


class CaptionedTable:
    """A table (a DataFrame, a pandas ``Styler`` or anything with ``_repr_html_``) with
    the caption that says what it is; shown as HTML with a ``<caption>``, numbered when
    the report is rendered (:func:`number_tables`)."""

    def __init__(self, table, caption: str):
        self.table = table
        self.caption = caption

    def _repr_html_(self) -> str:
        table = self.table
        body = table.to_html() if hasattr(table, "to_html") and not isinstance(table, pd.DataFrame) \
            else table._repr_html_()
        text = f'<caption class="{CAPTION_CLASS}">{html_lib.escape(self.caption, quote=False)}</caption>'
        if "<caption" in body:  # a Styler's own caption gives way to the stated one
            body = re.sub(r"<caption\b[^>]*>.*?</caption>", "", body, count=1, flags=re.DOTALL)
        return re.sub(r"(<table\b[^>]*>)", lambda m: m.group(1) + text, body, count=1)

    def __repr__(self) -> str:  # the plain-text view (a terminal, nbval's text output): a Styler's data
        return f"{self.caption}\n{getattr(self.table, 'data', self.table)!r}"


def captioned(table, caption: str, *, paper: str | None = None):
    """`table` displayed with `caption` (what it shows, in words); `paper` names the
    paper's table it reproduces ("Table 4"), said in the caption as "as the paper's
    Table 4". The report adds the number ("Table 3.2") when it renders the page.
    Anything that is not a table (a Markdown note shown instead of one, None) is
    returned as it is. A ``reason`` column (why an analysis was not computed on these
    data) is shown only when some row has one.

    >>> import pandas as pd
    >>> html = captioned(pd.DataFrame({"n": [1]}), "Adjusted analysis", paper="Table 4")._repr_html_()
    >>> print(html[html.index("<caption"):html.index("</caption>") + 10])
    <caption class="ipsrep-caption">Adjusted analysis, as the paper's Table 4</caption>
    >>> "reason" in captioned(pd.DataFrame({"n": [1], "reason": [""]}), "x")._repr_html_()
    False
    """
    if not isinstance(table, pd.DataFrame) and not hasattr(table, "to_html"):
        return table
    if isinstance(table, pd.DataFrame) and "reason" in table.columns and \
            not table["reason"].fillna("").astype(str).str.strip().any():
        table = table.drop(columns="reason")
    text = " ".join(str(caption).split()).rstrip(".")
    if paper:
        text += f", as the paper's {paper}"
    return CaptionedTable(table, text)


def table_label(stem: str, number: int) -> str:
    """A table's label as the report numbers it: the page's number first, like the
    figures' (:func:`ipsrep.report.myst_pages.figure_label`), so a report table is never
    read as the paper's.

    >>> table_label("03_rq3_health", 2), table_label("glossary", 1)
    ('Table 3.2', 'Table 1')
    """
    page = stem[:2]
    return f"Table {int(page)}.{number}" if page.isdigit() else f"Table {number}"


def number_tables(html: str, stem: str, start: int, fallback: str = "") -> tuple[str, int]:
    """The tables of one output's HTML (``table.dataframe``, not the ledger's) numbered
    from `start` + 1 with :func:`table_label`: a stated caption (:func:`captioned`) gets
    the number in front of it; a table without one gets `fallback` (the heading of its
    section) as its caption. Each table gets the id ``tbl-<NN>-<N>`` to link to. Returns
    the HTML and the last number used.

    >>> out, last = number_tables('<table class="dataframe"><caption class="ipsrep-caption">Hours</caption>'
    ...     '</table><table class="dataframe"></table>', "02_x", 1, "Hours worked")
    >>> last, out.count("Table 2.2.</span> Hours"), out.count("Table 2.3.</span> Hours worked"), 'id="tbl-02-3"' in out
    (3, 1, 1, True)
    """
    if "<table" not in html:
        return html, start
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    number = start
    for table in soup.find_all("table", class_="dataframe"):
        if "ipsrep-ledger-table" in table.get_attribute_list("class"):
            continue
        number += 1
        caption = table.find("caption", recursive=False)
        if caption is None:
            caption = soup.new_tag("caption", attrs={"class": CAPTION_CLASS})
            caption.string = " ".join(fallback.split()) or "Table"
            table.insert(0, caption)
        elif CAPTION_CLASS not in caption.get_attribute_list("class"):
            _add_class(caption, CAPTION_CLASS)
        mark = soup.new_tag("span", attrs={"class": "ipsrep-table-number"})
        mark.string = f"{table_label(stem, number)}."
        caption.insert(0, " ")
        caption.insert(0, mark)
        table["id"] = f"tbl-{stem[:2]}-{number}"
    return str(soup), number
