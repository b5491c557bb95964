"""The index page's scorecard and research-question answers (ipsrep.report.scorecard); the
pages and the front page that show them are tested in tests/test_site.py and in a browser.

Ledgers here are small hand-made tables; expected counts, links and wording are written
out by hand from them. Holm's procedure is checked against statsmodels.
"""
from __future__ import annotations

import pandas as pd
import pytest

from ipsrep.report import scorecard
from ipsrep.report.pages import Page


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


def test_audit_checks_and_printed_only_rows_are_counted_by_their_own_word():
    audit = ledger([
        ("audit.t1.odi.p", "0.126", 0.120, "consistent"),
        ("audit.t4.bpi_worst.interaction.z", "1.60", 0.25, "inconsistent"),
        ("audit.t2.12m.p", "0.336", 0.3356, "consistent"),
        ("audit.power.achieved_12m", "", 0.2, ""),
        ("limits.screening_want_work_pct", "61.5", float("nan"), ""),
    ])
    table = scorecard.ledger_by_page([Page("07_audit", "06 · Audit", audit)])
    counts = scorecard.status_counts(table).set_index("status")["rows"]
    # by hand: 2 consistent, 1 inconsistent, 1 printed number without status, 1 own quantity
    assert (counts["consistent"], counts["inconsistent"], counts["printed_only"], counts["not printed"]) == (2, 1, 1, 1)
    assert counts["reproduced"] == 0 and counts["source_inconsistent"] == 0
    answer = scorecard.audit_answer(table, 0.05)
    assert answer.answer == ("Of 3 audit checks of the paper and its registry record, 2 consistent and "
                             "1 inconsistent.")
    assert answer.link == "07_audit.html#ledger-audit.t4.bpi_worst.interaction.z"


def test_claims_answer_links_the_claims_page():
    from ipsrep.analyses import claims

    page = Page("08_claims", "07 · Claims", ledger([("summary.hours.ips_mean", "217", 216.53, "consistent")]))
    answer = scorecard.claims_answer(scorecard.ledger_by_page([page]), 0.05)
    counts = claims.verdict_counts().query("source == 'all'").set_index("verdict")["claims"]
    assert answer.link == "08_claims.html"
    assert answer.answer == (f"Of {counts.sum()} claims, {counts['supported_by_printed_numbers']} supported, "
                             f"{counts['not_checkable']} not checkable from what is printed, "
                             f"{counts['contradicted']} contradicted.")
    # without the claims page in the build the question is left out
    assert scorecard.claims_answer(scorecard.ledger_by_page([Page("07_audit", "06", ledger([]))]), 0.05).answer is None


def test_health_answer_links_to_the_comparison_it_names():
    """The 'worked out here' link goes to the first comparison the sentence names (worst
    pain at 12 months here), not to the first row of Table 3."""
    rows = [("t3.odi.6m.p", 0.298), ("t3.bpi_worst.12m.p", 0.012), ("t4.odi.interaction.p", 0.062)]
    ledger = pd.DataFrame({"key": [k for k, _ in rows], "reproduced": [v for _, v in rows],
                           "status": "", "published": "", "link": [f"page.html#{k}" for k, _ in rows]})
    answer = scorecard.health_answer(ledger, 0.05)
    assert answer.link == "page.html#t3.bpi_worst.12m.p"
    assert "1 of 2 unadjusted comparisons" in answer.answer
