"""Every table the report shows carries a caption and a number of its own ("Table 3.2":
the page's number first, so that it never reads as the paper's Table 3), stated by the
notebook through :func:`ipsrep.report.tables.captioned` and numbered when the page is
rendered (:func:`ipsrep.report.tables.number_tables`).

The static check reads the built HTML of every notebook page: the real report built
into a temporary folder (``bundled_report`` in conftest.py), or the folder
``$IPSREP_TEST_REPORT`` names. The ledger tables are not numbered: each is the page's
record of checks, folded under its own "Ledger: ..." summary with an anchor per row.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from ipsrep.report import myst_pages
from ipsrep.report.ledger import LEDGER_MIMETYPE
from ipsrep.report.tables import captioned, number_tables, table_label

NUMBER = re.compile(r"^Table (\d+)\.(\d+)\.$")


def caption_problems(html: str, stem: str) -> list[str]:
    """What is wrong with the table captions of one built page: a displayed table (not a
    ledger's) without a caption, without a number of this page, with a number used
    twice, numbers out of order, or a caption that says nothing beyond its number."""
    soup = BeautifulSoup(html, "html.parser")
    article = soup.select_one("article") or soup
    problems, seen = [], []
    for k, table in enumerate(article.find_all("table"), start=1):
        if "ipsrep-ledger-table" in table.get("class", []):
            continue
        where = f"{stem} table {k} ({' '.join(table.get_text(' ', strip=True).split())[:50]!r})"
        caption = table.find("caption", recursive=False)
        mark = caption.select_one(".ipsrep-table-number") if caption is not None else None
        if caption is None or mark is None:
            problems.append(f"{where}: no numbered caption")
            continue
        m = NUMBER.match(mark.get_text(strip=True))
        if not m or int(m.group(1)) != int(stem[:2]):
            problems.append(f"{where}: number {mark.get_text(strip=True)!r} is not this page's")
            continue
        if len(caption.get_text(" ", strip=True)) - len(mark.get_text(strip=True)) < 8:
            problems.append(f"{where}: the caption says nothing beyond its number")
        seen.append(int(m.group(2)))
    duplicates = sorted({n for n in seen if seen.count(n) > 1})
    if duplicates:
        problems.append(f"{stem}: table numbers used twice {duplicates}")
    elif seen != list(range(1, len(seen) + 1)):
        problems.append(f"{stem}: table numbers not 1, 2, ... in page order: {seen}")
    return problems


# --------------------------------------------------------------------------------------
# The check itself catches what it should
# --------------------------------------------------------------------------------------
def test_the_check_finds_missing_captions_foreign_numbers_and_duplicates():
    good = ('<article><table class="dataframe"><caption><span class="ipsrep-table-number">Table 3.1.</span>'
            " Hours worked</caption></table>"
            '<table class="ipsrep-ledger-table dataframe"></table></article>')
    assert caption_problems(good, "03_x") == []
    missing = '<article><table class="dataframe"><tr><td>1</td></tr></table></article>'
    assert "no numbered caption" in caption_problems(missing, "03_x")[0]
    other_page = good.replace("Table 3.1.", "Table 1.")
    assert "is not this page's" in caption_problems(other_page, "03_x")[0]
    twice = good.replace("</article>", '<table><caption><span class="ipsrep-table-number">Table 3.1.</span>'
                                       " Hours again</caption></table></article>")
    assert caption_problems(twice, "03_x") == ["03_x: table numbers used twice [1]"]
    bare = good.replace(" Hours worked", "")
    assert "says nothing" in caption_problems(bare, "03_x")[0]


# --------------------------------------------------------------------------------------
# Captions and numbers at render time
# --------------------------------------------------------------------------------------
def test_captioned_states_the_caption_and_names_the_papers_table():
    df = pd.DataFrame({"group": ["IPS", "TAU"], "n": [36, 18]})
    html = captioned(df, "Employment at 12 months.", paper="Table 2")._repr_html_()
    assert '<caption class="ipsrep-caption">Employment at 12 months, as the paper\'s Table 2</caption>' in html
    styled = captioned(df.style.set_caption("old"), "Groups")._repr_html_()
    assert styled.count("<caption") == 1 and ">Groups</caption>" in styled
    assert "&lt;b&gt;" in captioned(df, "<b>")._repr_html_()  # a caption is text, never markup
    note = object()
    assert captioned(note, "Not a table") is note  # a note shown instead of a table stays as it is
    assert "Groups" in repr(captioned(df.style, "Groups")) and "0x" not in repr(captioned(df.style, "Groups"))


def test_number_tables_counts_on_from_the_page_and_leaves_the_ledger_alone():
    html = ('<table class="dataframe"><caption class="ipsrep-caption">Hours</caption></table>'
            '<table class="ipsrep-ledger-table dataframe"></table><table class="dataframe"></table>')
    out, last = number_tables(html, "02_rq2", 4, "Working 20 hours or more")
    assert last == 6
    assert '<span class="ipsrep-table-number">Table 2.5.</span> Hours</caption>' in out
    assert '<span class="ipsrep-table-number">Table 2.6.</span> Working 20 hours or more</caption>' in out
    assert out.count("Table 2.") == 2 and 'id="tbl-02-6"' in out
    assert table_label("10_x", 3) == "Table 10.3"


def _table_cell(df, caption=None, tags=()):
    shown = captioned(df, caption) if caption else df
    html = shown._repr_html_()
    return nbformat.v4.new_code_cell("t", metadata={"tags": list(tags)},
                                     outputs=[nbformat.v4.new_output("execute_result", data={"text/html": html},
                                                                     execution_count=1)])


def test_prepared_page_numbers_its_tables_in_the_order_shown():
    v4 = nbformat.v4
    df = pd.DataFrame({"n": [1, 2]})
    ledger_out = v4.new_output("display_data", data={LEDGER_MIMETYPE: {"rows": [
        {"key": "t2.6m.p", "source": "paper", "quantity": "p", "published": "0.954", "reproduced": 0.9538,
         "status": "reproduced", "note": ""}]}})
    cells = [v4.new_markdown_cell("# Employment"),
             v4.new_markdown_cell("## The paper's Table 2: employment"),
             _table_cell(df, "Employment per group", ),
             v4.new_markdown_cell("### Teaching note: *Wilson* intervals"),
             _table_cell(df),
             v4.new_code_cell("ledger", outputs=[ledger_out]),
             v4.new_markdown_cell("## Summary", metadata={"tags": ["summary"]}),
             _table_cell(df, "What this page found", tags=["summary"])]
    nb = myst_pages.prepare_notebook(v4.new_notebook(cells=cells), "01_rq1", title="Employment", show_code=False,
                                     ledger_rows=1, terms=[])
    html = "".join(o["data"].get("text/html", "") for c in nb["cells"] if c["cell_type"] == "code"
                   for o in c["outputs"])
    captions = [" ".join(c.get_text(" ", strip=True).split()) for c in BeautifulSoup(html, "html.parser")("caption")]
    # the summary moves up to open the page, so it is Table 1.1; the untitled table takes its section's heading
    assert captions == ["Table 1.1. What this page found", "Table 1.2. Employment per group",
                        "Table 1.3. Teaching note: Wilson intervals"]
    assert caption_problems(f"<article>{html}</article>", "01_rq1") == []


# --------------------------------------------------------------------------------------
# The built report
# --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def report(request) -> Path:
    given = os.environ.get("IPSREP_TEST_REPORT")
    if given:
        return Path(given).resolve()
    return request.getfixturevalue("bundled_report")


def test_every_table_of_the_built_report_has_a_caption_and_a_number_of_its_page(report):
    pages = sorted(p for p in report.glob("*.html") if (report / f"{p.stem}.ipynb").is_file())
    assert len(pages) == 10
    problems, numbered = [], 0
    for page in pages:
        html = page.read_text(encoding="utf-8")
        problems += caption_problems(html, page.stem)
        numbered += html.count('class="ipsrep-table-number"')
    assert not problems, "\n".join(problems)
    assert numbered >= 60  # every page's tables, not a few


def test_markdown_tables_are_numbered_with_the_pages_other_tables():
    v4 = nbformat.v4
    cells = [v4.new_markdown_cell("# Health"),
             _table_cell(pd.DataFrame({"n": [1]}), "Means per group"),
             v4.new_markdown_cell("## Linkage\n\n*Table: What depends on the linkage*\n\n| a | b |\n|---|---|\n"
                                  "| estimates | means |\n\nAfter the table."),
             v4.new_markdown_cell("## Principles\n\n| x | y |\n|---|---|\n| 1 | 2 |\n")]
    nb = myst_pages.prepare_notebook(v4.new_notebook(cells=cells), "03_rq3", title="Health", show_code=False,
                                     ledger_rows=0, terms=[])
    text = "".join(c["source"] if c["cell_type"] == "markdown" else
                   "".join(o["data"].get("text/html", "") for o in c["outputs"]) for c in nb["cells"])
    soup = BeautifulSoup(text, "html.parser")
    assert [" ".join(c.get_text(" ", strip=True).split()) for c in soup("caption")] == [
        "Table 3.1. Means per group", "Table 3.2. What depends on the linkage", "Table 3.3. Principles"]
    assert "| a | b |" not in text and "*Table:" not in text and "After the table." in text
