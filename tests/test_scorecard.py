"""The index page's scorecard and research-question answers (ipsrep.report.scorecard), and the
page furniture of ipsrep.report.html: figure captions and alt text, status marks, ledger
anchors, navigation and the index on bundled and on other data.

Ledgers here are small hand-made tables; expected counts, links and wording are written
out by hand from them. Holm's procedure is checked against statsmodels.
"""
from __future__ import annotations

import re

import nbformat
import numpy as np
import pandas as pd
import pytest

from ipsrep.report import html as report_html
from ipsrep.report import scorecard
from ipsrep.report.html import Page


def ledger(rows) -> pd.DataFrame:
    """Ledger rows from (key, published, reproduced, status) tuples."""
    return pd.DataFrame(
        [{"key": k, "source": "s", "quantity": f"quantity of {k}", "published": p, "reproduced": r,
          "status": s, "note": ""} for k, p, r, s in rows])


@pytest.fixture
def pages():
    trial = ledger([
        ("t2.12m.ips_count", "19", 19.0, "reproduced"),
        ("t2.12m.ips_pct", "52.8", 52.77777777777778, "reproduced"),
        ("t2.12m.tau_count", "7", 7.0, "reproduced"),
        ("t2.12m.tau_pct", "38.9", 38.888888888888886, "reproduced"),
        ("t2.12m.or", "1.76", 1.7563, "reproduced"),
        ("t2.12m.or_lo", "0.56", 0.5552, "reproduced"),
        ("t2.12m.or_hi", "5.56", 5.5556, "reproduced"),
        ("t2.12m.p", "0.336", 0.33559, "reproduced"),
        ("t2.12m.p_yates", "", 0.5003, ""),
        ("t1.married.ips_pct", "32.3", 32.35, "source_inconsistent"),
    ])
    health = ledger([
        ("t3.odi.6m.p", "0.298", 0.298, "reproduced"),
        ("t3.odi.12m.p", "0.785", 0.785, "reproduced"),
        ("t3.bpi_worst.12m.p", "0.012", 0.012, "reproduced"),
        ("t3.eqvas.12m.p", "0.04", 0.06, "discrepant"),
        ("t4.odi.interaction.p", "0.062", 0.03, "approximate"),
        ("t4.eqvas.interaction.p", "0.904", 0.43, "approximate"),
    ])
    return [Page("01_rq1_employment", "01 · Employment", trial), Page("03_rq3_health", "03 · Health", health),
            Page("05_empty", "05 · Nothing", ledger([]).reindex(columns=trial.columns))]


def test_ledger_by_page_links_each_row_to_its_page_anchor(pages):
    table = scorecard.ledger_by_page(pages)
    assert len(table) == 16
    row = table[table["key"] == "t4.odi.interaction.p"].iloc[0]
    assert row["page"] == "03_rq3_health"
    assert row["link"] == "03_rq3_health.html#ledger-t4.odi.interaction.p"


def test_status_counts_and_counts_by_page(pages):
    table = scorecard.ledger_by_page(pages)
    counts = scorecard.status_counts(table).set_index("status")["rows"].to_dict()
    # by hand: 8 + 3 reproduced, 1 discrepant, 2 approximate, 1 source inconsistent, 1 without status
    assert counts == {"reproduced": 11, "discrepant": 1, "approximate": 2, "source_inconsistent": 1,
                      "consistent": 0, "inconsistent": 0, "printed_only": 0, "not printed": 1}
    by_page = scorecard.counts_by_page(table, pages).set_index("page")
    assert by_page.loc["01_rq1_employment", ["rows", "reproduced", "source_inconsistent", "not printed"]].tolist() \
        == [10, 8, 1, 1]
    assert by_page.loc["05_empty", "rows"] == 0


def test_open_items_most_serious_first(pages):
    items = scorecard.open_items(scorecard.ledger_by_page(pages))
    assert items["key"].tolist() == ["t3.eqvas.12m.p", "t1.married.ips_pct", "t4.odi.interaction.p",
                                     "t4.eqvas.interaction.p"]


def test_holm_agrees_with_statsmodels():
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(3)
    for _ in range(30):
        p = rng.uniform(0, 0.1, size=rng.integers(1, 20)) ** rng.uniform(0.5, 3)
        for alpha in (0.05, 0.01):
            assert scorecard.holm_rejections(p, alpha) == multipletests(p, alpha=alpha, method="holm")[0].sum()


