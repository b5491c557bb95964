"""Rows computed from the paper's printed numbers alone carry no published value or
status when the report runs on data other than the bundled reconstruction, unless it is
built with ``--compare-with-paper`` (a :class:`~ipsrep.methods.comparison.Comparison`)."""
from __future__ import annotations

import numpy as np

from ipsrep.analyses import employment_historical, productivity
from ipsrep.analyses.paper import compare
from ipsrep.audit import ledger_rows, recompute
from ipsrep.inputs.published import load_published
from ipsrep.methods.comparison import Comparison

PUB = load_published()


def _printed(key: str) -> str:
    """The paper's printed text for a ledger key (``audit.`` rows check the key after it)."""
    row = PUB.loc[key.removeprefix("audit.")]
    return ("" if row["relation"] == "=" else row["relation"]) + row["printed"]


def _published_and_status_empty(rows):
    assert len(rows) > 0
    assert (rows["published"] == "").all() and (rows["status"] == "").all()


def _published_and_status_filled(rows):
    """Every row of a key the paper prints carries the printed text and a check's word; a row
    the paper does not print (a derived count) carries neither."""
    printed = rows["key"].str.removeprefix("audit.").isin(PUB.index)
    assert printed.sum() > 0
    assert rows.loc[printed, "published"].tolist() == [_printed(k) for k in rows.loc[printed, "key"]]
    assert set(rows.loc[printed, "status"]) <= {"consistent", "inconsistent"}
    assert (rows.loc[~printed, "published"] == "").all() and (rows.loc[~printed, "status"] == "").all()


def _same_rows_without_the_paper(on_new_data, on_bundled):
    """New data: the bundled rows' keys and values, without the published value and status."""
    assert on_new_data["key"].tolist() == on_bundled["key"].tolist()
    np.testing.assert_array_equal(on_new_data["reproduced"].to_numpy(float), on_bundled["reproduced"].to_numpy(float))
    _published_and_status_empty(on_new_data)


def test_historical_and_jobs_rows():
    hist = employment_historical.historical_control_comparison(**employment_historical.published_historical_counts())
    jobs = productivity.implied_job_totals(n_max=60)
    hist_rows = employment_historical.historical_ledger(hist, bundled=True)
    jobs_rows = productivity.jobs_ledger(jobs, bundled=True)
    _published_and_status_filled(hist_rows)
    _published_and_status_filled(jobs_rows)
    # the historical comparison and the job shares agree with everything the paper prints
    assert hist_rows["published"].tolist() == ["19", "52.8", "52", "16.5", "315", "351", "1", "26.34", "<0.001",
                                               "5.65", "2.75", "11.60"]
    assert set(hist_rows["status"]) == {"consistent"}
    assert jobs_rows.set_index("key")["status"].to_dict() == {
        "jobs.health_social_pct": "consistent", "jobs.childcare_school_pct": "consistent",
        "jobs.assistant_pct": "consistent", "jobs.retail_pct": "consistent", "jobs.n_jobs_implied": ""}
    assert jobs_rows.set_index("key").at["jobs.n_jobs_implied", "reproduced"] == 30
    _same_rows_without_the_paper(employment_historical.historical_ledger(hist, bundled=False), hist_rows)
    _same_rows_without_the_paper(productivity.jobs_ledger(jobs, bundled=False), jobs_rows)


def test_audit_rows_on_new_data():
    checks = recompute.printed_statistic_checks()
    on_bundled = ledger_rows.check_ledger(checks, bundled=True)
    _published_and_status_filled(on_bundled)
    assert on_bundled["key"].str.startswith("audit.").all()
    # the two printed Table 4 numbers that disagree with the rest of the row
    assert on_bundled.loc[on_bundled["status"] == "inconsistent", "key"].tolist() == [
        "audit.t4.bpi_worst.interaction.z", "audit.t4.bpi_worst.interaction.p"]
    _same_rows_without_the_paper(ledger_rows.check_ledger(checks, bundled=False), on_bundled)


def test_compare_keeps_keys_and_values_on_new_data():
    rows = compare({"t2.12m.or": 2.5}, bundled=False)
    assert rows.loc[0, "key"] == "t2.12m.or" and rows.loc[0, "reproduced"] == 2.5
    assert rows.loc[0, "published"] == "" and rows.loc[0, "status"] == ""


def test_compared_with_the_paper_new_data_get_the_same_checks_as_the_bundled_file():
    """``--compare-with-paper``: checks of printed numbers read as on the bundled file,
    and the historical, job and audit rows are filled."""
    checks = recompute.printed_statistic_checks()
    on_data = ledger_rows.check_ledger(checks, bundled=Comparison(synthetic=False))
    on_bundled = ledger_rows.check_ledger(checks, bundled=True)
    assert on_data.equals(on_bundled)
    hist = employment_historical.historical_control_comparison(**employment_historical.published_historical_counts())
    _published_and_status_filled(employment_historical.historical_ledger(hist, bundled=Comparison(synthetic=False)))


def test_compare_on_new_data_judges_by_the_digits_and_keeps_the_papers_contradictions():
    rows = compare({"t2.12m.or": 1.7589, "t4.odi.group.p": 0.356, "t4.odi.group.se": 3.5},
                   bundled=Comparison(synthetic=False),
                   status={"t4.odi.group.p": "approximate", "t4.odi.group.se": "source_inconsistent"})
    assert rows["status"].tolist() == ["reproduced", "reproduced", "source_inconsistent"]
    assert rows["published"].tolist() == ["1.76", "0.356", "3.82"]
