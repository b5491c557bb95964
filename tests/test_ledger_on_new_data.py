"""Rows computed from the paper's printed numbers alone carry no published value or
status when the report runs on data other than the bundled reconstruction, unless it is
built with ``--compare-with-paper`` (a :class:`~ipsrep.methods.comparison.Comparison`)."""
from __future__ import annotations

import pytest

from ipsrep.analyses import employment, productivity
from ipsrep.analyses.paper import compare
from ipsrep.audit import ledger_rows, recompute
from ipsrep.methods.comparison import Comparison


def _published_and_status_empty(rows):
    assert len(rows) > 0
    assert (rows["published"] == "").all() and (rows["status"] == "").all()


def _published_and_status_filled(rows):
    assert (rows["published"] != "").any() and (rows["status"] != "").any()


@pytest.mark.parametrize("bundled", [True, False])
def test_historical_and_jobs_rows(bundled):
    hist = employment.historical_control_comparison(**employment.published_historical_counts())
    jobs = productivity.implied_job_totals(n_max=60)
    for rows in (employment.historical_ledger(hist, bundled=bundled), productivity.jobs_ledger(jobs, bundled=bundled)):
        (_published_and_status_filled if bundled else _published_and_status_empty)(rows)


def test_audit_rows_on_new_data():
    checks = recompute.printed_statistic_checks()
    _published_and_status_empty(ledger_rows.check_rows(checks, bundled=False))
    _published_and_status_filled(ledger_rows.check_rows(checks, bundled=True))


def test_compare_keeps_keys_and_values_on_new_data():
    rows = compare({"t2.12m.or": 2.5}, bundled=False)
    assert rows.loc[0, "key"] == "t2.12m.or" and rows.loc[0, "reproduced"] == 2.5
    assert rows.loc[0, "published"] == "" and rows.loc[0, "status"] == ""


def test_compared_with_the_paper_new_data_get_the_same_checks_as_the_bundled_file():
    """``--compare-with-paper``: checks of printed numbers read as on the bundled file,
    and the historical, job and audit rows are filled."""
    checks = recompute.printed_statistic_checks()
    on_data = ledger_rows.check_rows(checks, bundled=Comparison(synthetic=False))
    on_bundled = ledger_rows.check_rows(checks, bundled=True)
    assert on_data.equals(on_bundled)
    hist = employment.historical_control_comparison(**employment.published_historical_counts())
    _published_and_status_filled(employment.historical_ledger(hist, bundled=Comparison(synthetic=False)))


def test_compare_on_new_data_judges_by_the_digits_and_keeps_the_papers_contradictions():
    rows = compare({"t2.12m.or": 1.7589, "t4.odi.group.p": 0.356, "t4.odi.group.se": 3.5},
                   bundled=Comparison(synthetic=False),
                   status={"t4.odi.group.p": "approximate", "t4.odi.group.se": "source_inconsistent"})
    assert rows["status"].tolist() == ["reproduced", "reproduced", "source_inconsistent"]
    assert rows["published"].tolist() == ["1.76", "0.356", "3.82"]