def test_research_answers_quote_the_ledger(pages):
    table = scorecard.ledger_by_page(pages)
    answers = {a.question: a for a in scorecard.research_answers(table, alpha=0.05)}
    employment = next(a for q, a in answers.items() if "employment" in q)
    assert employment.answer == ("Employed at some time within 12 months: IPS 52.8% (19 participants), TAU 38.9% "
                                 "(7); odds ratio 1.76 (CI 0.56 to 5.56), p = 0.336: no difference shown at "
                                 "α = 0.05.")
    assert employment.link == "01_rq1_employment.html#ledger-t2.12m.p"
    health = next(a for q, a in answers.items() if "health" in q)
    # t3 p-values 0.298, 0.785, 0.012, 0.06: one below 0.05; Holm: 0.012 <= 0.05/4 = 0.0125
    # rejects, then 0.06 > 0.05/3 stops
    assert health.answer.startswith("1 of 4 unadjusted comparisons at the follow-ups with p < 0.05 "
                                    "(pain intensity, worst (BPI) at 12 months, p = 0.012), 1 after Holm's "
                                    "correction")
    assert "group-by-time interaction p < 0.05 in 1 of 2 mixed models" in health.answer
    assert health.caveat and "approximate" in health.caveat
    # no hours, pilot, process or audit values in this ledger: those questions are left out
    assert len(answers) == 2


def test_answers_read_at_the_given_alpha(pages):
    table = scorecard.ledger_by_page(pages)
    health = next(a for a in scorecard.research_answers(table, alpha=0.9) if "health" in a.question)
    # all four below 0.9: three named (in ledger order), the fourth counted
    assert health.answer.startswith("4 of 4 unadjusted comparisons at the follow-ups with p < 0.9 "
                                    "(pain-related disability (ODI) at 6 months, p = 0.298; pain-related "
                                    "disability (ODI) at 12 months, p = 0.785; pain intensity, worst (BPI) at "
                                    "12 months, p = 0.012; 1 more)")
    employment = scorecard.research_answers(table, alpha=0.5)[0]
    assert employment.answer.endswith("a difference at α = 0.5.")


