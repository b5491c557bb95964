"""The codebook against the statements of the pilot paper (typed here from its Results),
the participant matrix against hand-derived states, and the process measures against
hand arithmetic and scipy."""
from __future__ import annotations

import pandas as pd
import pytest
from scipy.stats import binomtest

from ipsrep.analyses import qualitative

# code -> (fewest, most, named, excluded), from the paper's wording:
STATEMENTS = {
    # everyone but the drop-out found IPS a good experience
    "t1_positive": (7, 7, set(), {"P1"}),
    # nobody reports harm
    "t1_adverse": (0, 0, set(), set()),
    # no interference with treatment, for all but P1
    "t2_no_interference": (7, 7, set(), {"P1"}),
    # a majority favour integration; the drop-out would have waited
    "t2_favour": (5, 7, set(), {"P1"}),
    "t2_postpone": (1, 1, {"P1"}, set()),
    # better mental state for all but P1
    "t3_mental_positive": (7, 7, set(), {"P1"}),
    # a few saw social change (P8, P2 named)
    "t3_social_change": (2, 3, {"P8", "P2"}, set()),
    "t3_negative": (0, 0, set(), set()),
    # more hope for the majority of those with a positive mental impact, i.e. not P1
    "t3_hope": (5, 7, {"P2", "P4"}, {"P1"}),
    # job search positive for seven (P3, P7, P4 quoted)
    "t4_positive": (7, 7, {"P3", "P7", "P4"}, set()),
    # education a problem for all but one (P8, P2 named)
    "c_education": (7, 7, {"P8", "P2"}, set()),
    # pain a challenge for several (P3, P1 named)
    "c_pain": (3, 7, {"P3", "P1"}, set()),
    # fear of relapse for several (P8, P6 named)
    "c_setbacks": (3, 7, {"P8", "P6"}, set()),
    # support too short for six (P2 named)
    "c_short_support": (6, 6, {"P2"}, set()),
}


@pytest.fixture(scope="module")
def book() -> pd.DataFrame:
    return qualitative.load_codebook()


@pytest.fixture(scope="module")
def matrix(book) -> pd.DataFrame:
    return qualitative.participant_matrix(book)


def _set(cell):
    return set() if pd.isna(cell) else set(cell.split(";"))


@pytest.mark.parametrize("code", sorted(STATEMENTS))
def test_codebook_counts_encode_the_statements(book, code):
    low, high, named, excluded = STATEMENTS[code]
    r = book.set_index("code").loc[code]
    assert (r["count_low"], r["count_high"]) == (low, high)
    assert _set(r["named"]) == named
    assert _set(r["excluded"]) == excluded


def test_four_themes_and_their_kinds(book):
    assert sorted(book["theme"].unique()) == [1, 2, 3, 4]
    # helpful elements sit in theme 1 and challenges in theme 4 (Results)
    assert set(book.loc[book["kind"] == "helpful element", "theme"]) == {1}
    assert set(book.loc[book["kind"] == "challenge", "theme"]) == {4}
    # the seven challenges the paper lists: education, work absence, applications,
    # CV gaps, pain, fear of setbacks, short duration
    assert (book["kind"] == "challenge").sum() == 7
    # theme 3 has the subthemes mental, social, physical function and negative impact
    assert set(book.loc[book["theme"] == 3, "subtheme"]) == {
        "mental function", "social function", "physical function", "negative impact"}


def test_named_never_exceed_the_count(book):
    assert (book["n_named"] <= book["count_high"]).all()


def test_matrix_states(matrix):
    m = matrix.set_index(["code", "participant"])["state"].astype(str)
    # all but the drop-out: P1 excluded, everyone else implied
    assert m[("t1_positive", "P1")] == "stated no"
    assert all(m[("t1_positive", f"P{i}")] == "implied yes" for i in range(2, 9))
    # seven of eight, three named: the other five are unknown (one of them is the no)
    assert [m[("t4_positive", f"P{i}")] for i in range(1, 9)] == [
        "unknown", "unknown", "named", "named", "unknown", "unknown", "named", "unknown"]
    # exactly one participant, named: everyone else is out
    assert m[("t4_from_disability", "P8")] == "named"
    assert (m.loc["t4_from_disability"].drop("P8") == "implied no").all()
    # nobody
    assert (m.loc["t1_adverse"] == "implied no").all()
    # a word without names: everyone unknown
    assert (m.loc["t3_social_none"] == "unknown").all()


