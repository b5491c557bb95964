"""The Sphinx site's page preparation (ipsrep.report.myst_pages, .pages, .front_page) and publication tables
(ipsrep.report.tables), without running Sphinx: figure captions and alt text, ledger
tables with row anchors, the front page's answers, scorecard and variant parameters,
pandas tables tidied. The rendered site itself is checked in a browser
(tests/test_browser.py)."""
from __future__ import annotations

import re

import nbformat
import pandas as pd
import pytest

from ipsrep.report import front_page, myst_pages
from ipsrep.report.context import DataInUse
from ipsrep.report.pages import Page, page_title, uses_participant_data
from ipsrep.report.tables import publication_table, tidy_html_table

PNG = {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure size 640x480 with 1 Axes>"}


def ledger(rows) -> pd.DataFrame:
    return pd.DataFrame([{"key": k, "source": "paper", "quantity": f"q {k}", "published": p, "reproduced": r,
                          "status": s, "note": n} for k, p, r, s, n in rows],
                        columns=["key", "source", "quantity", "published", "reproduced", "status", "note"])


def notebook(stem_title="# Employment", injected=None):
    v4 = nbformat.v4
    cells = [v4.new_markdown_cell(f"{stem_title}\n\nThe ODI and the ODI again; see [Try it](#Try-it)."),
             v4.new_code_cell("alpha = 0.05\nmethod = 'wilson'", metadata={"tags": ["parameters"]})]
    if injected:
        cells.append(v4.new_code_cell(injected, metadata={"tags": ["injected-parameters"]}))
    cells += [
        v4.new_code_cell(
            "ctx = setup(data_path)\nBanner(ctx)",
            outputs=[
                v4.new_output(
                    "display_data",
                    data={"text/plain": "banner", "application/vnd.ipsrep.parameters+json": {"parameters": {}}},
                )
            ],
        ),
        v4.new_code_cell(
            "rates = f(ctx.trial)\nfigure(rates)",
            outputs=[
                v4.new_output("stream", name="stderr", text="progress 47/47"),
                v4.new_output("display_data", data=PNG),
            ],
        ),
        v4.new_markdown_cell("*Figure 1. Share employed by follow-up.* Points are shares."),
        v4.new_markdown_cell("## Try it\n\nSet things."),
    ]
    return v4.new_notebook(cells=cells)


def test_prepared_notebook_numbers_figures_folds_code_and_drops_banner_and_stderr():
    nb = myst_pages.prepare_notebook(notebook(), "01_rq1", title="Employment", show_code=False, ledger_rows=3,
                                     terms=["ODI"])
    sources = [c["source"] for c in nb["cells"]]
    assert sources[0].startswith("# 01 · Employment") and "{term}`ODI <ODI>`" in sources[0]
    assert sources[0].count("{term}") == 1 and "(#try-it)" in sources[0]
    assert 'href="01_rq1.ipynb"' in sources[1] and "3 ledger rows (CSV)" in sources[1]
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert "hide-input" in code[0]["metadata"]["tags"]  # the parameters: shown folded, under their own label
    assert code[0]["metadata"]["mystnb"]["code_prompt_show"] == "Show the parameters of this page"
    assert all("hide-input" in c["metadata"]["tags"] for c in code[1:])
    assert code[1]["outputs"] == []  # the banner output: the announcement bar carries it
    figure = code[2]
    assert [o["output_type"] for o in figure["outputs"]] == ["display_data"]  # stderr dropped
    assert figure["metadata"]["mystnb"]["figure"] == {"caption": "Share employed by follow-up. Points are shares.",
                                                       "name": "fig-01-1"}
    assert figure["metadata"]["mystnb"]["image"]["alt"] == "Figure 1.1: Share employed by follow-up."
    assert not any(s.startswith("*Figure 1.") for s in sources)  # the caption cell became the caption
    shown = myst_pages.prepare_notebook(notebook(), "01_rq1", title="Employment", show_code=True, ledger_rows=0,
                                        terms=[])
    assert not any("hide-input" in c["metadata"].get("tags", []) for c in shown["cells"] if c["cell_type"] == "code")


def test_participant_data_is_detected_from_the_code():
    assert uses_participant_data(notebook())
    v4 = nbformat.v4
    assert not uses_participant_data(
        v4.new_notebook(cells=[v4.new_code_cell("ctx = setup(data_path)\nBanner(ctx)")])
    )


def test_ledger_table_anchors_rows_folds_long_ledgers_and_states_shared_notes_once():
    short = myst_pages.ledger_html(ledger([("t2.12m.p", "0.336", 0.33559, "reproduced", "")]), stem="01")
    assert '<tr id="ledger-t2.12m.p">' in short and "<details class=\"ipsrep-ledger\" open>" in short
    assert 'ipsrep-status-reproduced">reproduced<' in short and ">0.3356<" in short
    rows = [(f"k{i}", "1", -0.0 if i == 0 else 1.6897e-52 if i == 1 else float(i), "approximate", "same note")
            for i in range(20)]
    long = myst_pages.ledger_html(ledger(rows), stem="03")
    assert "<details class=\"ipsrep-ledger\">" in long and "20 ledger rows (20 approximate)" in long
    assert long.count("same note") == 1 and long.count("see note A") == 20
    assert "-0" not in re.sub(r"<[^>]+>", " ", long).split() and "e-52" not in long


def test_front_page_answers_scorecard_variant_parameters_and_pages():
    data = DataInUse(given="data/reconstructed/ips_in_pain.csv", file=None, bundled=True, sha256="0" * 64)
    rows = ledger(
        [
            ("t2.12m.ips_count", "19", 19.0, "reproduced", ""),
            ("t2.12m.ips_pct", "52.8", 52.77, "reproduced", ""),
            ("t2.12m.tau_count", "7", 7.0, "reproduced", ""),
            ("t2.12m.tau_pct", "38.9", 38.88, "reproduced", ""),
            ("t2.12m.or", "1.76", 1.7, "discrepant", ""),
            ("t2.12m.or_lo", "0.56", 0.56, "reproduced", ""),
            ("t2.12m.or_hi", "5.56", 5.56, "reproduced", ""),
            ("t2.12m.p", "0.336", 0.336, "reproduced", ""),
        ]
    )
    injected = notebook(injected="alpha = 0.1\ndata_path = 'x.csv'")
    pages = [Page("01_rq1_employment", "Employment", rows, notebook=injected),
             Page("08_claims", "Claims", ledger([]), notebook=notebook())]
    text = front_page.index_markdown(pages, data=data, parameters={"alpha": 0.1}, alpha=0.1)
    from ipsrep.inputs.markup import html_text
    assert (f"{html_text('alpha = 0.1', tag='code', classes='literal')} (default "
            f"{html_text('0.05', tag='code', classes='literal')}) on <a href=\"01_rq1_employment.html\">") in text
    assert "data_path" not in text.split("## Research questions")[0]
    assert "$\\alpha = 0.1$" in text and 'href="01_rq1_employment.html#ledger-t2.12m.p"' in text
    assert re.search(r'<span class="count">7</span><span class="ipsrep-status ipsrep-status-reproduced">', text)
    assert 'href="01_rq1_employment.html#ledger-t2.12m.or"' in text  # the open item links to its row
    assert "{cite:p}`sveinsdottir2022`" in text
    # the pages are listed once (the table); the claims page is named again by a short link only
    assert text.count("{doc}`08_claims`") == 1 and text.count("{doc}`01_rq1_employment`") == 1
    assert "{doc}`The claims page <08_claims>`" in text
    # the report's own table is not numbered "Table 1", the paper's name
    assert "tbl-pages" not in text and "{numref}" not in text
    plain = front_page.index_markdown(pages[:1], data=data, parameters={"alpha": 0.05}, alpha=0.05)
    assert "A variant report" in plain  # alpha 0.1 was injected on the page


def test_pandas_tables_lose_row_numbers_nan_negative_zero_and_exponents():
    df = pd.DataFrame({"measure": ["odi", "bpi_worst"], "p_chi2": [1.6897e-52, 0.33559], "diff": [-0.0, float("nan")]})
    out = tidy_html_table(df.to_html())
    assert "<th>0</th>" not in out and "NaN" not in out and "e-52" not in out and "-0.0" not in out
    assert "&lt; 0.001" in out and "0.336" in out and "p χ²" in out
    styled = publication_table(df).to_html()
    assert ("NaN" not in styled and "&lt; 0.001" in styled) or "< 0.001" in styled
    assert "Pain intensity, worst (BPI)" not in styled  # cell values are data, not relabelled
    assert ">P χ²<" in styled or ">p χ²<" in styled


@pytest.mark.parametrize("stem,title,expected", [("05_pilot", "The pilot", "05 · The pilot"),
                                                 ("00_trial", "00 · The trial", "00 · The trial")])
def test_page_titles_carry_their_number_once(stem, title, expected):
    assert page_title(stem, title) == expected


def test_search_text_holds_every_page_and_no_string_the_site_check_reads_as_a_load(tmp_path):
    from ipsrep.report import check
    from ipsrep.report.sphinx_site import SEARCH_TEXT, write_search_text

    (tmp_path / "_static").mkdir()
    article = ('<html><body><main role="main"><div class="bd-header-article">Contents</div>'
               '<article class="bd-article">{}</article></main></body></html>')
    (tmp_path / "01_a.html").write_text(article.format(
        '<h1>Odds<a class="headerlink" href="#x">#</a></h1><div class="cell_input">import x</div>'
        '<p>Data from "https://example.org/x.js" and \'//h/y\' or `z`; Woolf\'s interval.</p><script>s()</script>'))
    (tmp_path / "search.html").write_text(article.format("<p>Search</p>"))
    target = write_search_text(tmp_path)
    assert target == tmp_path / "_static" / SEARCH_TEXT
    text = target.read_text(encoding="utf-8")
    assert '"01_a.html": "Odds Data from \\u0022https://example.org/x.js\\u0022' in text
    assert "search.html" not in text and "Contents" not in text and "import x" not in text and "s()" not in text
    assert check.script_loads(text) == []
    assert check.check_site(tmp_path, ids=set()) == []