# --------------------------------------------------------------------------------------
# Page furniture
# --------------------------------------------------------------------------------------
PNG = {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure size 640x480 with 1 Axes>"}


def figure_notebook():
    v4 = nbformat.v4
    return v4.new_notebook(cells=[
        v4.new_markdown_cell("# Title\n\n## Employment over time\n\nThe rates are drawn below. Each point has "
                             "a *Wilson* interval."),
        v4.new_code_cell("rates = f(x)\nemployment_rates_figure(rates)",
                         outputs=[v4.new_output("display_data", data=PNG)]),
        v4.new_markdown_cell("Text after the first figure."),
        v4.new_code_cell("pilot.follow_up_figure(p)", outputs=[v4.new_output("display_data", data=PNG)]),
        v4.new_markdown_cell("*Figure 7. Job support per participant (left).* Dark bars: support."),
    ])


def test_figures_get_alt_text_and_a_caption_unless_the_notebook_has_one():
    notes = report_html.figure_notes(figure_notebook())
    first, second = notes[(1, 0)], notes[(3, 0)]
    assert first.alt == "Employment rates. Each point has a Wilson interval."
    assert first.caption == "Figure 1. Employment rates (section “Employment over time”)."
    assert second.alt == "Figure 7: Job support per participant (left)."
    assert second.caption is None


def test_rendered_page_has_figure_alt_caption_nav_and_no_network(tmp_path):
    nb = figure_notebook()
    pages = [Page("00_a", "A", ledger([])), Page("01_b", "B", ledger([])), Page("02_c", "C", ledger([]))]
    renderer = report_html.NotebookRenderer()
    banner = report_html.banner_html("x.csv (sha256 abc)", False, compact=True)
    page = renderer.render(nb, "B", pages=pages, current=1, banner=banner)
    assert report_html.external_loads(page) == []
    img = re.search(r"<img [^>]*>", page).group(0)
    assert 'src="data:image/png;base64,' in img and 'alt="Employment rates. Each point has a Wilson' in img
    assert "<figcaption>Figure 1. Employment rates" in page
    assert page.count("<figcaption>") == 1  # the second figure has the notebook's own caption
    assert 'href="index.html"' in page and 'rel="prev"' in page and 'href="00_a.html"' in page
    assert 'href="02_c.html" rel="next"' in page and 'aria-current="page"' in page
    assert "Data: x.csv (sha256 abc)" in page
    assert "nbformat" not in report_html.notebook_title(nb, "nbformat")  # title from the heading


def test_status_cells_and_ledger_rows_are_marked():
    table = ('<table border="0" class="dataframe ledger"><tbody><tr>\n<td>t2.12m.p</td><td>0.336</td>'
             "<td>reproduced</td></tr><tr>\n<td>t2.12m.p</td><td>x</td><td>discrepant</td></tr></tbody></table>"
             "<table><tr>\n<td>t9.other</td><td>approximate</td></tr></table>")
    out = report_html.anchor_ledger_rows(report_html.mark_status_cells(table))
    assert out.count('id="ledger-t2.12m.p"') == 1  # first occurrence only
    assert 'id="ledger-t9.other"' not in out  # not a ledger table
    assert '<td class="ipsrep-status ipsrep-status-reproduced">reproduced</td>' in out
    assert '<td class="ipsrep-status ipsrep-status-approximate">approximate</td>' in out


def test_index_on_bundled_data_has_sources_answers_scorecard_and_links(pages):
    index = report_html.render_index(pages, data_label="bundled synthetic reconstruction", bundled=True)
    assert report_html.external_loads(index) == []
    assert "Synthetic data:" in index
    for needle in ("Pain Medicine 2022;23(10):1757-66", "BMC Musculoskeletal Disorders 2017;18:550",
                   "Tidsskrift for Norsk psykologforening 2022;59(10):896-8"):
        assert needle in index
    assert re.search(r'<span class="count">11</span><span class="ipsrep-status ipsrep-status-reproduced">', index)
    assert 'href="03_rq3_health.html#ledger-t3.eqvas.12m.p"' in index
    assert 'href="01_rq1_employment.html#ledger-t1.married.ips_pct"' in index
    for page in pages:
        assert f'href="{page.href}"' in index


def test_index_on_other_data_names_the_file_and_compares_nothing(pages):
    plain = [Page(p.stem, p.title, p.ledger.assign(published="", status="")) for p in pages]
    index = report_html.render_index(plain, data_label="mine.csv (sha256 0123)", bundled=False)
    assert "Synthetic data" not in index and "mine.csv (sha256 0123)" in index
    assert "Numbers not reproduced" not in index and 'class="tiles"' not in index
    assert "16 values computed from this data set" in index
    assert "IPS 52.8% (19 participants)" in index  # answers still come from the values


def test_audit_checks_and_printed_only_rows_are_counted_by_their_own_word():
    audit = ledger([
        ("audit.t1.odi.p", "0.126", 0.120, "consistent"),
        ("audit.t4.bpi_worst.interaction.z", "1.60", 0.25, "inconsistent"),
        ("audit.t2.12m.p", "0.336", 0.3356, "consistent"),
        ("audit.power.achieved_12m", "", 0.2, ""),
        ("limits.screening_want_work_pct", "61.5", float("nan"), ""),
    ])
    table = scorecard.ledger_by_page([Page("06_audit", "06 · Audit", audit)])
    counts = scorecard.status_counts(table).set_index("status")["rows"]
    # by hand: 2 consistent, 1 inconsistent, 1 printed number without status, 1 own quantity
    assert (counts["consistent"], counts["inconsistent"], counts["printed_only"], counts["not printed"]) == (2, 1, 1, 1)
    assert counts["reproduced"] == 0 and counts["source_inconsistent"] == 0
    answer = scorecard.audit_answer(table, 0.05)
    assert answer.answer == ("Of 3 audit checks of the paper and its registry record, 2 consistent and "
                             "1 inconsistent.")
    assert answer.link == "06_audit.html#ledger-audit.t4.bpi_worst.interaction.z"


def test_claims_answer_links_the_claims_page():
    from ipsrep.analyses import claims

    page = Page("07_claims", "07 · Claims", ledger([("summary.hours.ips_mean", "217", 216.53, "consistent")]))
    answer = scorecard.claims_answer(scorecard.ledger_by_page([page]), 0.05)
    counts = claims.verdict_counts().query("source == 'all'").set_index("verdict")["claims"]
    assert answer.link == "07_claims.html"
    assert answer.answer == (f"Of {counts.sum()} claims, {counts['supported_by_printed_numbers']} supported, "
                             f"{counts['not_checkable']} not checkable from what is printed, "
                             f"{counts['contradicted']} contradicted.")
    # without the claims page in the build the question is left out
    assert scorecard.claims_answer(scorecard.ledger_by_page([Page("06_audit", "06", ledger([]))]), 0.05).answer is None