def test_p5_is_never_named(matrix):
    # The paper quotes or names P1-P4 and P6-P8, never P5.
    cov = qualitative.participant_coverage(matrix).set_index("participant")
    assert cov.index[cov["named"] == 0].tolist() == ["P5"]


def test_quotes_are_short_and_attributed(book):
    quotes = qualitative.load_quotes(codebook=book)
    named = book.set_index("code")["named"].map(_set)
    for r in quotes.itertuples():
        assert r.participant in named[r.code]
        assert len(r.quotation.split()) < 10  # short: below the project's 10-word rule
        assert r.source.startswith("Rødevand et al. 2017, Results")


# ---- loader errors ------------------------------------------------------------------------

def _write(tmp_path, book, changes):
    out = book[[c for c in qualitative.codebook_schema().columns]].astype(object).copy()
    for (row, col), val in changes.items():
        out.loc[row, col] = val
    path = tmp_path / "codebook.csv"
    out.to_csv(path, index=False)
    return path


def test_too_many_named_for_the_quantifier(tmp_path, book):
    row = book.index[book["code"] == "t4_selling"][0]  # "one participant" (P4)
    path = _write(tmp_path, book, {(row, "named"): "P4;P3"})
    with pytest.raises(ValueError, match=rf"line {row + 2} \(t4_selling\).*'one'"):
        qualitative.load_codebook(path)


def test_unknown_quantifier_and_participant(tmp_path, book):
    path = _write(tmp_path, book, {(0, "quantifier"): "many", (1, "named"): "P9"})
    with pytest.raises(ValueError) as err:
        qualitative.load_codebook(path)
    assert "column 'quantifier', line 2 (t1_positive)" in str(err.value)
    assert "column 'named', line 3 (t1_negative)" in str(err.value)


# ---- process measures -----------------------------------------------------------------------

def test_implied_respondents():
    # 25/28 = 89.3, 22/28 = 78.6, 16/28 = 57.1, 8/28 = 28.6, 27/28 = 96.4, 25/28, 23/28 = 82.1;
    # the next n that fits all seven is 56, beyond the IPS arm of 38.
    out = qualitative.implied_respondents()
    assert out["n"].tolist() == [28]
    assert out.loc[0, "totals"] == (25, 22, 16, 8, 27, 25, 23)
    assert qualitative.implied_respondents(n_max=60)["n"].tolist() == [28, 56]


def test_trial_respondents():
    t = qualitative.trial_respondents_6m()
    # Table 2: 11 employed = 32.4 % -> 34 respondents; Table 3: n of 28 (29 for EQ-VAS)
    assert t[["n_low", "n_high"]].values.tolist() == [[34, 34], [28, 29]]


def test_process_counts_and_intervals():
    p = qualitative.process_counts(28, alpha=0.05).set_index("item")
    assert p["count"].tolist() == [25, 22, 16, 8, 27, 25, 23]
    ci = binomtest(16, 28).proportion_ci(confidence_level=0.95, method="exact")
    assert p.at["hinder_pain", "ci_low"] == pytest.approx(ci.low, abs=1e-12)  # the 0-1 scale
    assert p.at["hinder_pain", "ci_high"] == pytest.approx(ci.high, abs=1e-12)
    # 34 respondents cannot give 89 %: 30/34 = 88.2, 31/34 = 91.2
    assert pd.isna(qualitative.process_counts(34).set_index("item").at["satisfied", "count"])


def test_support_duration():
    d = qualitative.support_duration()
    assert d["months"].tolist() == [3, 12, 24, 12]


def test_links_show_ranges_and_counts(book):
    links = qualitative.theme_links(book, qualitative.process_counts(28))
    pain = links[links["topic"] == "pain as an obstacle"].set_index("item")["share"]
    assert pain["pain as the main challenge of the job search"] == "3-7 of 8"
    assert pain["pain"] == "16/28 (57%)"


def test_matrix_figure_never_colours_p5_as_named(book, matrix):
    from ipsrep.plots.qualitative import matrix_figure

    cells = matrix_figure(matrix, book).axes[0].images[0].get_array()
    assert cells.shape == (len(book), 8)
    named = qualitative.STATES.index("named")
    assert not (cells[:, 4] == named).any()  # P5 is never named
    assert (cells[:, 0] == named).any()  # P1 is
